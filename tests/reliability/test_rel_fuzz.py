"""Fuzzing the reader: mutations of valid save files, by bytes and by structure.

``decode``, ``interpret`` and ``read_save_file`` only ever return a result (never raise) and
never hang: each example has a deadline, and a watchdog ends the run if one never returns.
Runs are reproducible (``derandomize``); ``SNOWSESSION_FUZZ_EXAMPLES`` sets the example count
of the slow variant (default 1500).
"""

from __future__ import annotations

import faulthandler
import os
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session import read_save_file
from session.storage import FileState, Report, looks_like_save_file
from session.storage.decode import DecodedFile, decode
from session.storage.fields import SavedSession, interpret

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = [p.read_bytes() for p in sorted(DATA.glob("dotnet-*.xml"))]
assert len(SAMPLES) >= 2


def d3p1_style(sample: bytes) -> bytes:
    """The same file as another .NET writer words it: indented, d3p1 prefixes, a declaration."""
    text = sample.decode()
    text = text.replace('i:type="a:', 'i:type="d3p1:').replace("xmlns:a=", "xmlns:d3p1=")
    text = text.replace("<KeyValueOfstringanyType>", "\n  <KeyValueOfstringanyType>")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text.encode() + b"\n"


SEEDS = [*SAMPLES, *(d3p1_style(s) for s in SAMPLES)]

DEFAULT = settings(
    max_examples=150,
    deadline=timedelta(milliseconds=500),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(DEFAULT, max_examples=int(os.environ.get("SNOWSESSION_FUZZ_EXAMPLES", "1500")))


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """A hang (not just a slow example) ends the run with every thread's traceback."""
    faulthandler.dump_traceback_later(600, exit=True, file=sys.__stderr__)
    yield
    faulthandler.cancel_dump_traceback_later()


# ------------------------------------------------------------------ byte mutations


@st.composite
def byte_mutations(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat", "set"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[at:]
        elif op == "repeat":
            size = draw(st.integers(1, 200))
            data[at:at] = data[at : at + size] * draw(st.integers(1, 50))
        elif op == "set" and data:
            data[at] = draw(st.sampled_from(b"<>&;\"'=:/\x00\xff\xfe?!-[] \n"))
    return bytes(data)


# ------------------------------------------------------------------ structural mutations

ENTRY = re.compile(rb"<KeyValueOfstringanyType>.*?</KeyValueOfstringanyType>", re.S)
TYPES = ["string", "int", "long", "boolean", "double", "dateTime", "guid", "anyType", "", "a:int"]
TEXTS = [
    "",
    " ",
    "7",
    "-1",
    "2147483648",
    "9" * 30,
    "1e400",
    "NaN",
    "true",
    "abc",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "<![CDATA[x]]>",
    "&undefined;",
    "\u00e9\u20ac",
    "\x00",
]
PREFIXES = [
    b'<?xml version="1.0" encoding="utf-8"?>',
    b'<?xml version="1.0" encoding="utf-16"?>',
    b'<?xml version="1.0" encoding="latin-1"?>',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"  \n",
    b"<!-- c -->",
    b"<?pi x?>",
    b"<!DOCTYPE x>",
    b'<?xml version="2.0"?>',
    b"",
]


@st.composite
def structural_mutations(draw: st.DrawFn) -> bytes:
    seed = draw(st.sampled_from(SEEDS))
    entries = ENTRY.findall(seed)
    first = ENTRY.search(seed)
    assert first is not None and entries
    head = seed[: first.start()]
    tail = seed[seed.rindex(entries[-1]) + len(entries[-1]) :]
    for _ in range(draw(st.integers(1, 5))):
        op = draw(
            st.sampled_from(
                [
                    "reorder",
                    "drop",
                    "duplicate",
                    "type",
                    "text",
                    "nil",
                    "prefix",
                    "key",
                    "unknown",
                    "namespace",
                    "nest",
                ]
            )
        )
        at = draw(st.integers(0, max(0, len(entries) - 1)))
        if op == "reorder":
            entries = draw(st.permutations(entries))
        elif op == "drop" and entries:
            del entries[at]
        elif op == "duplicate" and entries:
            entries.insert(draw(st.integers(0, len(entries))), entries[at])
        elif op == "type" and entries:
            kind = draw(st.sampled_from(TYPES)).encode()
            entries[at] = re.sub(rb'i:type="[^"]*"', b'i:type="a:' + kind + b'"', entries[at])
        elif op == "text" and entries:
            text = draw(st.sampled_from(TEXTS) | st.text(max_size=20)).encode("utf-8", "replace")
            entries[at] = re.sub(
                rb">([^<>]*)</Value>", b">" + text.replace(b"\\", b"") + b"</Value>", entries[at]
            )
        elif op == "nil" and entries:
            entries[at] = re.sub(
                rb"<Value[^>]*?(/>|>.*?</Value>)",
                draw(
                    st.sampled_from(
                        [b'<Value i:nil="true"/>', b"<Value/>", b'<Value i:nil="1">x</Value>']
                    )
                ),
                entries[at],
                flags=re.S,
            )
        elif op == "prefix":
            head = draw(st.sampled_from(PREFIXES)) + head
        elif op == "key" and entries:
            key = draw(st.sampled_from(["userId", "sessionIndex", "", "x" * 300, "&lt;"])).encode()
            entries[at] = re.sub(rb"<Key>[^<]*</Key>", b"<Key>" + key + b"</Key>", entries[at])
        elif op == "unknown":
            entries.insert(draw(st.integers(0, len(entries))), b"<Extra a='1'><b/></Extra>")
        elif op == "namespace":
            uri = draw(st.sampled_from([b"urn:x", b"", b"http://www.w3.org/2001/XMLSchema"]))
            head = re.sub(rb'xmlns="[^"]*"', b'xmlns="' + uri + b'"', head, count=1)
        elif op == "nest" and entries:
            entries[at] = entries[at].replace(b"</Key>", b"</Key><Key>k</Key>", 1)
    return head + b"".join(entries) + tail


# ------------------------------------------------------------------ the properties


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def reads_without_raising(folder: Path, data: bytes) -> None:
    decoded = decode(data)
    assert isinstance(decoded, DecodedFile)
    saved = interpret(decoded)
    assert isinstance(saved, SavedSession)
    path = folder / "session.xml"
    path.write_bytes(data)
    loaded = read_save_file(path)
    assert isinstance(loaded, Report)
    # The ways of reading agree, and a usable file has every field intact. A file that shows
    # no sign of being a save file is refused, never judged.
    if not looks_like_save_file(data):
        assert loaded.state == FileState.FOREIGN and loaded.problem
        assert not saved.usable
        return
    assert (loaded.state == FileState.DAMAGED) == (not saved.usable)
    if saved.usable:
        assert saved.user_id and saved.session_id and saved.session_index is not None
    else:
        assert loaded.problem


@DEFAULT
@given(byte_mutations())
def test_byte_mutations(folder: Path, data: bytes) -> None:
    reads_without_raising(folder, data)


@DEFAULT
@given(structural_mutations())
def test_structural_mutations(folder: Path, data: bytes) -> None:
    reads_without_raising(folder, data)


@DEFAULT
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(folder: Path, data: bytes) -> None:
    reads_without_raising(folder, data)


@pytest.mark.slow
@LONG
@given(byte_mutations() | structural_mutations())
def test_mutations_long(folder: Path, data: bytes) -> None:
    reads_without_raising(folder, data)
