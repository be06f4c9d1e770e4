"""The sessions report written out: a table for people, JSON for programs, JUnit XML for CI."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any, TextIO
from xml.etree import ElementTree as ET

import orjson

from .kinds import Kind
from .report import ChainReport, SessionSummary, UserReport, iso_time

__all__ = ["write_json", "write_junit", "write_table"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text that XML 1.0 can hold (control characters and lone surrogates become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", text)


def write_json(report: ChainReport, out: TextIO) -> None:
    """The report as the standard library writes it (indented by 2, UTF-8 kept), by orjson
    where it can: ten times faster, the same text but for NaN and infinities, which orjson
    writes as null, and lone surrogates, which it refuses."""
    value = report.to_dict()
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() if _finite(value) else None
    except TypeError:
        text = None
    if text is None:
        text = json.dumps(value, indent=2, ensure_ascii=False)
    out.write(text + "\n")


def _finite(value: Any) -> bool:
    """No NaN nor infinity anywhere in ``value``."""
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is dict:
        return all(map(_finite, value.values()))
    if type(value) is list:
        return all(map(_finite, value))
    return True


def _idle(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.1f}s"
    if seconds < 7200:
        return f"{seconds / 60:.1f}m"
    return f"{seconds / 3600:.1f}h"


def _note(session: SessionSummary) -> str:
    notes = []
    if session.exceeded:
        notes.append(f"{session.exceeded} timeout exceeded")
    if session.expected:
        notes.append(f"expected early ({session.expected.replace('_', ' ')})")
    if session.duplicates:
        notes.append(f"{session.duplicates} duplicate(s)")
    return "; ".join(notes)


def write_table(report: ChainReport, out: TextIO) -> None:
    """Each user's chain, a session a line, then the findings, then a summary line."""
    for user in report.users:
        out.write(f"user {user.user_id}: {len(user.sessions)} session(s), {user.events} event(s)")
        out.write(f", {user.duplicates} duplicate(s) dropped\n" if user.duplicates else "\n")
        if user.sessions:
            out.write(
                f"  {'index':>5}  {'session':<36}  {'previous':<8}  {'first event':<8}  "
                f"{'events':>6}  {'first':<24}  {'last':<24}  {'idle':>6}  note\n"
            )
        for s in user.sessions:
            out.write(
                f"  {s.index:>5}  {s.session_id:<36}  {(s.previous_session_id or '-')[:8]:<8}  "
                f"{(s.first_event_id or '-')[:8]:<8}  {s.events:>6}  {iso_time(s.first_time):<24}  "
                f"{iso_time(s.last_time):<24}  {_idle(s.idle_before):>6}  {_note(s)}\n"
            )
        for finding in user.findings:
            out.write(f"  ! {finding.kind} at {iso_time(finding.time)}: {finding.message}\n")
        out.write("\n")
    bad = ", ".join(f"{count} {reason}" for reason, count in sorted(report.bad.items()))
    out.write(
        f"{len(report.users)} user(s), {report.events} event(s), "
        f"{len(report.findings)} finding(s)" + (f"; bad: {bad}" if bad else "") + "\n"
    )


def _suite(report: ChainReport, capture: int, name: str) -> ET.Element:
    users = [
        user
        for user in report.users
        if any(capture in s.captures for s in user.sessions)
        or any(f.capture == capture for f in user.findings)
    ]
    suite = ET.Element("testsuite", name=_xml(f"sessions: {name}"))
    tests = failures = 0
    for user in users:
        for each in Kind:
            kind, check = each.value, each.check
            tests += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_xml(f"sessions.{_classname(user)}"),
                name=f"{kind}: {check}",
                time="0",
            )
            found = [f for f in user.findings if f.kind == kind and f.capture == capture]
            if found:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=kind,
                    message=_xml(f"{len(found)} finding(s): {found[0].message}"[:500]),
                )
                failure.text = _xml(
                    "\n".join(
                        f"{iso_time(f.time)} session {f.session_index} {f.session_id}: {f.message}"
                        for f in found
                    )
                )
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", "0")
    return suite


def _classname(user: UserReport) -> str:
    return "user " + user.user_id.replace(".", "_")


def write_junit(report: ChainReport, captures: Sequence[str], out: TextIO) -> None:
    """JUnit XML: a test suite per capture, a test case per user and check, findings as
    failures."""
    root = ET.Element("testsuites", name="snowsession sessions")
    total = failed = 0
    for suite in (_read_suite(report), *(_suite(report, i, n) for i, n in enumerate(captures))):
        total += int(suite.get("tests", "0"))
        failed += int(suite.get("failures", "0"))
        root.append(suite)
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def _read_suite(report: ChainReport) -> ET.Element:
    """What was read: a case that fails when anything could not be used (bad payloads,
    unreadable lines), so a CI run sees what was skipped."""
    suite = ET.Element("testsuite", name="sessions: inputs read", tests="1", errors="0")
    suite.set("skipped", "0")
    suite.set("time", "0")
    case = ET.SubElement(
        suite,
        "testcase",
        classname="sessions.inputs",
        name="every line and payload could be read",
        time="0",
    )
    bad = sum(report.bad.values())
    suite.set("failures", "1" if bad else "0")
    if bad:
        words = ", ".join(f"{count} {reason}" for reason, count in sorted(report.bad.items()))
        failure = ET.SubElement(
            case, "failure", type="unread", message=_xml(f"{bad} skipped: {words}"[:500])
        )
        failure.text = _xml(words)
    return suite
