"""Fixtures for the Snowplow tracker adapter's tests: a collector on loopback and an HTTP
session that never goes through a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from .helpers import Collector, loopback_http


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    yield server
    server.close()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with loopback_http() as session:
        yield session
