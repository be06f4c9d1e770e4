"""The PNG export's options: the picture's size (a preset or typed) and the title above it."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from snowsession_gui.timeline.picture import PRESETS, check_size
from snowsession_gui.widgets.palette import LIGHT, Colors, text_style

__all__ = ["CUSTOM", "TITLE_MAX", "PngDialog"]

CUSTOM = "Custom"
TITLE_MAX = 160
DEFAULT_PRESET = (1600, 900)


def _label(size: tuple[int, int]) -> str:
    return f"{size[0]} x {size[1]}"


class PngDialog(QDialog):
    """Asks for the size and the title (objectName ``pngDialog``); a size that cannot be
    drawn is said beside the fields and OK waits for a good one."""

    def __init__(self, title: str, colors: Colors = LIGHT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pngDialog")
        self.setWindowTitle("Export the timeline as PNG")
        self.setMinimumWidth(440)
        self.preset = QComboBox()
        self.preset.setObjectName("pngPreset")
        self.preset.setAccessibleName("Picture size")
        for size in PRESETS:
            self.preset.addItem(_label(size), size)
        self.preset.addItem(CUSTOM, None)
        self.width_field = self._field("pngWidth", "Width in pixels")
        self.height_field = self._field("pngHeight", "Height in pixels")
        self.error = QLabel()
        self.error.setObjectName("pngSizeError")
        self.error.setStyleSheet(text_style(colors.problem))
        self.error.setWordWrap(True)
        self.title = QLineEdit(title)
        self.title.setObjectName("pngTitle")
        self.title.setAccessibleName("Title above the timeline")
        self.title.setToolTip("Written above the timeline; leave it empty for none")
        self.title.setMaxLength(TITLE_MAX)  # a few lines at the smallest size, never more
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        sizes = QHBoxLayout()
        sizes.addWidget(self.width_field)
        sizes.addWidget(QLabel("x"))
        sizes.addWidget(self.height_field)
        sizes.addStretch(1)
        form = QFormLayout(self)
        form.addRow("Size", self.preset)
        form.addRow("Pixels", sizes)
        form.addRow("", self.error)
        form.addRow("Title", self.title)
        form.addRow(self.buttons)

        self.preset.currentIndexChanged.connect(self._on_preset)
        self.width_field.textEdited.connect(self._on_typed)
        self.height_field.textEdited.connect(self._on_typed)
        self.preset.setCurrentIndex(PRESETS.index(DEFAULT_PRESET))
        self._on_preset(self.preset.currentIndex())

    @staticmethod
    def _field(name: str, accessible: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setAccessibleName(accessible)
        field.setMaximumWidth(80)
        return field

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        size = self.preset.itemData(index)
        if size is not None:
            self.width_field.setText(str(size[0]))
            self.height_field.setText(str(size[1]))
        self._check()

    @Slot(str)
    def _on_typed(self, _text: str) -> None:
        size = self.size_chosen()
        match = PRESETS.index(size) if size in PRESETS else len(PRESETS)
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(match)
        self.preset.blockSignals(False)
        self._check()

    def size_chosen(self) -> tuple[int, int] | None:
        """The size typed, or None when it is not two whole numbers."""
        try:
            return int(self.width_field.text().strip()), int(self.height_field.text().strip())
        except ValueError:
            return None

    def problem(self) -> str | None:
        """Why the size typed cannot be drawn (None: it can)."""
        size = self.size_chosen()
        if size is None:
            return "type the width and height as whole numbers of pixels"
        return check_size(*size)

    def _check(self) -> None:
        problem = self.problem()
        self.error.setText(problem or "")
        self.error.setVisible(problem is not None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def accept(self) -> None:
        if self.problem() is None:
            super().accept()
