"""The window's menus, in named sections: a feature says which section its action belongs to,
and it lands there whoever added theirs first (no finding menus by title, no order to keep)."""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

__all__ = ["MenuBar", "Section", "close_keys", "make_action"]


class Section(enum.Enum):
    """Where an action goes: a menu, and a group in it (groups are kept apart by a line)."""

    FILE_OPEN = ("&File", 0)
    FILE_SCENARIO = ("&File", 1)
    FILE_MONITOR = ("&File", 2)
    FILE_EXPORT = ("&File", 3)
    FILE_QUIT = ("&File", 4)
    SIMULATE_EVENTS = ("&Simulate", 0)
    SIMULATE_TIME = ("&Simulate", 1)
    SIMULATE_SCENARIO = ("&Simulate", 2)
    SIMULATE_APP = ("&Simulate", 3)
    SIMULATE_POLICY = ("&Simulate", 4)
    VIEW_DOCKS = ("&View", 0)
    VIEW_TIMELINE = ("&View", 1)
    HELP = ("&Help", 0)

    @property
    def menu(self) -> str:
        return self.value[0]


def close_keys() -> list[QKeySequence]:
    """The keys that close a window of the app other than the main window: Esc, Ctrl+W and
    the system's own (Ctrl+F4 on some)."""
    keys = [QKeySequence("Esc"), QKeySequence("Ctrl+W")]
    keys += QKeySequence.keyBindings(QKeySequence.StandardKey.Close)
    unique: dict[str, QKeySequence] = {}
    for key in keys:  # one key bound twice would be ambiguous, and do nothing
        unique.setdefault(key.toString(), key)
    return list(unique.values())


def make_action(
    parent: QMainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
    name: str = "",
    tip: str | None = None,
) -> QAction:
    """An action whose key works wherever the focus is in ``parent``."""
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tip or text.replace("&", "").rstrip("…"))
    if name:
        action.setObjectName(name)
    action.triggered.connect(slot)
    parent.addAction(action)
    return action


class MenuBar:
    """The menu bar of ``window``, with every :class:`Section` in place from the start."""

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.menus: dict[str, QMenu] = {}
        self._ends: dict[Section, QAction] = {}
        self._named: dict[str, QAction] = {}
        bar = window.menuBar()
        for section in Section:
            menu = self.menus.get(section.menu)
            if menu is None:
                menu = self.menus[section.menu] = bar.addMenu(section.menu)
                menu.setSeparatorsCollapsible(True)
                menu.setObjectName(section.menu.replace("&", "").lower() + "Menu")
            self._ends[section] = menu.addSeparator()  # the end of the section

    def menu(self, section: Section) -> QMenu:
        return self.menus[section.menu]

    def add(self, section: Section, action: QAction) -> QAction:
        """Put ``action`` at the end of ``section`` (one with an objectName is kept by it,
        for :meth:`action`)."""
        self.menu(section).insertAction(self._ends[section], action)
        if action.objectName():
            self._named[action.objectName()] = action
        return action

    def action(self, name: str) -> QAction | None:
        """The action added with objectName ``name``, if one was."""
        return self._named.get(name)

    def add_menu(self, section: Section, menu: QMenu) -> QMenu:
        """Put the submenu ``menu`` at the end of ``section``."""
        self.menu(section).insertMenu(self._ends[section], menu)
        return menu

    def actions(self, section: Section) -> list[QAction]:
        """The actions of ``section``, in order."""
        menu = self.menu(section)
        items = menu.actions()
        ends = [self._ends[s] for s in Section if s.menu == section.menu]
        start = 0
        for end in ends:
            stop = items.index(end)
            if end is self._ends[section]:
                return items[start:stop]
            start = stop + 1
        return []

    def keys(self) -> list[tuple[str, str]]:
        """``(key, what it does)`` for every action with a key, in menu order."""
        found: list[tuple[str, str]] = []
        for menu in self.menus.values():
            for action in _walk(menu):
                key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if key:
                    found.append((key, action.text().replace("&", "").rstrip("…")))
        return found


def _walk(menu: QMenu) -> list[QAction]:
    actions: list[QAction] = []
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            actions += _walk(sub)
        elif not action.isSeparator():
            actions.append(action)
    return actions
