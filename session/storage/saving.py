"""The engine's side of saving: the file opened once, states written now or behind, and each
problem reported once, as a notification and a log line."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from ..events import Notification, StorageProblem, StorageRecovered
from ..util.text import quote
from .errors import SaveFileWriteError
from .file import SaveFile, WriteRefused
from .report import FileState, Report
from .writer import WriteBehind

__all__ = ["Persistence"]


class Persistence:
    """One session's save file: locked, read and judged once, written now or behind.

    ``problem`` is the last storage problem, until a write works again; ``dirty`` says the
    file does not hold the latest state (a write failed or was refused), so the engine should
    save again. With ``strict``, a write made now that fails raises :class:`SaveFileWriteError`
    instead of going on in memory.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        wall_time: Callable[[], float],
        logger: logging.Logger,
        notify: Callable[[Notification], None],
        strict: bool = False,
    ) -> None:
        self.store = SaveFile(path, wall_time=wall_time)
        self._logger = logger
        self._notify = notify
        self._writer = WriteBehind(
            self.store.write, self._on_write, name=f"session-writer {self.store.path.name}"
        )
        self._results = threading.Lock()
        self._last_result = 0
        self.problem: StorageProblem | None = None
        self.dirty = False
        self.strict = strict

    @property
    def path(self) -> os.PathLike[str]:
        return self.store.path

    def open(self) -> Report:
        """Lock and read the file; raises ``SaveFileError`` if it cannot be used at all."""
        report = self.store.open()  # a lock problem is reported by the first save it refuses
        if report.state == FileState.DAMAGED and report.saved is not None:
            self.report(report.problem or f"{self.path} is damaged", None)
            if report.saved.user_id is None:
                self._logger.warning("no intact user id in %s: starting a new user", self.path)
        saved = report.saved
        if saved is not None and saved.user_id is not None and not saved.user_id_fits_schema:
            self._logger.warning(
                "the user id %s in %s is kept, as a .NET app keeps it, but the client_session "
                "schemas expect a lower-case UUID: a collector that validates them refuses its "
                "events",
                quote(saved.user_id),
                self.path,
            )
        return report

    def save_now(self, data: bytes, *, retry: bool = False) -> bool:
        """Write ``data`` durably before returning; False if it is not on disk (the problem is
        reported, and the engine saves again at its next chance). A strict file raises
        :class:`SaveFileWriteError` instead, unless this is a ``retry`` of a state in force."""
        error = self._writer.write_now(data)
        if error is None:
            return True
        if self.strict and not retry:
            problem = self.problem or StorageProblem(self.store.path, str(error), error)
            raise SaveFileWriteError(problem) from error
        return False

    def save_behind(self, data: bytes) -> None:
        """Queue ``data`` to be written on the writer thread (a refresh nobody acts on)."""
        self._writer.submit(data)

    @property
    def needs_retry(self) -> bool:
        """A write failed and nothing newer is on its way: worth saving again."""
        return self.dirty and self._writer.idle

    def flush(self, timeout: float | None = None) -> bool:
        return self._writer.flush(timeout)

    def close(self) -> None:
        """Write what is pending, then release the lock."""
        self._writer.close()
        self.store.unlock()

    def report(self, message: str, error: BaseException | None) -> None:
        """A storage problem: logged and notified once, until it changes or is solved."""
        if self.problem is not None and message == self.problem.message:
            return
        self.problem = StorageProblem(self.store.path, message, error)
        self._logger.warning("%s", message)
        self._notify(self.problem)

    def _on_write(self, number: int, error: BaseException | None) -> None:
        with self._results:
            if number < self._last_result:
                return  # a newer write has reported already
            self._last_result = number
            if error is not None:
                self.dirty = True
                if isinstance(error, WriteRefused):
                    message = f"{error.strerror}; the session goes on in memory"
                else:
                    detail = (
                        error.strerror if isinstance(error, OSError) and error.strerror else error
                    )
                    message = (
                        f"cannot save {self.path}: {detail}; the session goes on in memory "
                        "and is saved again when possible"
                    )
                self.report(message, error)
                return
            self.dirty = False
            if self.store.moved_to is not None:
                self._logger.warning("the damaged save file was kept as %s", self.store.moved_to)
                self.store.moved_to = None
            if self.problem is not None:
                self.problem = None
                self._logger.info("saved %s again", self.path)
                self._notify(StorageRecovered(self.store.path))
