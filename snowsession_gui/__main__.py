"""``python -m snowsession_gui`` and the ``snowsession-gui`` command."""

import sys

from .launcher import main

if __name__ == "__main__":
    sys.exit(main())
