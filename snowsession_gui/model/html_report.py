"""A run as one self-contained HTML page, for QA sign-off and for stakeholders (no Qt here).

The page holds everything it shows: the timeline picture as a ``data:`` URI, its CSS inline,
no scripts, no fonts or links to fetch. Every string from outside (ids from a save file, a
scenario's text, a file name) is escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from importlib import metadata

from session import SETTING_NAMES, SessionStarted, Settings
from session.scenario.timeline import ExpectationResult
from session.scenario.timeline import text as value_text

from .exports import Row
from .reasons import why_started
from .settings_names import SETTING_WORDS
from .units import format_clock, format_seconds

__all__ = ["Expectation", "RunReport", "SessionRow", "app_version", "report_html", "session_rows"]


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One session of the run, as the report's table shows it."""

    index: int
    session_id: str
    previous_session_id: str | None
    user_id: str
    started_at: float
    reason: str
    why: str
    events: int
    background: bool
    """The app was in the background when the session began."""


@dataclass(frozen=True, slots=True)
class Expectation:
    """One value a scenario's ``expect`` step checked."""

    at: float
    line: int | None
    key: str
    expected: str
    actual: str
    passed: bool

    @classmethod
    def of(cls, result: ExpectationResult) -> Expectation:
        return cls(
            result.at,
            result.line,
            result.key,
            value_text(result.expected),
            value_text(result.actual),
            result.passed,
        )


@dataclass(frozen=True, slots=True)
class RunReport:
    """What the report says, as plain data."""

    title: str
    made_at: datetime
    save_file: str
    policy: str
    settings: Settings
    span: tuple[float, float]
    """The run's own simulated times, from its start to the last moment simulated (the
    picture shows a margin either side)."""
    sessions: Sequence[SessionRow]
    picture: bytes
    """The timeline as PNG."""
    version: str = field(default_factory=lambda: app_version())
    scenario: str | None = None
    """The scenario's name when one ran."""
    description: str = ""
    expectations: Sequence[Expectation] = ()
    steps_left: int = 0
    """Steps of the scenario not run yet (the report was made before its end)."""


def app_version() -> str:
    try:
        return metadata.version("snowsession-tools")
    except metadata.PackageNotFoundError:
        return "unknown"


def session_rows(starts: Iterable[SessionStarted], events: Iterable[Row]) -> list[SessionRow]:
    """One row per new session, in order, with the events tracked in it."""
    notes = list(starts)
    counts = [0] * len(notes)
    latest: dict[str, int] = {}
    pending = iter(sorted(range(len(notes)), key=lambda i: notes[i].at))
    upcoming = next(pending, None)
    for row in sorted(events, key=lambda r: r.at):
        while upcoming is not None and notes[upcoming].at <= row.at:
            latest[notes[upcoming].new.session_id] = upcoming
            upcoming = next(pending, None)
        where = latest.get(row.session_id)
        if where is not None:
            counts[where] += 1
    return [
        SessionRow(
            note.new.session_index,
            note.new.session_id,
            note.new.previous_session_id,
            note.new.user_id,
            note.at,
            note.reason.value,
            why_started(note),
            counts[i],
            note.background,
        )
        for i, note in enumerate(notes)
    ]


CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: %(foreground)s; background: %(background)s; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid %(muted)s55; }
.sub { color: %(muted)s; margin: 0 0 20px; }
.verdict { display: inline-block; padding: 3px 12px; border-radius: 12px; font-weight: 600;
  color: %(on_strong)s; }
