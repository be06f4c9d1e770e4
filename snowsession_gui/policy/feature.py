"""Policy selection in the main window: the selector, Simulate > Policy, the Policy dock with
the mobile session's controls, and the compare view.

Switching policy closes the session (the engine holds an OS lock on the file) and opens a new
``ClientSession`` with the other policy on the same file, with the same timeouts. What the
policy means for the state panel (no checker, what the next event will do) the state panel
says itself, from the host's snapshots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from session import POLICY_NAMES, VirtualClock
from snowsession_gui.host.session_host import CannotOpen
from snowsession_gui.model.settings_names import POLICY_KEY
from snowsession_gui.model.snapshot import SessionSnapshot
from snowsession_gui.widgets.menus import Section
from snowsession_gui.window.main_window import MainWindow

from .panel import PolicyPanel, PolicySelector, policy_label

if TYPE_CHECKING:
    from .compare_view import CompareView

__all__ = ["PolicyFeature"]


class PolicyFeature(QObject):
    """Owns the policy selector, the ``policyDock`` and the compare view."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("policyFeature")
        self.window = window
        self.host = window.host
        self.compare_clock: VirtualClock | None = None
        """The compare view's clock (None: a new one); tests set a paused one."""
        self.compare_speed = 60.0
        self.compare: CompareView | None = None

        self.selector = PolicySelector()
        self.selector.show_policy(self.host.policy)
        window.add_toolbar_widget(self.selector, "Policy")

        self.panel = PolicyPanel()
        self.dock = window.add_dock(
            "policyDock",
            "Policy",
            self.panel,
            Qt.DockWidgetArea.BottomDockWidgetArea,
            tab_of="contextDock",
            scroll=True,
        )
        self._own_controls = False

        self.actions = QActionGroup(self)
        self.actions.setExclusive(True)
        menu = QMenu("Polic&y", window)
        menu.setObjectName("policyMenu")
        for name in POLICY_NAMES:
            action = QAction(f"Policy: {policy_label(name)}", window)
            action.setObjectName(f"policy{name.capitalize()}Action")
            action.setCheckable(True)
            action.setChecked(name == self.host.policy)
            action.setData(name)
            action.setToolTip(f"Run the session under the {name} policy (a new session)")
            self.actions.addAction(action)
            menu.addAction(action)
        self.actions.triggered.connect(self._on_action)
        window.add_menu(Section.SIMULATE_POLICY, menu)
        self.compare_action = QAction("Co&mpare policies…", window)
        self.compare_action.setObjectName("compareAction")
        self.compare_action.setShortcut(QKeySequence("Ctrl+K"))
        self.compare_action.setToolTip(
            "Run dotnet and mobile side by side on the same events and time"
        )
        self.compare_action.triggered.connect(self.open_compare)
        window.add_menu_action(Section.SIMULATE_POLICY, self.compare_action)

        self.selector.chosen.connect(self.set_policy)
        self.panel.pauseToggled.connect(self._on_pause)
        self.panel.newSessionRequested.connect(self._on_new_session)
        self.panel.compareRequested.connect(self.open_compare)
        self.host.stateChanged.connect(self.show_state)
        self.host.stateChanged.connect(self.panel.show_state)
        self.host.settingsChanged.connect(self._on_settings)
        window.closing.connect(self.shutdown)
        if self.host.snapshot is not None:
            self.show_state(self.host.snapshot)
            self.panel.show_state(self.host.snapshot)

    # ------------------------------------------------------------ switching

    @Slot(str)
    def set_policy(self, name: str) -> bool:
        """Run the window's session under ``name``; False (with a message) if it failed."""
        if name not in POLICY_NAMES:
            raise ValueError(f"unknown policy {name!r}; choose one of {', '.join(POLICY_NAMES)}")
        snapshot = self.host.snapshot
        in_force = snapshot is not None and snapshot.open and self.host.scenario is None
        if in_force and name == self.host.policy:
            self._show_policy(name)
            return True
        try:
            self.host.set_policy(name)
        except CannotOpen as error:
            self._show_policy(self.host.policy)
            self.window.show_error("Cannot switch the policy", str(error))
            return False
        settings = self.window.settings
        if settings is not None:
            settings.setValue(POLICY_KEY, name)
        self.window.show_message(f"policy {name}: a new ClientSession on the same file")
        return True

    @Slot(object)
    def show_state(self, snapshot: SessionSnapshot) -> None:
        self._show_policy(snapshot.policy)
        own = snapshot.foreground_index is not None
        if own and not self._own_controls:
            self.dock.raise_()  # a policy with controls of its own: show them
        self._own_controls = own

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
            from .compare_view import CompareView  # its plots, made when first asked for

            self.compare = CompareView(
                settings=self.host.home.settings,
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

    @Slot(object)
    def _on_settings(self, _note: object) -> None:
        """A timeout changed (the window's own, or a scenario's): the compare view offers the
        window's own."""
        if self.compare is not None:
            self.compare.set_window_settings(self.host.home.settings)

    @Slot()
    def _forget_compare(self, *_: object) -> None:
        self.compare = None

    @Slot()
    def shutdown(self) -> None:
        """The window is closing: close the compare view."""
        if self.compare is not None:
            self.compare.close()

    # ------------------------------------------------------------ mobile controls

    # A refused request is said by the window's controls, from the host's ``refused``.

    @Slot(bool)
    def _on_pause(self, paused: bool) -> None:
        if self.host.set_paused(paused):
            self.window.show_message(
                "session paused: it cannot expire until resumed" if paused else "session resumed"
            )

    @Slot()
    def _on_new_session(self) -> None:
        if self.host.request_new_session():
            self.window.show_message("a new session starts at the next event")
