"""Opening files that are not save files, files in use, and storage problems: clear messages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from session import ClientSession, read_save_file
from snowsession_gui import create_main_window
from snowsession_gui.host.session_host import CannotOpen


def shown_error(window) -> QMessageBox:
    boxes = [d for d in window.dialogs if isinstance(d, QMessageBox) and d.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(bytes(range(256)) * 8), "does not look like a save file"),
        (
            lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 500),
            "does not look like a save file",
        ),
        (lambda p: p.write_bytes(b"<a>" * 400_000), "byte limit"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: os.mkfifo(p), "is a FIFO"),
    ],
    ids=["binary", "png", "huge", "folder", "fifo"],
)
def test_opening_a_file_that_is_not_a_save_file_is_refused(window, tmp_path, make, expected):
    session = window.host.session
    bad = tmp_path / "bad.xml"
    make(bad)
    before = bad.read_bytes() if bad.is_file() else None
    assert not window.open_save_file(bad)
    box = shown_error(window)
    assert expected in box.text()
    assert window.host.session is session and not session.closed  # still running
    if before is not None:
        assert bad.read_bytes() == before  # never touched, never moved aside
    assert not list(tmp_path.glob("bad.xml.corrupt-*"))
    box.close()


def test_a_file_that_cannot_be_read_is_refused(window, tmp_path, monkeypatch):
    bad = tmp_path / "locked-away.xml"
    bad.write_text("")
    real = os.open

    def refused(path, *args, **kwargs):  # as a user without the right to read it would be
        if os.fspath(path) == os.fspath(bad):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    assert not window.open_save_file(bad)
    assert "Permission denied" in shown_error(window).text()
    shown_error(window).close()


def test_an_empty_save_file_is_opened_and_set_aside_as_everywhere(window, tmp_path):
    """An empty file is what a crash can leave of a save file: damaged, not foreign. The window
    opens it as the engine does anywhere: the empty file is kept aside, a new user starts."""
    empty = tmp_path / "empty.xml"
    empty.write_text("")
    assert window.open_save_file(empty)
    assert window.host.session.save_path == empty
    (aside,) = tmp_path.glob("empty.xml.corrupt-*")
    assert aside.read_bytes() == b""
    assert read_save_file(empty).saved is not None


def test_a_file_in_use_by_another_session_is_refused_clearly(window, tmp_path, clock):
    other = tmp_path / "busy.xml"
    holder = ClientSession(other, clock=clock)
    try:
        assert not window.open_save_file(other)
        text = shown_error(window).text()
        assert "in use by another program" in text and "monitor" in text
        shown_error(window).close()
    finally:
        holder.close()
    assert window.open_save_file(other)  # free now
    assert window.host.session.save_path == other


def test_the_factory_refuses_a_bad_file_with_a_message(tmp_path, qtbot):
    bad = tmp_path / "junk.xml"
    bad.write_bytes(b"\xff\xfe junk")
    with pytest.raises(CannotOpen, match="does not look like a save file"):
        create_main_window(bad, speed=0)


def test_a_damaged_save_file_with_its_user_id_intact_is_repaired(make_window, save_path):
    save_path.parent.mkdir(parents=True)
    good = Path(__file__).parents[1] / "data" / "dotnet-later-save.xml"
    save_path.write_bytes(good.read_bytes().replace(b"LOCAL_STORAGE</Value>", b"X</Value>"))
    window = make_window()
    assert window.host.session.user_id == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert window.host.session.session_index == 3


def test_a_storage_problem_shows_in_the_status_bar_and_clears(window, qtbot, clock):
    session = window.host.session
    folder = session.save_path.parent
    session.get_session_context("e")
    assert session.flush(5)
    shutil.rmtree(folder)
    folder.write_text("a file where the folder was")  # every write now fails
    clock.advance(615)  # a timeout: the new session cannot be saved
    qtbot.waitUntil(lambda: window.storage_label.isVisible(), timeout=3000)
    assert "cannot save" in window.storage_label.text()
    assert window.storage_problem == session.storage_problem.message
    assert session.session_index == 2  # tracking went on in memory
    folder.unlink()
    clock.advance(15)  # the next check saves again
    qtbot.waitUntil(lambda: not window.storage_label.isVisible(), timeout=3000)
    assert window.storage_problem is None
    assert session.flush(5)
    assert read_save_file(session.save_path).saved.session_index == 2


def test_unexpected_errors_never_reach_the_user_as_a_traceback(window, qtbot):
    from snowsession_gui.run import _excepthook

    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        _excepthook(RuntimeError, error, error.__traceback__)
    assert "unexpected error: boom" in window.statusBar().currentMessage()
