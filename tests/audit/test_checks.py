"""The session-chain checks: every finding kind on a hand-made chain, and clean chains clean.

Each chain goes through the collector's live report, which runs the audit's one definition
on DuckDB (the command and the warehouse query run the same text)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trackers.helpers import (
    T0,
    USER,
    analyse,
    background,
    entity,
    fields,
    foreground,
    kinds,
    received,
    sid,
)

from session.audit.kinds import FINDING_KINDS
from session.audit.rules import Rules
from session.trackers.analysis import Analysis
from session.trackers.protocol import decode_fields
from session.trackers.record import make_record

TIMEOUTS = Rules.of(foreground=600, background=300, check_interval=15)


def chain(*steps: tuple[float, dict]) -> list[dict[str, str]]:
    return [fields(ent, T0 + at) for at, ent in steps]


def test_a_clean_chain_has_no_findings_and_every_session_in_order() -> None:
    report = analyse(
        chain(
            (0, entity(1, event_index=1)),
            (10, entity(1, event_index=2)),
            (700, entity(2, event_index=1)),
            (710, entity(2, event_index=2)),
            (1400, entity(3, event_index=1)),
        ),
        TIMEOUTS,
    )
    assert kinds(report) == []
    (user,) = report.users
    assert user.user_id == USER and user.events == 5
    assert [(s.index, s.session_id, s.events) for s in user.sessions] == [
        (1, sid(1), 2),
        (2, sid(2), 2),
        (3, sid(3), 1),
    ]
    assert [s.idle_before for s in user.sessions] == [None, 690, 690]
    assert [s.exceeded for s in user.sessions] == [None, "foreground", "foreground"]
    assert user.sessions[1].previous_session_id == sid(1)


def test_index_gap_a_restart_that_adds_two() -> None:
    report = analyse(chain((0, entity(1)), (700, entity(3, previous=1))))
    (finding,) = report.findings
    assert finding.kind == "index_gap" and finding.session_id == sid(3)
    assert finding.time == T0 + 700 and finding.session_index == 3
    assert "1 session(s) missing" in finding.message


def test_index_went_back() -> None:
    report = analyse(
        chain((0, entity(5)), (700, entity(6)), (1400, entity(7, index=4, previous=6)))
    )
    assert kinds(report) == ["index_went_back"]
    assert f"follows session 6 ({sid(6)}), its previousSessionId" in report.findings[0].message


def test_index_reused_after_a_restart_from_a_file_behind() -> None:
    # 1, 2, 3, then a restart reads a file that is behind and makes a new session 2.
    report = analyse(
        chain(
            (0, entity(1)),
            (700, entity(2)),
            (1400, entity(3)),
            (2100, entity(9, index=2, previous=1)),
        )
    )
    assert kinds(report) == ["index_reused"]
    assert sid(2) in report.findings[0].message and sid(9) in report.findings[0].message


def test_id_changed_without_index() -> None:
    report = analyse(chain((0, entity(1)), (700, entity(2, index=1, previous=None))))
    assert kinds(report) == ["id_changed_without_index"]


def test_broken_chain_previous_is_not_the_session_before() -> None:
    report = analyse(chain((0, entity(1)), (700, entity(2)), (1400, entity(3, previous=1))))
    assert kinds(report) == ["broken_chain"]
    assert report.findings[0].session_id == sid(3)


def test_broken_chain_when_the_index_rises_but_the_id_stays() -> None:
    report = analyse(chain((0, entity(1)), (700, entity(1, index=2, previous=None))))
    assert kinds(report) == ["broken_chain"]
    assert "did not change" in report.findings[0].message


def test_index_starts_at_zero() -> None:
    report = analyse(chain((0, entity(1, index=0))))
    assert kinds(report) == ["index_starts_at_zero"]


def test_first_event_id_reused() -> None:
    first = "f1257000-0000-4000-8000-000000000777"
    report = analyse(chain((0, entity(1, first=first)), (700, entity(2, first=first))))
    assert kinds(report) == ["first_event_id_reused"]


def test_first_event_id_changed_within_a_session() -> None:
    report = analyse(
        chain(
            (0, entity(1, event_index=1)),
            (5, entity(1, event_index=2, first="f1257000-0000-4000-8000-000000000999")),
        )
    )
    assert kinds(report) == ["first_event_id_changed"]


def test_first_event_id_changed_names_the_first_one_seen_whatever_the_hash_seed() -> None:
    # A session seen with firstEventIds A and B, then again with C after another session:
    # the message names A, in every process (a set's order would change with the seed).
    code = """