.pass { background: %(passed)s; } .fail { background: %(problem)s; }
.ok { color: %(passed)s; font-weight: 600; } .bad { color: %(problem)s; font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dt { color: %(muted)s; } dd { margin: 0; overflow-wrap: anywhere; }
figure { margin: 0; } img { width: 100%%; height: auto; border: 1px solid %(muted)s55; }
table { border-collapse: collapse; width: 100%%; font-size: 13.5px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid %(muted)s33;
  vertical-align: top; }
th { background: %(muted)s14; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12.5px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
.why { color: %(muted)s; font-size: 12.5px; }
footer { margin-top: 36px; color: %(muted)s; font-size: 12.5px; }
@media print { main { padding: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _settings(report: RunReport) -> str:
    s = report.settings
    items = [
        ("Save file", f"<code>{_e(report.save_file)}</code>"),
        ("Policy", _e(report.policy)),
        *(
            (SETTING_WORDS[name].title, _e(format_seconds(getattr(s, name))))
            for name in SETTING_NAMES
        ),
        ("Users", ", ".join(sorted({f"<code>{_e(r.user_id)}</code>" for r in report.sessions}))),
        ("Made", _e(report.made_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip())),
        ("snowsession", _e(report.version)),
    ]
    if report.scenario is not None:
        items.insert(0, ("Scenario", _e(report.scenario)))
    rows = "".join(f"<dt>{name}</dt><dd>{value or '—'}</dd>" for name, value in items)
    return f'<h2>Settings</h2>\n<dl id="settings">{rows}</dl>'


def _sessions(report: RunReport) -> str:
    head = (
        "<tr><th>#</th><th>Session id</th><th>Previous id</th><th>Started at</th>"
        "<th>Reason</th><th>Events</th><th>Background</th></tr>"
    )
    body = "".join(
        f'<tr class="session"><td class="num">{r.index}</td><td><code>{_e(r.session_id)}</code>'
        f"</td><td><code>{_e(r.previous_session_id or '—')}</code></td>"
        f"<td>{_e(format_clock(r.started_at))}</td>"
        f'<td><strong>{_e(r.reason)}</strong><div class="why">{_e(r.why)}</div></td>'
        f'<td class="num">{r.events}</td><td>{"yes" if r.background else "no"}</td></tr>'
        for r in report.sessions
    )
    empty = '<tr><td colspan="7">No session started while the window watched.</td></tr>'
    return (
        f"<h2>Sessions ({len(report.sessions)})</h2>\n"
        f'<table id="sessions"><thead>{head}</thead><tbody>{body or empty}</tbody></table>'
    )


def _expectations(report: RunReport) -> str:
    if report.scenario is None:
        return ""
    checked = report.expectations
    failed = sum(1 for x in checked if not x.passed)
    if not checked:
        verdict = "<p>The scenario checked no expectations.</p>"
    else:
        kind, word = (
            ("fail", f"{failed} of {len(checked)} failed")
            if failed
            else (
                "pass",
                f"all {len(checked)} passed",
            )
        )
        verdict = f'<p><span class="verdict {kind}" id="verdict">{_e(word)}</span></p>'
    if report.steps_left:
        verdict += f"<p>{report.steps_left} step(s) had not run when this report was made.</p>"
    description = f"<p>{_e(report.description)}</p>" if report.description else ""
    rows = "".join(
        f'<tr class="expectation"><td>{_e(format_clock(x.at))}</td>'
        f"<td>{_e(x.line if x.line is not None else '—')}</td><td><code>{_e(x.key)}</code></td>"
        f"<td>{_e(x.expected)}</td><td>{_e(x.actual)}</td>"
        f'<td class="{"ok" if x.passed else "bad"}">{"✓ pass" if x.passed else "✗ fail"}</td></tr>'
        for x in checked
    )
    table = (
        '<table id="expectations"><thead><tr><th>At</th><th>Line</th><th>Value</th>'
        f"<th>Expected</th><th>Actual</th><th>Result</th></tr></thead><tbody>{rows}</tbody></table>"
        if checked
        else ""
    )
    return f"<h2>Expectations</h2>\n{description}{verdict}{table}"


def report_html(report: RunReport, colors: Mapping[str, str]) -> str:
    """The whole page; ``colors`` gives its colours by the palette's role names
    (``#rrggbb``: the window's light palette)."""
    roles = ("background", "foreground", "muted", "passed", "problem", "on_strong")
    css = CSS % {role: colors[role] for role in roles}
    picture = base64.b64encode(report.picture).decode("ascii")
    left, right = report.span
    span = f"simulated time {format_clock(max(0.0, left))} to {format_clock(max(0.0, right))}"
    what = f"{report.policy} policy · {span}"
    alt = f"The session index over {span}, read from the save file"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(report.title)} — snowsession report</title>
<style>{css}</style>
</head>
<body>
<main>
<h1>{_e(report.title)}</h1>
<p class="sub">{_e(what)}</p>
<figure><img id="timeline" alt="{_e(alt)}" src="data:image/png;base64,{picture}"></figure>
{_settings(report)}
{_sessions(report)}
{_expectations(report)}
<footer>Made by snowsession {_e(report.version)}. Times are simulated time since the run
began; ids are as written in the save file.</footer>
</main>
</body>
</html>
"""
