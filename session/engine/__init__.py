"""The engine's works: the session's mechanics (:mod:`.core`), its one lock (:mod:`.lock`)
and the current session's mutable record (:mod:`.live`).

Nothing here is public: people use :class:`session.ClientSession` (``session/client.py``), the
facade, which hands each call to :class:`~session.engine.core.SessionCore`.
"""
