"""Scenario files for property tests: every action, at times where a second matters."""

from __future__ import annotations

from hypothesis import strategies as st

from session.scenario.model import TIMEOUT_KEYS, Action

# Times about the timeouts and the check interval, where one second more or less matters;
# timeouts long enough that a run has tens of sessions, not thousands (each one is an fsync).
GAPS = (0, 0.25, 1, 2.5, 7, 14, 15, 16, 29.5, 60, 299, 300, 301)
EVERY = (0.1, 0.25, 1, 2.5, 7, 15, 30)
TIMEOUTS = (7, 30, 60, 600)


@st.composite
def scenario_texts(draw: st.DrawFn) -> str:
    """A scenario file: settings, then events one by one and in bursts among every action."""
    session = [
        f"foreground_timeout = {draw(st.sampled_from(TIMEOUTS))}",
        f"background_timeout = {draw(st.sampled_from((3, 20, 300)))}",
        f"check_interval = {draw(st.sampled_from((1, 2.5, 7, 15)))}",
        f"continue_session_on_restart = {draw(st.sampled_from(('true', 'false')))}",
    ]
    steps, at = [], 0.0
    for _ in range(draw(st.integers(1, 10))):
        at += draw(st.sampled_from(GAPS))
        action = draw(st.sampled_from([*(["events"] * 4), *Action]))
        if action == "events":
            every = draw(st.sampled_from(EVERY))
            until = at + every * draw(st.integers(0, 200))
            steps.append(f'at = {at}\nevery = {every}\nuntil = {until}\ndo = "event"')
        elif action is Action.SET:
            key = draw(st.sampled_from(TIMEOUT_KEYS))
            steps.append(f'at = {at}\ndo = "set"\n{key} = {draw(st.sampled_from(TIMEOUTS))}')
        elif action is Action.EXPECT:
            steps.append(f'at = {at}\ndo = "expect"\nsession_index = {draw(st.integers(1, 4))}')
        else:
            steps.append(f'at = {at}\ndo = "{action}"')
    return "[session]\n" + "\n".join(session) + "\n" + "".join(f"[[step]]\n{s}\n" for s in steps)