from tests.trackers.helpers import T0, analyse, entity, fields
a, b, c = (f"f1257000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))
report = analyse([
    fields(entity(1, first=a), T0), fields(entity(1, first=b), T0 + 1),
    fields(entity(2), T0 + 700), fields(entity(1, first=c), T0 + 1400),
])
print([f.message for f in report.findings if f.kind == "first_event_id_changed"][-1])
"""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=Path(__file__).parents[2],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(6)
    ]
    messages = {run.communicate(timeout=60)[0].strip() for run in runs}
    assert len(messages) == 1, messages
    assert messages.pop().endswith(
        "more than one firstEventId: f1257000-0000-4000-8000-000000000001 and "
        "f1257000-0000-4000-8000-000000000003"
    )


def test_event_index_repeated() -> None:
    report = analyse(
        chain(
            (0, entity(1, event_index=1)),
            (1, entity(1, event_index=2)),
            (2, entity(1, event_index=2)),
        )
    )
    assert kinds(report) == ["event_index_repeated"]
    assert "the eventIndex 2 is used by 2 events: it did not rise" in report.findings[0].message


def test_early_new_session_by_the_timeout_in_force() -> None:
    report = analyse(chain((0, entity(1)), (200, entity(2))), TIMEOUTS)
    (finding,) = report.findings
    assert finding.kind == "early_new_session"
    assert "after only 200 s idle" in finding.message
    assert "less than the foreground timeout (600 s)" in finding.message
    # Without the timeouts, nothing is judged.
    assert kinds(analyse(chain((0, entity(1)), (200, entity(2))))) == []


def test_missed_expiry_needs_more_than_the_timeout_plus_the_check_interval() -> None:
    on_time = analyse(chain((0, entity(1)), (615, entity(1))), TIMEOUTS)
    assert kinds(on_time) == []
    late = analyse(chain((0, entity(1)), (615.5, entity(1))), TIMEOUTS)
    assert kinds(late) == ["missed_expiry"]
    assert late.findings[0].time == T0 + 615.5


def test_the_background_timeout_is_in_force_after_a_background_event() -> None:
    # The background event itself is judged by the foreground timeout (it comes before the
    # flip); the idle time after it by the background timeout; the foreground event's own
    # gap by the background timeout too.
    events = [
        fields(entity(1), T0),
        background(entity(1), T0 + 500),  # 500 s < 600 s: fine
        foreground(entity(2), T0 + 850),  # 350 s > 300 s: a new session, as it should
        fields(entity(2), T0 + 1300),  # 450 s in the foreground: fine
    ]
    report = analyse(events, TIMEOUTS)
    assert kinds(report) == []
    assert [s.exceeded for s in report.users[0].sessions] == [None, "background"]
    kept = [fields(entity(1), T0), background(entity(1), T0 + 10), foreground(entity(1), T0 + 400)]
    assert kinds(analyse(kept, TIMEOUTS)) == ["missed_expiry"]
    early = [fields(entity(1), T0), background(entity(1), T0 + 10), foreground(entity(2), T0 + 200)]
    assert kinds(analyse(early, TIMEOUTS)) == ["early_new_session"]


def test_invalid_entity_is_a_finding_of_its_user_outside_the_chain() -> None:
    report = analyse(chain((0, entity(1)), (1, entity(1, sessionIndex=-3)), (2, entity(1))))
    assert kinds(report) == ["invalid_entity"]
    (user,) = report.users
    assert user.user_id == USER and len(user.sessions) == 1 and user.sessions[0].events == 2
    assert "sessionIndex" in report.findings[0].message


def test_cookies_cleared_mid_session_as_the_browser_tracker_does() -> None:
    # The tracker keeps its session id and index in memory, but previousSessionId becomes
    # null, eventIndex restarts and there is a new firstEventId.
    cleared = "f1257000-0000-4000-8000-000000000555"
    report = analyse(
        chain(
            (0, entity(1, event_index=1)),
            (700, entity(2, event_index=1)),
            (701, entity(2, event_index=2)),
            (702, entity(2, previous=None, event_index=1, first=cleared)),
            (703, entity(2, previous=None, event_index=2, first=cleared)),
        )
    )
    assert sorted(kinds(report)) == [
        "broken_chain",
        "event_index_repeated",
        "event_index_repeated",
        "first_event_id_changed",
    ]
    broken = next(f for f in report.findings if f.kind == "broken_chain")
    assert f"from {sid(1)} to null" in broken.message
    assert "cookies or storage cleared" in broken.message
    assert len(report.users[0].sessions) == 2


def test_every_kind_is_covered_by_a_test_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    for kind in FINDING_KINDS:
        assert f'"{kind}"' in source.replace("'", '"'), kind


def test_duplicates_are_dropped_and_counted_and_late_events_reordered() -> None:
    events = chain((0, entity(1, event_index=1)), (700, entity(2, event_index=1)))
    late = fields(entity(1, event_index=2), T0 + 5)
    analysis = Analysis(TIMEOUTS)
    for item in [events[0], events[1], events[1], late]:
        analysis.add(make_record(decode_fields(item), received(item) + 700))
    report = analysis.report()
    (user,) = report.users
    assert user.duplicates == 1 and user.events == 3
    assert [s.events for s in user.sessions] == [2, 1] and kinds(report) == []


def test_users_are_apart() -> None:
    other = "1f8fad5b-d9cb-469f-a165-70867728950e"
    report = analyse(chain((0, entity(1)), (1, entity(1, user=other)), (700, entity(2))))
    assert sorted(user.user_id for user in report.users) == sorted([USER, other])
    assert kinds(report) == []


@st.composite
def clean_chains(draw: st.DrawFn) -> list[dict[str, str]]:
    """A tracker that does everything right: sessions 1..n, gaps longer than the timeout
    between them, shorter within them, eventIndex from 1."""
    sessions = draw(st.integers(1, 6))
    at = 0.0
    out = []
    for number in range(1, sessions + 1):
        if number > 1:
            at += draw(st.floats(600.001, 90_000))
        for event_index in range(1, draw(st.integers(1, 5)) + 1):
            if event_index > 1:
                at += draw(st.floats(0, 615))
            out.append(fields(entity(number, event_index=event_index), T0 + at))
    return out


@settings(max_examples=60, deadline=None)
@given(clean_chains(), st.randoms())
def test_property_a_clean_chain_has_no_findings_in_any_arrival_order(
    events: list[dict[str, str]], rng: object
) -> None:
    assert kinds(analyse(events, TIMEOUTS)) == []
    shuffled = list(events)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    report = analyse(shuffled, TIMEOUTS)
    assert kinds(report) == []
    assert [s.index for s in report.users[0].sessions] == sorted(
        {s.index for s in report.users[0].sessions}
    )


@pytest.mark.parametrize("start", [1, 40])
def test_a_capture_that_starts_mid_chain_is_clean(start: int) -> None:
    report = analyse(chain((0, entity(start)), (700, entity(start + 1))), TIMEOUTS)
    assert kinds(report) == []
