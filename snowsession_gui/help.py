"""Help > How sessions work, and Help > About."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from .menus import SHORTCUTS

__all__ = ["ABOUT", "HOW_SESSIONS_WORK", "HelpDialog"]

HOW_SESSIONS_WORK = """
<h2>How client sessions work</h2>
<p>Every event a tracker sends carries a <b>client_session</b> context: the <b>user id</b>
(kept for as long as the save file lives), the <b>session id</b>, the <b>previous session
id</b> and the <b>session index</b> (1 for the first session, then one more each time).</p>
<h3>When does a new session start?</h3>
<ul>
<li><b>At every app start.</b> Like the Snowplow .NET tracker, constructing a session (here:
<i>Restart app</i>) always starts a new one and saves it.</li>
<li><b>After a timeout.</b> While the app is in the foreground, the <i>foreground timeout</i>
applies (600 s by default); in the background, the <i>background timeout</i> (300 s).</li>
<li><b>Only when a check sees it.</b> An expiry check runs every <i>check interval</i>
(15 s). A session expires at the first check at least one timeout after the last event, so
the new session can start up to one interval late. An event never checks by itself: an event
in that slack still belongs to the old session.</li>
</ul>
<h3>The checker</h3>
<p>An event, or coming back to the foreground, starts the checker. After a timeout in the
background the checker stops, so an app left in the background gets one new session, not
one per timeout. In the foreground it goes on: an idle app gets a new session every
timeout, with no events in it.</p>
<h3>Reading the timeline</h3>
<ul>
<li>The line is the session index read from the save file each time it changes.</li>
<li>Triangles mark new sessions; hover one to see why it started.</li>
<li>Dots are events; shaded bands are periods in the background.</li>
<li>The dashed red line is when a new session is due if nothing else happens.</li>
<li>If several sessions reached the file in one save, the step says how many.</li>
</ul>
<h3>Keys</h3>
"""


HOW_SESSIONS_WORK += (
    "<p>" + " · ".join(f"<b>{key}</b> {what}" for key, what in SHORTCUTS.items()) + "</p>"
)  # the one list of keys, shared with the menus

ABOUT = """
<h2>snowsession</h2>
<p>The Snowplow client session in pure Python, and this window to watch it, drive it and
simulate it on a virtual clock.</p>
<p>The save file is the .NET tracker's format, byte for byte: a .NET app can read what this
one writes.</p>
<p>Licensed under the Apache License 2.0.</p>
"""


class HelpDialog(QDialog):
    """A small rich-text page with a Close button."""

    def __init__(self, title: str, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("helpDialog")
        browser = QTextBrowser()
        browser.setObjectName("helpText")
        browser.setAccessibleName(title)
        browser.setOpenExternalLinks(True)
        browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        self.resize(620, 560)
