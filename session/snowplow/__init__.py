"""The client session inside the Snowplow Python tracker (the ``snowplow`` extra: see
:func:`session.util.install.install_hint`).

See :mod:`session.snowplow.tracker`. This package imports ``snowplow_tracker``; the engine never
does.
"""

from __future__ import annotations

from .tracker import BACKGROUND_SCHEMA, FOREGROUND_SCHEMA, SessionTracker, event_payload

__all__ = ["BACKGROUND_SCHEMA", "FOREGROUND_SCHEMA", "SessionTracker", "event_payload"]
