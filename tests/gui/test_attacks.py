"""What an outsider might do to the window: odd paths, things that are not files, keys pressed
as fast as they come, a policy switched in the middle of a scenario."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from session import read_save_file
from session.scenario import example_scenarios
from snowsession_gui.host.session_host import CannotOpen

from .gui_helpers import policies, scenarios, settle


@pytest.mark.parametrize(
    "name",
    ["with spaces/session file.xml", "ünïcødé 😀/session.xml", "deep/a/b/c/d/session.xml"],
)
def test_odd_paths_work(make_window, tmp_path, name):
    path = tmp_path / name
    window = make_window(path)
    window.controls.fire_event()
    settle(window)
    assert read_save_file(path).saved.session_index == 1
    assert str(path) in window.path_label.text()


def test_a_name_as_long_as_the_system_allows_is_saved_or_the_window_says_why(
    make_window, tmp_path, qtbot
):
    path = tmp_path / ("s" * 240 + ".xml")
    window = make_window(path)
    window.show()
    settle(window)
    if read_save_file(path).saved is None:  # the engine could not write it: never in silence
        qtbot.waitUntil(window.storage_label.isVisible, timeout=3000)
        assert "File name too long" in window.storage_label.text()
        assert window.storage_problem == window.host.session.storage_problem.message


@pytest.mark.parametrize("where", ["/dev/null", "/proc/self/status"])
def test_things_that_are_not_save_files_are_refused_untouched(window, where):
    before = os.stat(where)
    assert not window.open_save_file(where)
    box = next(d for d in window.dialogs if d.isVisible())
    assert "Nothing was changed" in box.text() or "not a snowsession save file" in box.text()
    box.close()
    after = os.stat(where)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_a_fifo_is_refused_without_blocking(window, tmp_path):
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    assert not window.open_save_file(fifo)
    assert (
        "is a FIFO (named pipe), not a save file"
        in next(d for d in window.dialogs if d.isVisible()).text()
    )


def test_the_factory_refuses_a_device(tmp_path, qtbot):
    from snowsession_gui import create_main_window

    with pytest.raises(CannotOpen):
        create_main_window("/dev/null", speed=0)


def test_keys_as_fast_as_they_come(window, qtbot):
    window.activateWindow()
    target = window.timeline
    target.setFocus()
    keys = [Qt.Key.Key_Space] * 40 + [Qt.Key.Key_B, Qt.Key.Key_Space] * 20
    keys += [Qt.Key.Key_3, Qt.Key.Key_M, Qt.Key.Key_N, Qt.Key.Key_0, Qt.Key.Key_F] * 10
    for key in keys:
        qtbot.keyClick(target, key)
    QApplication.processEvents()
    session = window.host.session
    events = keys.count(Qt.Key.Key_Space)
    assert len(window.event_log.rows) == events
    assert window.host.sim.speed == 0 and not window.host.sim.running
    assert session.background is False  # an even number of B presses
    assert window.state_panel.index_value.text() == str(session.session_index)


def test_switching_the_policy_in_the_middle_of_a_scenario(window):
    home = window.host.home.path
    run = scenarios(window).play_file(example_scenarios()["restarts"])
    scenarios(window).next_step()
    assert policies(window).set_policy("mobile")
    assert window.host.scenario is None and run.session.closed
    assert window.host.session.policy.name == "mobile"
    assert window.host.session.save_path == home
    assert not scenarios(window).dock.isVisible()
    assert window.state_panel.checker.text().startswith("none under the mobile policy")


def test_opening_another_file_in_the_middle_of_a_recording_keeps_the_recording(window, tmp_path):
    scenarios(window).start_recording()
    window.controls.fire_event()
    assert window.open_save_file(tmp_path / "other.xml")
    assert scenarios(window).player.can_save_recording
    assert scenarios(window).save_recording(tmp_path / "kept.toml")
    assert 'do = "event"' in Path(tmp_path / "kept.toml").read_text(encoding="utf-8")
