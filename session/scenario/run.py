"""Run a scenario on simulated time, step by step or to the end, and keep what happened.

:class:`ScenarioRun` owns the :class:`~session.ClientSession` (a ``restart`` step closes it and
opens a new one on the same file) and records the timeline: every new session, every event
with its session, background switches, checker changes, settings, restarts, storage problems,
and each expectation with pass or fail. A window drives it with :meth:`ScenarioRun.advance_to`
at any speed; the command line calls :meth:`ScenarioRun.run`.
"""

from __future__ import annotations

import heapq
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..client import ClientSession
from ..events import (
    BackgroundChanged,
    CheckerChanged,
    Notification,
    Observer,
    Reason,
    SessionStarted,
    StorageProblem,
    StorageRecovered,
    only,
)
from ..policy import Policy, make_policy
from ..settings import check_seconds
from ..state import SessionState
from ..storage import read_save_file
from ..timing import VirtualClock
from .bulk import first_run, quiet_until, run_times, stable
from .model import EXPECT_KEYS, TIMEOUT_KEYS, Action, Scenario, Step, format_time
from .timeline import (
    Entry,
    EventEntry,
    ExpectationResult,
    Mark,
    RunRecord,
    SessionEntry,
    event_id,
    mark_for,
    why_new_session,
)

__all__ = ["ScenarioRun"]

# Everything but EventTracked: the run records its own events, and an observer that does not
# want them keeps the engine's event path lock-free (the week-long benchmark is 604,800 events).
_OBSERVED = (SessionStarted, CheckerChanged, BackgroundChanged, StorageProblem, StorageRecovered)


