"""What the views show, computed without Qt: this room imports neither PySide6 nor pyqtgraph."""
