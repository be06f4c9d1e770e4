"""``python -m snowsession_gui`` and the ``snowsession-gui`` command."""

from __future__ import annotations

import importlib.util
import sys

from session.util.install import install_hint

NEEDS = ("PySide6", "pyqtgraph", "platformdirs")
INSTALL = install_hint("gui")


def main() -> int:
    """Run the window; without the ``gui`` extra, say in one line how to get it."""
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"snowsession-gui: the window needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: {INSTALL}",
            file=sys.stderr,
        )
        return 1
    from .launcher import main as launch

    return launch()


if __name__ == "__main__":
    sys.exit(main())
