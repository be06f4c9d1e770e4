"""The latest ``client_session`` context, pretty-printed, with a schema validity badge.

A caption says which event it came with (its id, time and session), so it never seems to
disagree with a state panel that has moved on (a restart's new session has no event yet).
The view keeps the latest event of each run: the window's own comes back when a scenario
stops.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from session import SCHEMA_1_0_1, EventTracked, SessionContext, load_schema
from snowsession_gui.model.runs import PerRun, Run
from snowsession_gui.model.units import format_clock

from .palette import LIGHT, Colors

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

__all__ = ["ContextView", "validate_context", "warm_up"]


@cache
def _validator(schema_uri: str) -> Validator:
    import jsonschema  # imported on first use: it is a tenth of the start-up time

    schema = load_schema(schema_uri)
    # Iglu schemas are JSON Schema draft 4 under a self-describing "$schema" of their own.
    validator: Validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.FormatChecker()
    )
    return validator


def warm_up(schema_uri: str = SCHEMA_1_0_1) -> None:
    """Build a validator ahead of the first event (called once the window is on screen)."""
    _validator(schema_uri)


def validate_context(context: SessionContext) -> list[str]:
    """The schema errors of ``context.data`` (empty when valid)."""
    try:
        validator = _validator(context.schema)
    except ValueError as error:
        return [str(error)]
    errors = sorted(validator.iter_errors(dict(context.data)), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or 'data'}: {e.message}" for e in errors]


class ContextView(QWidget):
    """Shows a context (objectName ``contextView``) and a ``contextBadge``: valid or invalid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit()
        self.text.setObjectName("contextView")
        self.text.setAccessibleName("Latest client_session context")
        self.text.setToolTip("The client_session context attached to the latest event")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # keep the JSON's shape
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("Fire an event to see the context it carries.")
        self.badge = QLabel("no context yet")
        self.badge.setObjectName("contextBadge")
        self.badge.setAccessibleName("Schema validation")
        self.schema = QLabel("")
        self.schema.setObjectName("contextSchema")
        self.schema.setWordWrap(True)
        self.caption = QLabel("")
        self.caption.setObjectName("contextCaption")
        self.caption.setAccessibleName("The event this context came with")
        self.caption.setWordWrap(True)
        self._runs: PerRun[EventTracked | None] = PerRun(lambda: None)
        self.valid: bool | None = None
        self.errors: list[str] = []
        self._colors = LIGHT

        top = QHBoxLayout()
        top.addWidget(self.badge)
        top.addWidget(self.schema, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        layout.addWidget(self.text, 1)
        self._style_badge(None)

    @Slot(object)
    def add_events(self, notes: Sequence[EventTracked]) -> None:
        """The events of one batch: the last one's context is shown."""
        if notes:
            self._runs.current = notes[-1]
            self._show(notes[-1])

    @Slot(object)
    def start_run(self, run: Run) -> None:
        """Show the latest event of ``run`` (none yet for a new run)."""
        if self._runs.switch(run):
            latest = self._runs.current
            if latest is None:
                self.clear()
            else:
                self._show(latest)

    def _show(self, note: EventTracked) -> None:
        state = note.state
        first = ", its first" if note.first else ""
        self.caption.setText(
            f"Event {note.event_id[:8]} at {format_clock(note.at)}, "
            f"session {state.session_index}{first}"
        )
        self.caption.setToolTip(f"event {note.event_id}\nsession {state.session_id}")
        self.show_context(note.context)

    def show_context(self, context: SessionContext) -> None:
        self.text.setPlainText(json.dumps(context.to_dict(), indent=2, ensure_ascii=False))
        self.errors = validate_context(context)
        self.valid = not self.errors
        self.schema.setText(context.schema.removeprefix("iglu:"))
        self._style_badge(self.valid)
        if self.errors:
            self.badge.setToolTip("\n".join(self.errors))
        else:
            self.badge.setToolTip("Valid against the bundled Iglu schema (formats checked)")

    @Slot()
    def clear(self) -> None:
        self.caption.clear()
        self.caption.setToolTip("")
        self.text.clear()
        self.valid = None
        self.errors = []
        self.schema.clear()
        self._style_badge(None)

    def apply_colors(self, colors: Colors) -> None:
        self._colors = colors
        self._style_badge(self.valid)

    def _style_badge(self, valid: bool | None) -> None:
        c = self._colors
        text, colour = {
            None: ("no context yet", c.badge_none),
            True: ("✓ valid", c.badge_valid),
            False: ("✗ invalid", c.badge_invalid),
        }[valid]
        self.badge.setText(text)
        self.badge.setStyleSheet(
            f"QLabel {{ color: {c.on_strong}; background: {colour}; border-radius: 8px;"
            " padding: 2px 10px; font-weight: bold; }"
        )
