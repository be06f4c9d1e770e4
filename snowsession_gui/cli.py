"""The ``snowsession`` command line."""

import sys


def main() -> int:
    print("snowsession: no commands yet", file=sys.stderr)
    return 2
