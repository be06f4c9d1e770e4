"""The frame every feature plugs into: docks, menus, the toolbar, the status bar, dialogs.

:class:`WindowFrame` is a ``QMainWindow`` with explicit extension points and nothing of
snowsession in it; :class:`~snowsession_gui.window.main_window.MainWindow` fills it. A feature asks
the frame (``add_dock``, ``add_menu_action``, ``add_menu``, ``add_toolbar_widget``,
``add_status_widget``, ``add_overlay``, ``fill_dock``; the main window adds
:class:`~snowsession_gui.window.offers.FeatureOffers`) and never looks for another widget's
parts.
"""

from __future__ import annotations

from functools import partial
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Slot
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QTabBar,
    QToolBar,
    QToolButton,
    QWidget,
)

from snowsession_gui.widgets.menus import MenuBar, Section

__all__ = ["DOCK_MIN_WIDTH", "Section", "WindowFrame"]

T = TypeVar("T", bound=QObject)
DOCK_MIN_WIDTH = 260
"""The narrowest a scrolling dock gets: it scrolls rather than squeezes its content."""
OVERLAY_MARGIN = (16, 56)
"""An overlay's distance from the sides and from the bottom of the central widget (clear of
a plot's time axis)."""

OVERFLOW_WIDTH = 18
"""The toolbar's overflow button is at least this wide, to be seen and hit."""


