"""The client session inside the Snowplow Python tracker (the ``snowplow`` extra: see
:func:`session.util.install.install_hint`).

``snowplow-tracker`` 1.x has no client sessions of its own. :class:`SessionTracker` is its
``Tracker`` with every event carrying the ``client_session`` entity of a
:class:`~session.ClientSession`, and the session learning of every event through its event id
(the first event of a session becomes its ``firstEventId``)::

    from snowplow_tracker import Emitter
    from snowplow_tracker.events import ScreenView
    from session import ClientSession
    from session.snowplow import SessionTracker

    with ClientSession("session.xml", policy="mobile") as session:
        tracker = SessionTracker("app", Emitter("http://localhost:9090"), session=session)
        tracker.track(ScreenView(id_="0e1f5d5a-9c4e-4d4e-8a52-2b7f0c6a3d11", name="home"))
        tracker.flush()

It extends the tracker only where the tracker is built to be extended: it is a subclass whose
``complete_payload`` hands the tracker's own payload builder a copy of the event with the
entity added to its ``context``, then gives the payload the event id the session counted. So
the tracker still decides everything else (encoding, subject, timestamps, namespace), the
caller's event is never changed, and the same event object may be tracked again, or from
several threads at once.

A tracker made elsewhere (``Snowplow.create_tracker``) cannot be given a session in place: a
plain ``Tracker`` has no hook that runs before its event id and contexts are fixed. Make a
:class:`SessionTracker` instead (``Snowplow.add_tracker`` registers it by its namespace).
This module imports ``snowplow_tracker``; :mod:`session` itself never does.
"""

from __future__ import annotations

import copy
from typing import Any

try:
    from snowplow_tracker.events.event import Event
    from snowplow_tracker.events.self_describing import SelfDescribing
    from snowplow_tracker.payload import Payload
    from snowplow_tracker.self_describing_json import SelfDescribingJson
    from snowplow_tracker.tracker import Tracker
except ImportError as error:  # pragma: no cover - depends on the environment
    from ..util.install import install_hint

    raise ImportError(
        f"session.snowplow needs the Snowplow tracker: {install_hint('snowplow')}"
    ) from error

from ..client import ClientSession
from ..context import SessionContext
from ..policy import Control

__all__ = ["BACKGROUND_SCHEMA", "FOREGROUND_SCHEMA", "SessionTracker", "event_payload"]

BACKGROUND_SCHEMA = "iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0"
FOREGROUND_SCHEMA = "iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0"


class SessionTracker(Tracker):
    """A ``snowplow_tracker.Tracker`` whose every event carries ``session``'s entity.

    Parameters are those of ``Tracker``, plus ``session`` and ``lifecycle_events`` (keyword
    only: see :meth:`set_background`). The event id is made
    first and the session counts the event under it, so the ``client_session`` entity (its
    ``firstEventId`` and ``eventIndex``) names the very event the collector receives. The event
    is counted before it is handed to the emitters: if an emitter raises, the error reaches
    the caller and the event stays counted, as it would in the mobile trackers.
    """

    def __init__(
        self,
        *args: Any,
        session: ClientSession,
        lifecycle_events: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.lifecycle_events = lifecycle_events
        self._switches = {False: 0, True: 0}  # counted here for a policy that does not count

    def complete_payload(self, event: Event) -> Payload:
        """The tracker's payload for ``event``, counted by the session and carrying its entity."""
        event_id = self.get_uuid()
        entity = self.session.get_session_context(event_id)
        return _identified(super().complete_payload(_carrying(event, entity)), event_id)

    def set_background(self, background: bool) -> str | None:
        """Tell the session the app went to the background (True) or foreground, as the mobile
        trackers do: track ``application_background {backgroundIndex}`` (or
        ``application_foreground {foregroundIndex}``) first, so the old state's timeout judges
        it, then switch. Nothing is tracked when the state does not change. Returns the event
        id, or None when none was tracked.

        By default (``lifecycle_events=None``) the events follow the policy: tracked under one
        that counts switches (``mobile``), not under ``dotnet``, whose tracker has none and
        only switches. ``lifecycle_events=True`` tracks them under every policy (the indexes
        are then counted by this tracker where the policy does not count them); ``False``
        never tracks them.
        """
        session = self.session
        if session.background == background:
            return None
        counted = Control.SWITCH_COUNTS in session.policy.controls
        send = counted if self.lifecycle_events is None else self.lifecycle_events
        event_id: str | None = None
        if send:
            if counted:
                index = session.background_index if background else session.foreground_index
            else:
                index = self._switches[background]
            name = "backgroundIndex" if background else "foregroundIndex"
            schema = BACKGROUND_SCHEMA if background else FOREGROUND_SCHEMA
            event = SelfDescribing(SelfDescribingJson(schema, {name: index + 1}))
            event_id = self.track(event)
        self._switches[background] += 1
        session.set_background(background)
        return event_id


def event_payload(tracker: Tracker, event: Event, event_id: str, entity: SessionContext) -> Payload:
    """The payload ``tracker`` would send for ``event``, under ``event_id`` and carrying
    ``entity``: for an event the session has already counted (``get_session_context(event_id)``
    returned ``entity``), e.g. to send it later or from another thread. Nothing is counted
    again, whatever kind of tracker ``tracker`` is."""
    return _identified(Tracker.complete_payload(tracker, _carrying(event, entity)), event_id)


def _carrying(event: Event, entity: SessionContext) -> Event:
    """A copy of ``event`` with ``entity`` added to its context. The tracker builds a payload
    by writing into the event's own, so the copy gets a payload of its own as well."""
    carrying = copy.copy(event)
    carrying.payload = Payload(event.payload.get())
    carrying.context = [*event.context, SelfDescribingJson(entity.schema, dict(entity.data))]
    return carrying


def _identified(payload: Payload, event_id: str) -> Payload:
    """``payload`` under ``event_id`` (``eid``: the event id field of the tracker protocol)."""
    payload.add("eid", event_id)
    return payload
