"""``python -m session.cli``: the ``snowsession`` command."""

import sys

from .commands import main

sys.exit(main())
