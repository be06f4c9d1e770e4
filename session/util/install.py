"""How to install what a feature needs: one wording, shown wherever the code says it.

The distribution is ``snowsession-tools`` (``snowsession`` on PyPI is someone else's project),
and it is not published: it is installed from the snowsession folder, a checkout of this code.
"""

from __future__ import annotations

__all__ = ["DISTRIBUTION", "INSTALL", "install_hint"]

DISTRIBUTION = "snowsession-tools"
"""The distribution's name, as ``pip show`` and ``importlib.metadata`` know it."""

INSTALL = "pip install '.[{extra}]' in the snowsession folder ({distribution} is not on PyPI)"
"""The install command with an extra; :func:`install_hint` fills it in."""


def install_hint(extra: str) -> str:
    """The one wording of how to install the ``extra`` (``gui``, ``snowplow``)."""
    return INSTALL.format(extra=extra, distribution=DISTRIBUTION)
