"""``snowsession collect`` as a child process, the way people and CI run it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any


class CollectProcess:
    """A running ``snowsession collect``; :meth:`stop` sends a signal and waits."""

    def __init__(
        self, log: Path | None, *options: str, cwd: Path | None = None, **popen: Any
    ) -> None:
        argv = [sys.executable, "-m", "session.cli", "collect", "--port", "0", *options]
        argv += ["--log", str(log)] if log is not None else ["--no-log"]
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            **popen,
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline()
        found = re.search(r"collecting on (http://\S+)", self.first_line)
        if found is None:
            self.process.kill()
            _, err = self.process.communicate(timeout=30)
            raise AssertionError(f"collect did not start: {self.first_line!r} {err!r}")
        self.url = found.group(1)

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, self.first_line + out, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=30)
