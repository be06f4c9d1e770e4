"""Policy selection in the main window: the selector, the policy dock, the mobile overrides.

:func:`install` adds them to a built :class:`~snowsession_gui.main_window.MainWindow`. Switching
policy closes the session (the engine holds an OS lock on the file) and opens a new
``ClientSession`` with the other policy on the same file, with the same timeouts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMenu, QToolBar

from session import (
    BackgroundChanged,
    ClientSession,
    EventTracked,
    Notification,
    SessionStarted,
    VirtualClock,
)

from .collector_feature import CollectorFeature
from .host import CannotOpen
from .policy_panel import POLICIES, PolicyPanel, PolicySelector, mobile_forecast

if TYPE_CHECKING:
    from .compare_view import CompareView
    from .main_window import MainWindow

__all__ = ["PolicyFeature", "find_menu", "install"]

SETTINGS_KEY = "session/policy"
NO_CHECKER = "none under the mobile policy: each event decides"


def find_menu(window: MainWindow, title: str) -> QMenu | None:
    """The menu bar's menu whose title (without ``&``) is ``title``."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.title().replace("&", "") == title:
            return menu
    return None


class PolicyFeature(QObject):
    """Owns the policy selector, the ``policyDock`` and the mobile overrides of the state panel."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("policyFeature")
        self.window = window
        self.host = window.host
        self._requested = False
        self.compare_clock: VirtualClock | None = None
        """The compare view's clock (None: a new one); tests set a paused one."""
        self.compare_speed = 60.0

        self.selector = PolicySelector()
        self.selector.show_policy(self.host.policy)
        toolbar = window.findChild(QToolBar, "timeToolBar")
        if toolbar is not None:
            toolbar.addSeparator()
            caption = QLabel(" Policy ")
            caption.setBuddy(self.selector)
            toolbar.addWidget(caption)
            toolbar.addWidget(self.selector)

        self.panel = PolicyPanel()
        dock = QDockWidget("Policy", window)
        dock.setObjectName("policyDock")
        dock.setWidget(self.panel)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        context_dock = window.docks.get("contextDock")
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        if context_dock is not None:  # beside the event log and the context, below the plot
            window.splitDockWidget(context_dock, dock, Qt.Orientation.Horizontal)
            window.resizeDocks(
                [window.docks["eventLogDock"], context_dock, dock],
                [500, 420, 360],
                Qt.Orientation.Horizontal,
            )
        window.docks["policyDock"] = dock
        self.dock = dock

        self.actions = QActionGroup(self)
        self.actions.setExclusive(True)
        simulate = find_menu(window, "Simulate")
        policy_menu = QMenu("Polic&y", window)
        policy_menu.setObjectName("policyMenu")
        for name, label in POLICIES.items():
            action = QAction(f"Policy: {label}", window)
            action.setObjectName(f"policy{name.capitalize()}Action")
            action.setCheckable(True)
            action.setChecked(name == self.host.policy)
            action.setData(name)
            action.setToolTip(f"Run the session under the {name} policy (a new session)")
            self.actions.addAction(action)
            policy_menu.addAction(action)
        self.actions.triggered.connect(self._on_action)
        self.compare_action = QAction("Co&mpare policies…", window)
        self.compare_action.setObjectName("compareAction")
        self.compare_action.setShortcut(QKeySequence("Ctrl+K"))
        self.compare_action.setToolTip(
            "Run dotnet and mobile side by side on the same events and time"
        )
        self.compare_action.triggered.connect(self.open_compare)
        window.addAction(self.compare_action)
        if simulate is not None:
            simulate.addSeparator()
            simulate.addMenu(policy_menu)
            simulate.addAction(self.compare_action)
        self.compare: CompareView | None = None
        self.collector = CollectorFeature(window)
        if simulate is not None:
            simulate.addAction(self.collector.action)
        window.installEventFilter(self)
        view = find_menu(window, "View")
        if view is not None:
            view.insertAction(
                view.actions()[0] if view.actions() else None, dock.toggleViewAction()
            )

        self.selector.chosen.connect(self.set_policy)
        self.panel.pauseToggled.connect(self._on_pause)
        self.panel.newSessionRequested.connect(self._on_new_session)
        self.panel.compareRequested.connect(self.open_compare)
        # Connected after the window's own slots, so these run after its refreshes.
        self.host.notified.connect(self._on_note)
        self.host.timeChanged.connect(self._on_time)
        self.host.sessionReplaced.connect(self._on_replaced)
        self._on_replaced()

    # ------------------------------------------------------------ switching

    @Slot(str)
    def set_policy(self, name: str) -> bool:
        """Run the window's session under ``name``; False (with a message) if it failed."""
        if name not in POLICIES:
            raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICIES)}")
        host = self.host
        session = host.session
        if name == host.policy and session is not None and not session.closed:
            self._show_policy(name)
            return True
        end_run = getattr(host, "end_run", None)
        if callable(end_run):
            end_run()  # a scenario run in charge would restart with its own policy
        previous, host.policy = host.policy, name
        try:
            host.restart()
        except CannotOpen as error:
            host.policy = previous
            self._show_policy(previous)
            self.window.show_error("Cannot switch the policy", str(error))
            return False
        self._show_policy(name)
        settings = self.window.settings
        if settings is not None:
            settings.setValue(SETTINGS_KEY, name)
        self.window.show_message(f"policy {name}: a new ClientSession on the same file")
        return True

    def _show_policy(self, name: str) -> None:
        self.selector.show_policy(name)
        for action in self.actions.actions():
            action.setChecked(action.data() == name)

    @Slot(QAction)
    def _on_action(self, action: QAction) -> None:
        self.set_policy(str(action.data()))

    # ------------------------------------------------------------ the compare view

    @Slot()
    def open_compare(self) -> CompareView:
        """Show the compare view (made with the window's timeouts the first time)."""
        if self.compare is None:
            from .compare_view import CompareView

            host = self.host
            self.compare = CompareView(
                foreground_timeout=host.setting("foreground_timeout"),
                background_timeout=host.setting("background_timeout"),
                check_interval=host.setting("check_interval"),
                clock=self.compare_clock,
                speed=self.compare_speed,
                parent=self.window,
            )
            self.compare.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.compare.destroyed.connect(self._forget_compare)
        self.compare.show()
        self.compare.raise_()
        self.compare.activateWindow()
        return self.compare

    @Slot()
    def _forget_compare(self, *_: object) -> None:
        self.compare = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        """The window is closing: close the compare view, stop sending to the collector."""
        if self.compare is not None:
            self.compare.close()
        self.collector.shutdown()

    # ------------------------------------------------------------ mobile controls

    def _mobile_session(self) -> ClientSession | None:
        session = self.host.session
        if session is None or session.closed or session.policy.name != "mobile":
            return None
        return session

    @Slot(bool)
    def _on_pause(self, paused: bool) -> None:
        session = self._mobile_session()
        if session is None:
            return
        if paused:
            session.pause()
            self.window.show_message("session paused: it cannot expire until resumed")
        else:
            session.resume()
            self.window.show_message("session resumed")
        self._refresh(session)

    @Slot()
    def _on_new_session(self) -> None:
        session = self._mobile_session()
        if session is None:
            return
        session.start_new_session()
        self._requested = True
        self.window.show_message("a new session starts at the next event")
        self._refresh(session)

    # ------------------------------------------------------------ engine → views

    @Slot(object)
    def _on_note(self, note: Notification) -> None:
        if isinstance(note, SessionStarted):
            self._requested = False
        if isinstance(note, SessionStarted | EventTracked | BackgroundChanged):
            session = self.host.session
            if session is not None and not session.closed:
                self._refresh(session)

    @Slot(float)
    def _on_time(self, _now: float) -> None:
        session = self._mobile_session()
        if session is not None:
            self._override_state(session)

    @Slot()
    def _on_replaced(self, *_: object) -> None:
        self._requested = False
        session = self.host.session
        if session is None or session.closed:
            return
        self._show_policy(session.policy.name)
        checker = self.window.controls.checker
        mobile = session.policy.name == "mobile"
        checker.setEnabled(not mobile)
        checker.setToolTip(
            "No checker under the mobile policy: each event decides"
            if mobile
            else "Start or stop the expiry checker (C)"
        )
        self._refresh(session)

    def _refresh(self, session: ClientSession) -> None:
        self.panel.refresh(session)
        if session.policy.name == "mobile":
            self._override_state(session)

    def _override_state(self, session: ClientSession) -> None:
        """Under mobile the state panel's countdown and checker say what an event will do."""
        panel = self.window.state_panel
        text = mobile_forecast(session, self._requested)
        if panel.countdown_value.text() != text:
            panel.countdown_value.setText(text)
        if panel.checker.text() != NO_CHECKER:
            panel.checker.setText(NO_CHECKER)


def install(window: MainWindow) -> PolicyFeature:
    """Add policy selection (and the compare view and collector setting) to ``window``."""
    return PolicyFeature(window)
