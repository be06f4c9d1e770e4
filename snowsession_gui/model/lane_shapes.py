"""One lane's shapes, computed from frozen data (no Qt here): each session a line at its
index from its first to its last event, the idle gap before it a step from the session
before, its events as dots, its findings as marks; and what lies under a point, for hover.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from session.audit.report import Finding, SessionSummary, UserReport
from session.audit.rules import Rules

from .tracker_data import Trail
from .tracker_words import finding_text, gap_text, session_text

__all__ = ["LaneShapes", "extent", "lane_shapes", "lane_tip"]

Array = NDArray[np.float64]


def _array(values: list[float]) -> Array:
    return np.array(values, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class LaneShapes:
    """What one user's lane draws. Line shapes are point pairs (one segment per pair)."""

    user: UserReport
    sessions_x: Array
    sessions_y: Array
    idle_x: Array
    """The gaps shorter than the timeout in force, or not judged."""
    idle_y: Array
    late_x: Array
    """The gaps longer than the timeout in force: a new session is what should come."""
    late_y: Array
    dots_x: Array
    dots_y: Array
    marks_x: Array
    marks_y: Array
    findings: tuple[Finding, ...]
    """The findings in the order of the marks."""
    low: float
    high: float
    first: float | None
    last: float | None


def _index_at(sessions: tuple[SessionSummary, ...], time: float) -> float:
    """The index of the session in force at ``time`` (the first one before it all)."""
    index = float(sessions[0].index) if sessions else 1.0
    for session in sessions:
        if session.first_time > time:
            break
        index = float(session.index)
    return index


def lane_shapes(user: UserReport, trail: Trail) -> LaneShapes:
    """The shapes of ``user``'s lane; ``trail`` holds its events."""
    sessions = user.sessions
    sx: list[float] = []
    sy: list[float] = []
    for s in sessions:
        sx += (s.first_time, s.last_time)
        sy += (s.index, s.index)
    gaps: dict[bool, tuple[list[float], list[float]]] = {False: ([], []), True: ([], [])}
    for before, after in pairwise(sessions):
        xs, ys = gaps[after.exceeded is not None]
        xs += (before.last_time, after.first_time, after.first_time, after.first_time)
        ys += (before.index, before.index, before.index, after.index)
    marks_y = [
        float(f.session_index) if f.session_index is not None else _index_at(sessions, f.time)
        for f in user.findings
    ]
    heights = [float(s.index) for s in sessions] + marks_y
    low = min(heights, default=1.0) - 0.5
    high = max(heights, default=1.0) + 0.5
    times = [t for s in sessions for t in (s.first_time, s.last_time)]
    times += [f.time for f in user.findings]
    return LaneShapes(
        user,
        _array(sx),
        _array(sy),
        _array(gaps[False][0]),
        _array(gaps[False][1]),
        _array(gaps[True][0]),
        _array(gaps[True][1]),
        trail.times,
        trail.indexes,
        _array([f.time for f in user.findings]),
        _array(marks_y),
        user.findings,
        low,
        high,
        min(times, default=None),
        max(times, default=None),
    )


def extent(shapes: LaneShapes) -> tuple[float, float] | None:
    """The first and last times a lane draws, its events' included (None: nothing)."""
    times = [t for t in (shapes.first, shapes.last) if t is not None]
    if len(shapes.dots_x):
        times += (float(shapes.dots_x.min()), float(shapes.dots_x.max()))
    return (min(times), max(times)) if times else None


def lane_tip(
    shapes: LaneShapes, rules: Rules, x: float, y: float, dx: float, dy: float
) -> str | None:
    """What lies at ``(x, y)`` (seconds, index) within ``dx`` seconds and ``dy`` indexes: a
    finding first (the nearest; every one on that spot), then a session, then an idle gap."""
    near = [
        (abs(fx - x) / dx + abs(fy - y) / dy, i)
        for i, (fx, fy) in enumerate(zip(shapes.marks_x, shapes.marks_y, strict=True))
        if abs(fx - x) <= dx and abs(fy - y) <= dy
    ]
    if near:
        spot = min(near)[1]
        sx, sy = shapes.marks_x[spot], shapes.marks_y[spot]
        same = [
            f
            for f, fx, fy in zip(shapes.findings, shapes.marks_x, shapes.marks_y, strict=True)
            if abs(fx - sx) <= dx / 4 and fy == sy
        ]
        return "\n\n".join(finding_text(f) for f in same)
    sessions = shapes.user.sessions
    hits = [
        (max(0.0, s.first_time - x, x - s.last_time), i)
        for i, s in enumerate(sessions)
        if s.first_time - dx <= x <= s.last_time + dx and abs(s.index - y) <= dy
    ]
    if hits:
        return session_text(sessions[min(hits)[1]])
    for before, after in pairwise(sessions):
        low, high = sorted((before.index, after.index))
        across = before.last_time < x < after.first_time and abs(before.index - y) <= dy
        step = abs(x - after.first_time) <= dx and low - dy <= y <= high + dy
        if across or step:
            return gap_text(before, after, rules)
    return None
