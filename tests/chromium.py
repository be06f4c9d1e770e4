"""Debian's headless Chromium, for the tests that need a real browser.

Without it such a test is skipped, except under CI, where it fails (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = (
    "--headless=new",
    "--no-sandbox",  # Chromium runs as root only with this
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""The flags every test's browser starts with: headless, and quiet on the network."""


def need(condition: bool, reason: str) -> None:
    """Skip the test with ``reason`` unless ``condition``; under CI, fail it."""
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}, and CI must have it (.ci/run installs it)")
        pytest.skip(reason)


def need_chromium() -> str:
    need(CHROMIUM is not None, "Chromium is not installed (apt-get install chromium)")
    assert CHROMIUM is not None
    return CHROMIUM
