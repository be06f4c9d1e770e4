"""Where the timeline's labels go, in pixels: beside their mark, never on each other, never
out of the plot; and what the pointer is over, for one tooltip that puts failures first.

No Qt here: plain rectangles ``(left, top, width, height)``, so the rules are tested alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["GAP", "Label", "Rect", "Spot", "place", "tip_for"]

Rect = tuple[float, float, float, float]
"""``(left, top, width, height)`` in pixels."""

GAP = 4.0
"""Pixels between a label and its mark, and between two labels."""


@dataclass(frozen=True, slots=True)
class Label:
    """A label to place beside the point ``(x, y)`` (pixels); lower ``rank`` goes first."""

    x: float
    y: float
    width: float
    height: float
    rank: int = 0
    above: bool = True
    """Try above the point first (else below)."""
    clear: float = 0.0
    """Half the size of the mark at the point: the label stays that far from it."""
    slide: int = 1
    """How many lines further from the point it may go (a line's label: anywhere along it)."""


def _candidates(label: Label) -> Iterable[Rect]:
    w, h, x, y, r = label.width, label.height, label.x, label.y, label.clear
    right, left = x + GAP, x - GAP - w
    up, down = y - r - GAP - h, y + r + GAP
    rows = [up, down] if label.above else [down, up]
    for top in rows:  # beside the mark, above or below it
        yield (right, top, w, h)
        yield (left, top, w, h)
    yield (x + r + GAP, y - h / 2, w, h)  # level with it
    yield (x - r - GAP - w, y - h / 2, w, h)
    for step in range(1, label.slide + 1):  # further away, before giving up
        for top in rows:
            shifted = top - step * (h + GAP) if top < y else top + step * (h + GAP)
            yield (right, shifted, w, h)
            yield (left, shifted, w, h)


def _reach(label: Label) -> Rect:
    """The rectangle every candidate of ``label`` lies in."""
    w, h, r = label.width, label.height, label.clear
    across, up = w + r + 2 * GAP, r + (label.slide + 1) * (h + GAP) + h
    return (label.x - across, label.y - up, 2 * across, 2 * up)


def _overlaps(a: Rect, b: Rect) -> bool:
    return not (
        a[0] + a[2] + GAP / 2 <= b[0]
        or b[0] + b[2] + GAP / 2 <= a[0]
        or a[1] + a[3] <= b[1]
        or b[1] + b[3] <= a[1]
    )


def _inside(rect: Rect, bounds: Rect) -> bool:
    return (
        rect[0] >= bounds[0]
        and rect[1] >= bounds[1]
        and rect[0] + rect[2] <= bounds[0] + bounds[2]
        and rect[1] + rect[3] <= bounds[1] + bounds[3]
    )


def place(
    labels: Sequence[Label], bounds: Rect, keep_clear: Sequence[Rect] = ()
) -> list[Rect | None]:
    """A rectangle for each label (None: no room, so it is not shown), in the order given.

    Labels are placed by rank (then from left to right), each in the first spot beside its
    point that is inside ``bounds`` and clear of the labels placed so far and of
    ``keep_clear`` (the legend, the marks, the lines: nothing is drawn through a label).
    """
    placed: list[Rect] = list(keep_clear)
    result: list[Rect | None] = [None] * len(labels)
    order = sorted(range(len(labels)), key=lambda i: (labels[i].rank, labels[i].x))
    for i in order:
        reach = _reach(labels[i])
        near = [other for other in placed if _overlaps(reach, other)]
        for rect in _candidates(labels[i]):
            if _inside(rect, bounds) and not any(_overlaps(rect, other) for other in near):
                placed.append(rect)
                result[i] = rect
                break
    return result


@dataclass(frozen=True, slots=True)
class Spot:
    """Something under the pointer: its distance in pixels and what it says; failures have
    the lowest ``rank`` and are said first."""

    distance: float
    rank: int
    text: str


def tip_for(spots: Iterable[Spot], reach: float = 8.0) -> str | None:
    """One tooltip for everything within ``reach`` pixels of the pointer: failed
    expectations first, then the rest, nearest first; None when nothing is that close."""
    near = sorted((s for s in spots if s.distance <= reach), key=lambda s: (s.rank, s.distance))
    if not near:
        return None
    seen: list[str] = []
    for spot in near:
        if spot.text not in seen:
            seen.append(spot.text)
    return "\n\n".join(seen)
