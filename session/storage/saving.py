"""The engine's side of saving: write-behind to the save file, and problems reported once."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from ..events import Notification, StorageProblem, StorageRecovered
from .file import Loaded, SaveFile
from .writer import WriteBehind

__all__ = ["Persistence"]


class Persistence:
    """One session's save file: locked, loaded once, written behind, problems reported.

    ``problem`` is the last storage problem, until a write works again; ``dirty`` says the
    file does not hold the latest state (a write failed), so the engine should save again.
    Results of writes arrive on the writer thread, without the engine's lock.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        wall_time: Callable[[], float],
        logger: logging.Logger,
        notify: Callable[[Notification], None],
    ) -> None:
        self.store = SaveFile(path, wall_time=wall_time)
        self._logger = logger
        self._notify = notify
        self._writer = WriteBehind(
            self.store.write, self._on_write, name=f"session-writer {self.store.path.name}"
        )
        self.problem: str | None = None
        self.dirty = False

    @property
    def path(self) -> os.PathLike[str]:
        return self.store.path

    def lock(self) -> None:
        """Take the file's lock; raises ``SaveFileBusyError`` if another session holds it."""
        problem = self.store.lock()
        if problem:
            self._logger.warning("%s; running without a lock", problem)

    def load(self) -> Loaded:
        loaded = self.store.load()
        if loaded.problem:
            self.report(loaded.problem, None)
            if loaded.saved is None or loaded.saved.user_id is None:
                self._logger.warning("no intact user id in %s: starting a new user", self.path)
        return loaded

    def save(self, data: bytes) -> None:
        """Queue ``data`` as the file's next content (callers keep submissions in order)."""
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

    def report(self, message: str, error: BaseException | None, *, log: bool = True) -> None:
        self.problem = message
        if log:
            self._logger.warning("%s", message)
        self._notify(StorageProblem(self.store.path, message, error))

    def _on_write(self, error: BaseException | None) -> None:
        if error is not None:
            self.dirty = True
            detail = error.strerror if isinstance(error, OSError) and error.strerror else error
            message = (
                f"cannot save {self.path}: {detail}; the session goes on in memory "
                "and is saved again when possible"
            )
            self.report(message, error, log=message != self.problem)
            return
        self.dirty = False
        if self.store.moved_to is not None:
            self._logger.warning("the damaged save file was moved to %s", self.store.moved_to)
            self.store.moved_to = None
        if self.problem is not None:
            self.problem = None
            self._logger.info("saved %s again", self.path)
            self._notify(StorageRecovered(self.store.path))
