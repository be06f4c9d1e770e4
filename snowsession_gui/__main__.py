"""``python -m snowsession_gui``."""

import sys


def main() -> int:
    print("snowsession-gui: the window is not built yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
