"""Timeouts per app and platform, and new sessions an app starts by design."""

from __future__ import annotations

from pathlib import Path

import pytest
from trackers.helpers import T0, entity, fields, kinds, received

from session.audit.rules import Rule, Rules, RulesError, load_rules
from session.trackers.analysis import Analysis
from session.trackers.protocol import decode_fields
from session.trackers.record import make_record

FILE = """
foreground_timeout = 1800
check_interval = 0

[platform.mob]
background_timeout = 300
foreground_timeout = 600

[app."kiosk"]
foreground_timeout = 60
new_sessions = ["start"]
"""


def test_an_apps_entry_wins_over_its_platforms_which_wins_over_the_defaults(
    tmp_path: Path,
) -> None:
    path = tmp_path / "timeouts.toml"
    path.write_text(FILE)
    rules = load_rules(path)
    assert rules.default == Rule(1800.0, None, 0.0, None)
    assert rules.platforms["mob"] == Rule(600.0, 300.0, None, None)
    assert rules.apps["kiosk"] == Rule(60.0, None, None, ("start",))
    given = Rules.of(foreground=900)
    merged = rules.merged(given)
    assert merged.default.foreground_timeout == 900 and merged.default.check_interval == 0
    assert merged.apps["kiosk"].foreground_timeout == 60


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("foreground_timeout = -5\n", "foreground_timeout must be more than 0"),
        ("foregroud_timeout = 5\n", "unknown setting 'foregroud_timeout'"),
        ('[app.x]\nnew_sessions = ["restart"]\n', "new_sessions must be a list of start"),
        ("[app]\nx = 5\n", "[app.NAME] tables are expected"),
        ("foreground_timeout = \n", "is not TOML"),
        ("background_timeout = true\n", "must be a number of seconds"),
    ],
)
def test_a_bad_timeouts_file_says_what_is_wrong(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "timeouts.toml"
    path.write_text(text)
    with pytest.raises(RulesError, match=None) as raised:
        load_rules(path)
    assert words in str(raised.value) and "\n" not in str(raised.value)


def test_what_is_not_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.toml")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (2 << 20))
    with pytest.raises(RulesError, match="not a timeouts file"):
        load_rules(big)


def _report(app: str, tracker: str, rules: Rules) -> list[str]:
    analysis = Analysis(rules)
    for at, number in ((0, 1), (30, 2)):  # a restart 30 s later: a new session
        item = {**fields(entity(number), T0 + at), "aid": app, "tv": tracker}
        analysis.add(make_record(decode_fields(item), received(item)))
    report = analysis.report()
    return kinds(report) + [str(s.expected) for s in report.users[0].sessions]


def test_a_restart_is_expected_where_the_app_starts_sessions_by_design(tmp_path: Path) -> None:
    path = tmp_path / "timeouts.toml"
    path.write_text(FILE)
    rules = load_rules(path)
    # The kiosk says so; the .NET tracker does so unless its app says otherwise.
    assert _report("kiosk", "andr-6.0.0", rules) == ["None", "start"]
    assert _report("till", "cs-1.3.1", rules) == ["None", "start"]
    # Elsewhere a new session 30 s after the last event is early.
    assert _report("shop", "andr-6.0.0", rules) == ["early_new_session", "None", "None"]
    path.write_text(FILE + "\n[app.till]\nnew_sessions = []\n")
    assert _report("till", "cs-1.3.1", load_rules(path)) == ["early_new_session", "None", "None"]
