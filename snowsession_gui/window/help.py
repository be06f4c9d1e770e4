"""Help > How sessions work, and Help > About.

The page says the timeouts and the interval in force (and the tracker's defaults beside them)
and lists the keys of the window's own actions, so it never disagrees with the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from session import DEFAULTS, Settings
from snowsession_gui.model.units import format_seconds

__all__ = ["ABOUT", "HelpDialog", "how_sessions_work"]


def _value(settings: Settings, name: str) -> str:
    now, default = getattr(settings, name), getattr(DEFAULTS, name)
    if now == default:
        return f"{format_seconds(now)}, the tracker's default"
    return f"now {format_seconds(now)}; the tracker's default is {format_seconds(default)}"


def how_sessions_work(settings: Settings, keys: Sequence[tuple[str, str]]) -> str:
    """The page, for the settings in force and the window's keys."""
    fg, bg = _value(settings, "foreground_timeout"), _value(settings, "background_timeout")
    interval = _value(settings, "check_interval")
    keys_html = " · ".join(f"<b>{escape(key)}</b> {escape(what)}" for key, what in keys)
    return f"""
<h2>How client sessions work</h2>
<p>Every event a tracker sends carries a <b>client_session</b> context: the <b>user id</b>
(kept for as long as the save file lives), the <b>session id</b>, the <b>previous session
id</b> and the <b>session index</b> (1 for the first session, then one more each time).</p>
<h3>When does a new session start?</h3>
<ul>
<li><b>At every app start.</b> Like the Snowplow .NET tracker, constructing a session (here:
<i>Restart app</i>) always starts a new one and saves it.</li>
<li><b>After a timeout.</b> While the app is in the foreground, the <i>foreground timeout</i>
applies ({fg}); in the background, the <i>background timeout</i> ({bg}).</li>
<li><b>Only when a check sees it.</b> An expiry check runs every <i>check interval</i>
({interval}). A session expires at the first check at least one timeout after the last
event, so the new session can start up to one interval late. An event never checks by
itself: an event in that slack still belongs to the old session.</li>
</ul>
<h3>The checker</h3>
<p>An event, or coming back to the foreground, starts the checker. After a timeout in the
background the checker stops, so an app left in the background gets one new session, not
one per timeout. In the foreground it goes on: an idle app gets a new session every
timeout, with no events in it.</p>
<h3>Reading the timeline</h3>
<ul>
<li>The line is the session index read from the save file each time it changes.</li>
<li>Triangles mark new sessions (green: an app start, amber: a timeout); hover one to see
why it started.</li>
<li>Dots are events; shaded bands are periods in the background.</li>
<li>The dashed amber line is when a new session is due if nothing else happens.</li>
<li>If several sessions began between two readings of the file, the step says how
many.</li>
<li>Red is kept for problems: a failed expectation, a save that did not work.</li>
</ul>
<h3>Keys</h3>
<p>{keys_html}</p>
"""


ABOUT = """
<h2>snowsession</h2>
<p>The Snowplow client session in pure Python, and this window to watch it, drive it and
simulate it on a virtual clock.</p>
<p>The save file is the .NET tracker's format, byte for byte: a .NET app can read what this
one writes.</p>
<p>Licensed under the Apache License 2.0.</p>
"""


class HelpDialog(QDialog):
    """A small rich-text page with a Close button; :meth:`refresh` draws it again."""

    def __init__(self, title: str, page: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("helpDialog")
        self._page = page
        self._html = ""
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpText")
        self.browser.setAccessibleName(title)
        self.browser.setOpenExternalLinks(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(620, 560)
        self.refresh()

    def refresh(self) -> None:
        html = self._page()
        if html != self._html:
            self._html = html
            bar = self.browser.verticalScrollBar()
            where = bar.value()
            self.browser.setHtml(html)
            bar.setValue(where)
