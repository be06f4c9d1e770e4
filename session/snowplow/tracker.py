"""The client session inside the Snowplow Python tracker (``pip install 'snowsession[snowplow]'``).

``snowplow-tracker`` 1.x has no client sessions of its own. :class:`SessionTracker` is its
``Tracker`` with every event carrying the ``client_session`` entity of a
:class:`~session.ClientSession`, and the session learning of every event through its event id
(the first event of a session becomes its ``firstEventId``)::

    from snowplow_tracker import Emitter
    from snowplow_tracker.events import ScreenView
    from session import ClientSession
    from session.snowplow import SessionTracker

    session = ClientSession("session.xml", policy="mobile")
    tracker = SessionTracker("app", Emitter("collector.example.com"), session=session)
    tracker.track(ScreenView(name="home"))

:func:`attach` does the same to a tracker made elsewhere (``Snowplow.create_tracker``).
This module imports ``snowplow_tracker``; :mod:`session` itself never does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    from snowplow_tracker.events.event import Event
    from snowplow_tracker.events.self_describing import SelfDescribing
    from snowplow_tracker.payload import Payload
    from snowplow_tracker.self_describing_json import SelfDescribingJson
    from snowplow_tracker.tracker import Tracker
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "session.snowplow needs the Snowplow tracker: pip install 'snowsession[snowplow]'"
    ) from error

from ..context import SessionContext
from ..engine import ClientSession

__all__ = [
    "BACKGROUND_SCHEMA",
    "FOREGROUND_SCHEMA",
    "SessionTracker",
    "attach",
    "complete_payload",
    "event_payload",
    "track_lifecycle",
]

BACKGROUND_SCHEMA = "iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0"
FOREGROUND_SCHEMA = "iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0"


def complete_payload(tracker: Tracker, session: ClientSession, event: Event) -> Payload:
    """``Tracker.complete_payload`` with the session entity: the event id is made first, so
    the session counts the event under the id the collector receives."""
    event_id = Tracker.get_uuid()
    return event_payload(tracker, event, event_id, session.get_session_context(event_id))


def event_payload(tracker: Tracker, event: Event, event_id: str, entity: SessionContext) -> Payload:
    """The payload ``tracker`` would send for ``event``, under ``event_id`` and carrying
    ``entity``: for an event the session has already counted (``get_session_context(event_id)``
    returned ``entity``), e.g. to send it later or from another thread."""
    own = event.context
    event.context = [*own, SelfDescribingJson(entity.schema, dict(entity.data))]
    try:
        payload = event.build_payload(
            encode_base64=tracker.encode_base64,
            json_encoder=tracker.json_encoder,
            subject=tracker.subject,
        )
    finally:
        event.context = own  # the caller's event is left as it was given
    payload.add("eid", event_id)
    payload.add("dtm", Tracker.get_timestamp())
    payload.add_dict(tracker.standard_nv_pairs)
    return payload


def track_lifecycle(tracker: Tracker, session: ClientSession, background: bool) -> str | None:
    """Tell ``session`` the app went to the background (True) or foreground, as the mobile
    trackers do: track ``application_background {backgroundIndex}`` (or
    ``application_foreground {foregroundIndex}``) first, so the old state's timeout judges
    it, then switch. Nothing is tracked when the state does not change. Returns the event id.

    Under the ``dotnet`` policy (which has no such indexes) it only switches.
    """
    if session.background == background:
        return None
    event_id: str | None = None
    if session.policy.name == "mobile":
        if background:
            data = {"backgroundIndex": session.background_index + 1}
            schema = BACKGROUND_SCHEMA
        else:
            data = {"foregroundIndex": session.foreground_index + 1}
            schema = FOREGROUND_SCHEMA
        event_id = tracker.track(SelfDescribing(SelfDescribingJson(schema, data)))
    session.set_background(background)
    return event_id


class SessionTracker(Tracker):
    """A ``snowplow_tracker.Tracker`` whose every event carries ``session``'s entity.

    Parameters are those of ``Tracker``, plus ``session`` (keyword only).
    """

    def __init__(self, *args: Any, session: ClientSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session

    def complete_payload(self, event: Event) -> Payload:
        return complete_payload(self, self.session, event)

    def set_background(self, background: bool) -> str | None:
        """Switch the session to the background or foreground; see :func:`track_lifecycle`."""
        return track_lifecycle(self, self.session, background)


def attach(tracker: Tracker, session: ClientSession) -> Callable[[], None]:
    """Make an existing ``tracker`` attach ``session``'s entity to every event it tracks.

    Returns a function that detaches it again.
    """

    def complete(event: Event) -> Payload:
        return complete_payload(tracker, session, event)

    tracker.complete_payload = complete  # type: ignore[method-assign]

    def detach() -> None:
        if tracker.__dict__.get("complete_payload") is complete:
            del tracker.complete_payload

    return detach
