"""Every number written alike: one form for a number of seconds and for a countdown, whatever
the view (the fields, the State panel, the status bar, the timeline, compare, help, exports)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from PySide6.QtWidgets import QTextBrowser

from session import VirtualClock
from snowsession_gui.model.reasons import short_reason, why_started
from snowsession_gui.model.units import (
    format_clock,
    format_countdown,
    format_number,
    format_seconds,
    format_span,
    parse_seconds,
)

from .gui_helpers import exports, policies, settle
from .test_agreement import deadline_shown, type_into

BIG = 1_000_000_000
WRITTEN = "1000000000 s"
FAR = "11574d 01:46:40"  # 1e9 s: 11574 days, 1 h 46 min 40 s


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(600, "600 s"), (2.5, "2.5 s"), (0.001, "0.001 s"), (1e6, "1000000 s"), (BIG, WRITTEN)],
)
def test_seconds_are_written_as_typed_and_read_back(seconds, text):
    assert format_seconds(seconds) == text
    assert parse_seconds(text) == seconds
    assert format_number(seconds) == text.removesuffix(" s")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (89.2, "01:30"), (3600, "1:00:00"), (86399, "23:59:59"), (BIG, FAR)],
)
def test_a_countdown_past_a_day_counts_days_as_the_clock_does(seconds, text):
    assert format_countdown(seconds) == text
    if seconds >= 86400:
        assert text == format_clock(seconds)


def test_a_span_is_never_written_with_an_exponent():
    assert format_span(BIG) == "11574 d"
    assert format_span(5 * 86400) == "5 d"
    assert format_span(90) == "1.5 min"


def test_a_huge_timeout_reads_the_same_everywhere(window, qtbot):
    """1e9 s is taken, and every view writes it (and its countdown) one way."""
    window.controls.fire_event()
    box = window.controls.inputs["foreground_timeout"]
    type_into(qtbot, box, "60")
    window.host.sim.skip(75)  # a timeout: a reason to word
    settle(window)
    note = window.timeline.data.starts[-1]
    type_into(qtbot, box, "1e9")
    now = window.host.sim.now()
    assert window.host.session.foreground_timeout == BIG
    due = window.host.session.expected_new_session_at()
    assert due is not None
    countdown = format_countdown(due - now)
    assert countdown.startswith("11574d ")
    shown = {
        "field": box.lineEdit().text(),
        "status bar": window.statusBar().currentMessage(),
        "state panel": window.state_panel.timeout.text(),
        "countdown": window.state_panel.countdown_value.text(),
        "deadline": deadline_shown(window, due + 60)[1],
        "reason": why_started(dataclasses.replace(note, timeout=BIG)),
        "label": short_reason(dataclasses.replace(note, timeout=BIG)),
        "export": exports(window).heading("run").subtitle,
        "report": re.sub(r"base64,[^\"']*", "", exports(window).report_page()),
    }
    window.show_how()
    shown["help"] = window.findChild(QTextBrowser, "helpText").toPlainText()
    feature = policies(window)
    feature.compare_clock, feature.compare_speed = VirtualClock(), 0
    view = feature.open_compare()
    shown["compare"] = view.timeouts.inputs["foreground_timeout"].lineEdit().text()
    assert shown["field"] == shown["compare"] == WRITTEN
    assert shown["status bar"] == f"foreground timeout set to {WRITTEN}"
    assert shown["state panel"] == f"{WRITTEN} (foreground)"
    assert shown["countdown"] == f"new session in {countdown}"
    assert shown["deadline"] == f"new session due {format_clock(due)}"
    assert shown["reason"].startswith(f"timeout: {WRITTEN} (foreground)")
    assert shown["label"] == f"timeout {WRITTEN}"
    for place in ("export", "report", "help"):
        assert WRITTEN in " ".join(shown[place].split()), place
    for place, text in shown.items():
        assert text is not None and "e+" not in text, place