def chevron(color: QColor, size: int = 16) -> QIcon:
    """A "»" drawn in ``color``: the toolbar's overflow button."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(color, 2))
    for left in (3, 8):
        painter.drawPolyline([QPointF(left, 4), QPointF(left + 4, 8), QPointF(left, 12)])
    painter.end()
    return QIcon(pixmap)


class WindowFrame(QMainWindow):
    r"""A main window with a toolbar, menus in :class:`Section`\ s, docks and dialogs."""

    def __init__(self) -> None:
        super().__init__()
        self._dialogs: list[QWidget] = []
        self._features: dict[type, QObject] = {}
        self._transient: set[str] = set()
        self.toolbar = QToolBar("Time", self)
        self.toolbar.setObjectName("timeToolBar")
        self.toolbar.setMovable(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self._show_overflow_button()
        self.menu_bar = MenuBar(self)
        self.docks: dict[str, QDockWidget] = {}
        self._overlays: list[QWidget] = []

    def add_dock(
        self,
        name: str,
        title: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        *,
        beside: str | None = None,
        tab_of: str | None = None,
        scroll: bool = False,
        transient: bool = False,
    ) -> QDockWidget:
        """Add a dock (objectName ``name``) with its entry in View.

        ``beside`` puts it to the right of that dock, ``tab_of`` in a tab behind that one;
        ``scroll`` lets its content scroll
        rather than squeeze when the window is small; a ``transient`` dock is not part of the
        saved layout (it is hidden when the window starts and before its layout is saved).
        """
        content = widget
        if scroll:
            holder = QScrollArea()
            holder.setObjectName(f"{name}Scroll")
            holder.setWidgetResizable(True)
            holder.setFrameShape(QScrollArea.Shape.NoFrame)
            holder.setWidget(widget)
            holder.setMinimumWidth(DOCK_MIN_WIDTH)
            content = holder
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(content)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        if beside is not None:
            self.splitDockWidget(self.docks[beside], dock, Qt.Orientation.Horizontal)
        elif tab_of is not None:
            self.tabifyDockWidget(self.docks[tab_of], dock)
            self.docks[tab_of].raise_()
        else:
            self.addDockWidget(area, dock)
        self.docks[name] = dock
        if transient:
            self._transient.add(name)
        self.menu_bar.add(Section.VIEW_DOCKS, dock.toggleViewAction())
        return dock

    def fill_dock(self, name: str, widget: QWidget) -> None:
        """Put ``widget`` in the dock ``name`` (added with a stand-in, its content made when
        first needed), in its scroll area if it has one."""
        holder = self.docks[name].widget()
        if isinstance(holder, QScrollArea):
            holder.setWidget(widget)
        else:
            self.docks[name].setWidget(widget)

    def hide_stale_tab_bars(self) -> None:
        """Hide a tab bar Qt left over from an earlier grouping of tabbed docks (tabbing a
        third dock behind two can leave the two's bar shown, under the three's)."""
        groups = {
            frozenset(d.windowTitle() for d in (dock, *self.tabifiedDockWidgets(dock)))
            for dock in self.docks.values()
            if self.tabifiedDockWidgets(dock)
        }
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            tabs = frozenset(bar.tabText(i) for i in range(bar.count()))
            if bar.isVisible() and tabs not in groups:
                bar.hide()

    def add_menu_action(self, section: Section, action: QAction) -> QAction:
        """Put ``action`` in its menu section; its key works anywhere in the window."""
        if action not in self.actions():
            self.addAction(action)
        return self.menu_bar.add(section, action)

    def add_menu(self, section: Section, menu: QMenu) -> QMenu:
        return self.menu_bar.add_menu(section, menu)

    def add_toolbar_widget(self, widget: QWidget, caption: str | None = None) -> None:
        """Add ``widget`` (after a line, with ``caption`` before it) to the toolbar."""
        self.toolbar.addSeparator()
        if caption:  # one item: where the toolbar is too narrow, both go to its overflow menu
            label = QLabel(f" {caption} ")
            label.setBuddy(widget)
            pair = QWidget()
            pair.setObjectName(f"{widget.objectName()}Item")
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(0)
            row.addWidget(label)
            row.addWidget(widget)
            widget = pair
        self.toolbar.addWidget(widget)

    def _show_overflow_button(self) -> None:
        """The toolbar's overflow button drawn in the palette's text colour: Qt's own chevron
        is a dark grey that a dark palette hides."""
        button = self.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        if button is not None:
            button.setIcon(chevron(self.palette().color(QPalette.ColorRole.WindowText)))
            button.setToolTip("More of the toolbar")
            button.setMinimumWidth(OVERFLOW_WIDTH)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._show_overflow_button()
        super().changeEvent(event)

    def add_status_widget(self, widget: QWidget) -> None:
        """A lasting part of the status bar (left of the save file's path)."""
        self.statusBar().insertPermanentWidget(1, widget)  # after the message, before the path

    def add_overlay(self, widget: QWidget) -> None:
        """Lay ``widget`` over the central widget, centred near its bottom at its own size
        hint (no wider than the central widget); it stays on top of what the central widget
        adds later, and follows its size. Show and hide it as usual."""
        central = self.centralWidget()
        if central is None:
            raise RuntimeError("add_overlay needs the central widget in place")
        if not self._overlays:
            central.installEventFilter(self)
        widget.setParent(central)
        self._overlays.append(widget)
        self._place_overlays()

    def _place_overlays(self) -> None:
        central = self.centralWidget()
        if central is None:
            return
        side, bottom = OVERLAY_MARGIN
        for widget in self._overlays:
            width = min(widget.sizeHint().width(), max(0, central.width() - 2 * side))
            height = widget.heightForWidth(width) if widget.hasHeightForWidth() else -1
            if height <= 0:
                height = widget.sizeHint().height()
            x = (central.width() - width) // 2
            y = max(0, central.height() - bottom - height)
            widget.setGeometry(x, y, width, height)
            widget.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = (QEvent.Type.Resize, QEvent.Type.ChildAdded, QEvent.Type.LayoutRequest)
        if self._overlays and watched is self.centralWidget() and event.type() in kinds:
            self._place_overlays()
        return super().eventFilter(watched, event)

    def key_of(self, action_name: str) -> str:
        """The key of the menu action with objectName ``action_name``, as people read it
        (empty if it has none), so that text naming a key says the key in force."""
        action = self.menu_bar.action(action_name)
        if action is None:
            return ""
        return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)

    def add_feature(self, feature: T) -> T:
        """Keep ``feature`` (one of each kind), for :meth:`feature`."""
        self._features[type(feature)] = feature
        return feature

    def feature(self, kind: type[T]) -> T:
        """The feature of ``kind`` added to this window (KeyError if there is none)."""
        found = self._features[kind]
        assert isinstance(found, kind)
        return found

    def hide_transient_docks(self) -> None:
        for name in self._transient:
            self.docks[name].hide()

    # ------------------------------------------------------------ messages and dialogs

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 4000)

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, text: str) -> QMessageBox:
        """A window-modal message that does not block the caller (nor the tests)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("errorMessage")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.keep_dialog(box)
        self.show_message(text)
        box.open()
        return box

    def keep_dialog(self, dialog: QWidget) -> None:
        """Keep ``dialog`` (one that deletes itself on close) until it is gone; the window
        closes it when it closes."""
        self._dialogs.append(dialog)
        dialog.destroyed.connect(partial(self._forget_dialog, dialog))

    def _forget_dialog(self, dialog: QWidget, *_: object) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)

    @property
    def dialogs(self) -> list[QWidget]:
        """The dialogs open now."""
        return list(self._dialogs)

    def close_dialogs(self) -> None:
        for dialog in list(self._dialogs):
            dialog.close()
        self._dialogs.clear()
