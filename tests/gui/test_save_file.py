"""The save file itself: its XML as on disk, and what each save changed, when and why, kept
for the whole run (a scenario's Stop and a restart included)."""

from __future__ import annotations

from pathlib import Path

from session.scenario import example_scenarios
from session.storage.format import encode
from session.storage.report import FileState, read_report
from snowsession_gui.model.save_history import SaveHistory, pretty_xml
from snowsession_gui.save_file.feature import SaveFileFeature

from .gui_helpers import scenarios, settle

USER = "0f8fad5b-d9cb-469f-a165-70867728950e"


def save(path: Path, index: int, session: str) -> None:
    path.write_bytes(
        encode(
            [
                ("userId", USER),
                ("sessionId", session),
                ("previousSessionId", None),
                ("sessionIndex", index),
                ("storageMechanism", "LOCAL_STORAGE"),
            ]
        )
    )


def test_the_xml_is_indented_without_being_parsed_or_changed(tmp_path):
    path = tmp_path / "s.xml"
    save(path, 7, "4095a087-0000-4000-8000-000000000001")
    data = path.read_bytes()
    text = pretty_xml(data)
    assert text.count("\n") > data.count(b"\n") + 5  # one tag a line
    assert "".join(line.strip() for line in text.splitlines()) == data.decode().replace("\n", "")
    assert any(line.startswith("  ") for line in text.splitlines())
    # hostile or damaged bytes are shown, never a crash
    assert pretty_xml(b"\xff\xfe<\x00a\x00>\x00") == "<a>"
    assert pretty_xml(b"<a><b>unclosed") == "<a>\n  <b>\n    unclosed"
    assert pretty_xml(b"\x00\x01 not xml") == "\x00\x01 not xml"
    assert pretty_xml(b"<a x='1'><<b>") == "<a x='1'>\n  <<b>"  # every byte kept


def test_each_save_says_what_changed_old_to_new_and_a_rewrite_with_nothing_new_is_not_a_row(
    tmp_path,
):
    path = tmp_path / "s.xml"
    history = SaveHistory()
    assert history.add(0.0, read_report(path)).what == "first look: no file yet"
    save(path, 1, "4095a087-0000-4000-8000-000000000001")
    history.add(1.0, read_report(path))
    assert history.add(2.0, read_report(path)) is None  # nothing changed
    save(path, 2, "5550496a-0000-4000-8000-000000000002")
    entry = history.add(3.0, read_report(path))
    assert entry is not None and entry.at == 3.0 and entry.what == "new session"
    assert entry.changed_text() == "index 1 → 2 · session 4095a087 → 5550496a"
    path.write_bytes(b"<garbage")
    damaged = history.add(4.0, read_report(path))
    assert damaged is not None and damaged.state is FileState.FOREIGN
    assert damaged.what.startswith("foreign: ") and damaged.xml == "<garbage"  # every byte kept
    save(path, 5, "6660496a-0000-4000-8000-000000000005")
    assert history.add(5.0, read_report(path)).what == "sound again"


def view(window):
    return window.feature(SaveFileFeature).view


def test_the_window_shows_each_save_when_and_why_and_the_file_as_it_was(window):
    window.controls.fire_event()
    window.host.sim.skip(700)  # past the 600 s timeout and a check
    settle(window)
    save_view = view(window)
    entries = save_view.history.entries
    assert entries[0].at == 0.0
    last = entries[-1]
    assert last.what.startswith("new session: timeout: 600 s (foreground)")
    assert "index 1 → 2" in last.changed_text()
    assert last.at == window.host.snapshot.state.started_at
    on_disk = pretty_xml(window.host.save_path.read_bytes())
    assert save_view.xml.toPlainText() == on_disk
    assert "<Value>2</Value>" in on_disk.replace(" ", "") or ">2<" in on_disk
    model = save_view.model
    assert model.data(model.index(len(entries) - 1, 0)) == "00:10:00"
    first_index = next(i for i, e in enumerate(entries) if "index" in e.changed_text())
    save_view.table.selectRow(first_index)  # the file as it was then
    assert save_view.xml.toPlainText() == entries[first_index].xml
    assert save_view.xml.toPlainText() != on_disk
    assert save_view.caption.text().startswith("As saved at ")
    size = window.host.save_path.stat().st_size
    assert f"{size:,} bytes, one line" in save_view.header.text()
    assert "a .NET app reads it" in save_view.header.text()


def test_the_saves_are_kept_across_a_scenario_and_a_restart(window):
    window.controls.fire_event()
    settle(window)
    before = list(view(window).history.entries)
    assert before
    run = scenarios(window).play_file(example_scenarios()["restarts"])
    while not run.done:
        scenarios(window).next_step()
    assert view(window).history.entries != before  # the scenario's own file
    scenarios(window).stop()
    settle(window)
    assert view(window).history.entries[: len(before)] == before
    window.restart()
    settle(window)
    after = view(window).history.entries
    assert after[: len(before)] == before and len(after) > len(before)
    assert "index 1 → 2" in after[-1].changed_text()
