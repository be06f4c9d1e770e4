"""The Trackers panel's small parts, each built by a function: the buttons that open a
source, the timeouts idle gaps are judged by, the problem and counts lines, and the lanes'
legend with *Show all* beside it. The panel (:mod:`.panel`) lays them out and wires them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QToolButton

from snowsession_gui.model.tracker_setup import PRESETS
from snowsession_gui.widgets.palette import Colors

__all__ = [
    "counts_label",
    "fit_button",
    "legend_html",
    "legend_label",
    "open_buttons",
    "placeholder_label",
    "problem_label",
    "timeouts_row",
]


def open_buttons(opens: Sequence[tuple[QAction, str]]) -> QHBoxLayout:
    """A row of buttons, one per ``(action, objectName)``, to the left."""
    buttons = QHBoxLayout()
    for action, name in opens:
        button = QToolButton()
        button.setObjectName(name)
        button.setDefaultAction(action)
        buttons.addWidget(button)
    buttons.addStretch(1)
    return buttons


def timeouts_row() -> tuple[QComboBox, QHBoxLayout]:
    """The timeouts to judge idle gaps by (``timeoutsSelector``, a preset a row), and the
    row that labels it."""
    judging = QHBoxLayout()
    judge = QLabel("Judge idle gaps by")
    presets = QComboBox()
    presets.setObjectName("timeoutsSelector")
    presets.setAccessibleName("Timeouts to judge idle gaps by")
    for preset in PRESETS:
        presets.addItem(preset.label, preset.key)
    judge.setBuddy(presets)
    judging.addWidget(judge)
    judging.addWidget(presets)
    judging.addStretch(1)
    return presets, judging


def problem_label() -> QLabel:
    """What went wrong with the source (``trackerProblem``), hidden while nothing did."""
    problem = QLabel()
    problem.setTextFormat(Qt.TextFormat.PlainText)  # file names, ids, typed text
    problem.setObjectName("trackerProblem")
    problem.setWordWrap(True)
    problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    problem.hide()
    return problem


def counts_label() -> QLabel:
    """The counts of events, users and findings (``trackerCounts``)."""
    counts = QLabel()
    counts.setObjectName("trackerCounts")
    counts.setWordWrap(True)
    return counts


def legend_label() -> QLabel:
    """The lanes' legend (``laneLegend``); :func:`legend_html` is its text."""
    legend = QLabel()
    legend.setObjectName("laneLegend")
    legend.setWordWrap(True)
    legend.setToolTip(
        "A session's line runs from its first to its last event; the dashed step before "
        "it is the idle time since the session before. Hover a mark or a line to read it."
    )
    return legend


def fit_button() -> QPushButton:
    """*Show all* (``fitLanesButton``), off until there are lanes to fit."""
    fit = QPushButton("Show all")
    fit.setObjectName("fitLanesButton")
    fit.setToolTip("Show every event of every user (the lanes follow new ones)")
    fit.setEnabled(False)
    return fit


def placeholder_label(text: str) -> QLabel:
    """What stands where the lanes will be (``lanesPlaceholder``) until there are some."""
    placeholder = QLabel(text)
    placeholder.setTextFormat(Qt.TextFormat.PlainText)  # file names, ids, typed text
    placeholder.setObjectName("lanesPlaceholder")
    placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
    placeholder.setWordWrap(True)
    return placeholder


def legend_html(c: Colors) -> str:
    """The legend's text in colours ``c``: a swatch and a word for each kind of mark."""

    def swatch(color: str, glyph: str, text: str) -> str:
        return f'<span style="color:{color}">{glyph}</span>&nbsp;' + text.replace(" ", "&nbsp;")

    return " &nbsp; ".join(
        (
            swatch(c.step, "━━", "session"),
            swatch(c.event, "●", "event"),
            swatch(c.muted, "╌╌", "idle"),
            swatch(c.timeout, "╌╌", "idle past the timeout"),
            swatch(c.problem, "◆", "finding"),
            "times in UTC",
        )
    )