class ScenarioRun:
    """One run of a scenario on a save file, on simulated time.

    Parameters
    ----------
    scenario
        What to run (:func:`session.scenario.load_scenario`).
    save_path
        The save file; an existing one is used as an app would (a restart of that install).
    clock
        A :class:`VirtualClock` (a new one by default); time 0 of the scenario is its time now.
        Drive time through the run (:meth:`advance_to`), not by moving the clock.
    policy
        ``"dotnet"``, ``"mobile"``...; by default the scenario's, else ``"dotnet"``.
    observers
        Engine observers given to every ``ClientSession`` the run opens (restarts included).
    on_session
        Called with each ``ClientSession`` the run opens, right after it is made. With
        neither, the run alone hears its sessions, and counts the events that would change
        nothing but the last access in bulk (:mod:`session.scenario.bulk`), to the same end.
    on_record
        Called with each new :class:`SessionEntry`, :class:`Mark` and
        :class:`ExpectationResult` (not with events: read :attr:`events` after advancing).
        Storage marks come from the engine's writer thread.
    id_factory
        Makes user and session ids (random UUIDs by default).
    """

    def __init__(
        self,
        scenario: Scenario,
        save_path: str | os.PathLike[str],
        *,
        clock: VirtualClock | None = None,
        policy: str | None = None,
        observers: Iterable[Observer] = (),
        on_session: Callable[[ClientSession], None] | None = None,
        on_record: Callable[[SessionEntry | Mark | ExpectationResult], None] | None = None,
        id_factory: Callable[[], str] | None = None,
    ) -> None:
        self.scenario = scenario
        self.save_path = save_path
        self.policy = policy or scenario.policy or "dotnet"
        self.clock = clock if clock is not None else VirtualClock()
        self._origin = self._left_at = self.clock.now()
        self._observers = tuple(observers)
        self._listening = True
        self._on_session = on_session
        self._on_record = on_record
        self._alone = not self._observers and on_session is None
        self._id_factory = id_factory or (lambda: str(uuid.uuid4()))
        self.settings: dict[str, float] = scenario.starting_settings()
        self.record = RunRecord()
        """What happened so far (also read through the properties below)."""
        self.sessions = self.record.sessions
        self.marks = self.record.marks
        self.expectations = self.record.expectations
        self.performed: list[tuple[float, Action, dict[str, Any]]] = []
        """Every :meth:`perform` call with its time (what a person did, for recording)."""
        self._event_times = self.record.event_times
        self._event_sessions = self.record.event_sessions
        self._steps = scenario.steps
        self._queue: list[tuple[float, int, int]] = [
            (step.at, order, 0) for order, step in enumerate(self._steps)
        ]
        heapq.heapify(self._queue)
        self.session = self._open()

    # ------------------------------------------------------------------ where the run is

    @property
    def time(self) -> float:
        """Scenario seconds now."""
        return self.clock.now() - self._origin

    @property
    def next_step_at(self) -> float | None:
        """When the next step runs, or None when every step has run."""
        return self._queue[0][0] if self._queue else None

    @property
    def end(self) -> float:
        return self.scenario.end

    @property
    def done(self) -> bool:
        return not self._queue

    @property
    def events(self) -> Sequence[EventEntry]:
        return self.record.events

    def events_per_session(self) -> Counter[int]:
        """How many events each session (by number) has had."""
        return self.record.events_per_session()

    @property
    def failures(self) -> list[ExpectationResult]:
        return self.record.failures

    @property
    def passed(self) -> bool:
        return self.record.passed

    def timeline(self, *, fold_events: bool = False) -> Iterator[Entry]:
        """Everything so far in time order (see :meth:`RunRecord.entries`)."""
        return self.record.entries(fold_events=fold_events)

    # ------------------------------------------------------------------ driving

    def run(self) -> ScenarioRun:
        """Run every step, then close the session (the save file holds the final state); the
        session is closed if the run is stopped on the way, too (Ctrl-C, SIGTERM)."""
        try:
            self.advance_to(max(self.end, self.time))
        finally:
            self.finish()
        return self

    def advance(self, seconds: float) -> None:
        self.advance_to(self.time + seconds)

    def advance_to(self, target: float) -> None:
        """Move to scenario time ``target``, running the steps and engine timers due by then."""
        if target < self.time:
            raise ValueError(
                f"a run cannot go back in time, from {format_time(self.time)} "
                f"to {format_time(target)}"
            )
        if self.clock.now() != self._left_at:
            raise RuntimeError(
                "the run's clock was moved outside the run; move time with "
                "ScenarioRun.advance_to so that steps run at their times"
            )
        queue, steps = self._queue, self._steps
        try:
            while queue and queue[0][0] <= target:
                at, order, run = heapq.heappop(queue)
                step = steps[order]
                if step.action is Action.EVENT and step.every is not None:
                    run = self._event_burst(step, order, run, target)
                else:
                    self.clock.advance_to(self._origin + at)  # engine checks due then run first
                    self._do(step, step.action, dict(step.values))
                    run += 1
                if run < step.runs:
                    heapq.heappush(queue, (step.at + run * (step.every or 0.0), order, run))
            self.clock.advance_to(self._origin + target)
        finally:
            self._left_at = self.clock.now()

    def perform(self, action: Action | str, **values: Any) -> list[ExpectationResult]:
        """Do one action now, as a step would (for a window's controls and for recording).

        Returns the expectation results of an ``expect``, else an empty list.
        """
        action = Action(action)
        unknown = set(values) - set(_VALUE_KEYS.get(action, ()))
        if unknown:
            raise ValueError(f"{action.value} takes no {', '.join(sorted(unknown))}")
        before, at = len(self.expectations), self.time
        try:
            self._do(Step(at, action, values), action, dict(values))
        finally:
            self._left_at = self.clock.now()
        self.performed.append((at, action, dict(values)))  # only what was done is recorded
        return self.expectations[before:]

    def finish(self) -> None:
        """Close the session: its last state is written to the save file."""
        self._close_session()

    close = finish

    def __enter__(self) -> ScenarioRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    # ------------------------------------------------------------------ steps

    def _event_burst(self, step: Step, order: int, run: int, target: float) -> int:
        """Track a repeating event step's runs until another step is due: the hot path.

        When the run alone hears the engine and an event would change nothing but the last
        access (:mod:`.bulk`), the events before the next timer on the clock are one stretch:
        the engine is handed its last event, and the run records every one of them.
        """
        stop = first_run(step, run, step.runs, target)
        if self._queue:  # the next step: at its time, this one goes first if it comes first
            next_at, next_order = self._queue[0][:2]
            stop = first_run(step, run, stop, next_at, reaching=order > next_order)
        clock, origin, base = self.clock, self._origin, run
        times, numbers, sessions = self._event_times, self._event_sessions, self.sessions
        track, bulk, ats = self.session.get_session_context, self._bulk, run_times(step, run, stop)
        while run < stop:
            at = ats[run - base]
            clock.advance_to(origin + at)  # engine checks due by then run first
            until = quiet_until(self.session, clock) if bulk else None
            if until is not None:  # a stretch: the engine needs only its last event
                last = first_run(step, run + 1, stop, until, offset=origin, reaching=True) - 1
                if last > run:
                    clock.advance_to(origin + ats[last - base])
                    track(event_id(len(times) + last - run))
                    times.extend(ats[run - base : last + 1 - base])
                    numbers.extend([len(sessions)] * (last - run + 1))
                    run = last + 1
                    continue
            track(event_id(len(times)))
            times.append(at)
            numbers.append(len(sessions))  # an event may start a session (the mobile policy)
            run += 1
        return run

    def _do(self, step: Step, action: Action, values: dict[str, Any]) -> None:
        at = self.time
        session = self.session
        if action is Action.EVENT:
            session.get_session_context(event_id(len(self._event_times)))
            self._event_times.append(at)
            self._event_sessions.append(len(self.sessions))
        elif action is Action.BACKGROUND or action is Action.FOREGROUND:
            session.set_background(action is Action.BACKGROUND)
        elif action is Action.START_CHECKER:
            session.start_checker()
        elif action is Action.STOP_CHECKER:
            session.stop_checker()
        elif action is Action.SET:
            for key, value in values.items():
                check_seconds(key, value)  # all or nothing: a refused value changes nothing
            for key, value in values.items():
                setattr(session, key, value)
                self.settings[key] = value
            self._mark(at, "set", step.describe().removeprefix("set "))
        elif action is Action.RESTART:
            self._mark(at, "restart", "the app restarts: a new ClientSession on the same file")
            self._close_session()
            self.session = self._open()
        elif action is Action.EXPECT and step.policy in (None, self.policy):
            self._expect(step, at, values)

    def _expect(self, step: Step, at: float, values: dict[str, Any]) -> None:
        session = self.session
        actual = {
            "session_index": session.session_index,
            "background": session.background,
            "checking": session.is_checking,
        }
        for key, expected in values.items():
            self._add(ExpectationResult(at, step.line, key, expected, actual[key]))

    # ------------------------------------------------------------------ the engine

    def _open(self) -> ClientSession:
        saved = read_save_file(self.save_path).saved
        policy: str | Policy = self.policy
        if self.scenario.continue_session_on_restart:
            try:
                policy = make_policy(self.policy, continue_session_on_restart=True)
            except ValueError:
                if not self.sessions:
                    self._mark(
                        self.time,
                        "set",
                        f"continue_session_on_restart does not apply: "
                        f"the {self.policy} policy starts a new session at every start",
                    )
        session = ClientSession(
            self.save_path,
            self.settings["foreground_timeout"],
            self.settings["background_timeout"],
            self.settings["check_interval"],
            clock=self.clock,
            policy=policy,
            observers=(*self._observers, only(_OBSERVED, self._observe)),
            id_factory=self._id_factory,
        )
        self.session = session
        self._listening = True
        self._bulk = self._alone and stable(session.policy)  # events may count in bulk
        state = session.state
        if saved is not None and saved.session_id == state.session_id:
            self._add_session(
                state,
                Reason.RESUMED.value,
                self.time,
                "app start: the saved session goes on (not expired)",
            )
        else:
            self._add_session(state, Reason.START.value, self.time, "")
        if self._on_session:
            self._on_session(session)
        return session

    def _close_session(self) -> None:
        self._listening = False  # closing stops the checker: not a step of the scenario
        self.session.close()

    def _observe(self, note: Notification) -> None:
        if not self._listening:
            return
        if not isinstance(note, SessionStarted):
            mark = mark_for(note, self._origin, self.clock.now())
            if mark is not None:
                self._add(mark)
        elif note.reason not in (Reason.START, Reason.RESUMED):  # those are recorded by _open
            why = why_new_session(
                note,
                self._origin,
                had_events=self._event_sessions[-1:] == [len(self.sessions)],
            )
            self._add_session(note.new, note.reason.value, note.at - self._origin, why)

    def _add_session(self, state: SessionState, reason: str, at: float, why: str) -> None:
        number = len(self.sessions) + 1
        if not why:
            why = "app start: a new ClientSession"
            why += " on an existing save file" if state.previous_session_id else ""
        entry = SessionEntry(
            at,
            number,
            state.session_index,
            state.session_id,
            state.previous_session_id,
            state.user_id,
            reason,
            why,
        )
        self._add(entry)

    def _mark(self, at: float, kind: str, detail: str) -> None:
        self._add(Mark(at, kind, detail))

    def _add(self, item: SessionEntry | Mark | ExpectationResult) -> None:
        self.record.add(item)
        if self._on_record:
            self._on_record(item)


_VALUE_KEYS = {Action.SET: TIMEOUT_KEYS, Action.EXPECT: EXPECT_KEYS}
