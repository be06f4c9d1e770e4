"""The save file format: the .NET writer's exact bytes, and what a .NET reader accepts."""

from __future__ import annotations

import pytest
from conftest import DATA, FIRST, SECOND, USER

from session.storage.decode import decode
from session.storage.fields import interpret
from session.storage.format import encode

XSD = "http://www.w3.org/2001/XMLSchema"


def entries(session_id, previous, index):
    return [
        ("userId", USER),
        ("sessionId", session_id),
        ("previousSessionId", previous),
        ("sessionIndex", index),
        ("storageMechanism", "LOCAL_STORAGE"),
    ]


# ------------------------------------------------------------------ writer


def test_first_save_is_byte_for_byte_the_dotnet_sample():
    expected = (DATA / "dotnet-first-save.xml").read_bytes()
    assert encode(entries(FIRST, None, 1)) == expected
    assert len(expected) == 961


def test_later_save_is_byte_for_byte_the_dotnet_sample():
    expected = (DATA / "dotnet-later-save.xml").read_bytes()
    assert encode(entries(SECOND, FIRST, 2)) == expected
    assert len(expected) == 1052


def test_each_extra_index_digit_adds_one_byte():
    assert len(encode(entries(SECOND, FIRST, 12345))) == 1052 + 4


def test_text_escaping_follows_the_dotnet_writer():
    data = encode([("k", 'a&b<c>d"e\r\x01\tf\n')])
    assert b'>a&amp;b&lt;c&gt;d"e&#xD;&#x1;\tf\n</Value>' in data


def test_value_types():
    data = encode([("i", 7), ("l", 2**40), ("b", True), ("d", 1.5), ("n", None)]).decode()
    assert '<Value i:type="a:int" xmlns:a="http://www.w3.org/2001/XMLSchema">7</Value>' in data
    assert 'i:type="a:long" xmlns:a="http://www.w3.org/2001/XMLSchema">1099511627776<' in data
    assert 'i:type="a:boolean" xmlns:a="http://www.w3.org/2001/XMLSchema">true<' in data
    assert 'i:type="a:double" xmlns:a="http://www.w3.org/2001/XMLSchema">1.5<' in data
    assert '<Value i:nil="true"/>' in data
    got = decode(data.encode()).entries
    assert {k: v.value for k, v in got.items()} == {
        "i": 7,
        "l": 2**40,
        "b": True,
        "d": 1.5,
        "n": None,
    }
    with pytest.raises(TypeError, match="cannot save"):
        encode([("x", object())])


def test_writer_output_round_trips():
    data = encode(entries(SECOND, FIRST, 42))
    saved = interpret(decode(data))
    assert saved.usable
    assert (saved.user_id, saved.session_id, saved.previous_session_id, saved.session_index) == (
        USER,
        SECOND,
        FIRST,
        42,
    )


# ------------------------------------------------------------------ reader: accepted


def test_reads_the_dotnet_samples():
    first = interpret(decode((DATA / "dotnet-first-save.xml").read_bytes()))
    later = interpret(decode((DATA / "dotnet-later-save.xml").read_bytes()))
    assert first.usable and later.usable
    assert (first.user_id, first.session_id, first.previous_session_id, first.session_index) == (
        USER,
        FIRST,
        None,
        1,
    )
    assert (later.session_id, later.previous_session_id, later.session_index) == (SECOND, FIRST, 2)


D3P1 = f"""<ArrayOfKeyValueOfstringanyType xmlns:i="http://www.w3.org/2001/XMLSchema-instance" \
xmlns="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
  <KeyValueOfstringanyType>
    <Key>userId</Key>
    <Value xmlns:d3p1="{XSD}" i:type="d3p1:string">{USER}</Value>
  </KeyValueOfstringanyType>
  <KeyValueOfstringanyType>
    <Key>sessionId</Key>
    <Value xmlns:d3p1="{XSD}" i:type="d3p1:string">{SECOND}</Value>
  </KeyValueOfstringanyType>
  <KeyValueOfstringanyType>
    <Key>previousSessionId</Key>
    <Value xmlns:d3p1="{XSD}" i:type="d3p1:string">{FIRST}</Value>
  </KeyValueOfstringanyType>
  <KeyValueOfstringanyType>
    <Key>sessionIndex</Key>
    <Value xmlns:d3p1="{XSD}" i:type="d3p1:int">2</Value>
  </KeyValueOfstringanyType>
  <KeyValueOfstringanyType>
    <Key>storageMechanism</Key>
    <Value xmlns:d3p1="{XSD}" i:type="d3p1:string">LOCAL_STORAGE</Value>
  </KeyValueOfstringanyType>
</ArrayOfKeyValueOfstringanyType>"""

SAMPLE = (DATA / "dotnet-later-save.xml").read_text()


def _reordered() -> bytes:
    head, *items = SAMPLE.split("<KeyValueOfstringanyType>")
    items[-1] = items[-1].replace("</ArrayOfKeyValueOfstringanyType>", "")
    body = "".join("<KeyValueOfstringanyType>" + item for item in reversed(items))
    return (head + body + "</ArrayOfKeyValueOfstringanyType>").encode()


def variants():
    """Files a .NET reader accepts: each must read as the later sample."""
    decl = '<?xml version="1.0" encoding="utf-8"?>'
    yield "d3p1", D3P1.encode()
    yield "declaration", (decl + SAMPLE).encode()
    yield "declaration without encoding", ('<?xml version="1.0"?>' + SAMPLE).encode()
    yield "bom", b"\xef\xbb\xbf" + SAMPLE.encode()
    yield "bom and declaration", b"\xef\xbb\xbf" + (decl + SAMPLE).encode()
    yield "crlf indentation", D3P1.replace("\n", "\r\n").encode()
    yield "whitespace before root and trailing newline", ("\n  " + SAMPLE + "\n").encode()
    yield "comments", SAMPLE.replace("<KeyValueOf", "<!-- c --><KeyValueOf").encode()
    yield (
        "xsi/xsd declared once on the root",
        SAMPLE.replace(
            'xmlns:i="http://www.w3.org/2001/XMLSchema-instance"',
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="{XSD}"',
        )
        .replace(f' xmlns:a="{XSD}"', "")
        .replace('i:type="a:', 'xsi:type="xsd:')
        .encode(),
    )
    yield (
        "prefixed element names",
        SAMPLE.replace(
            'xmlns="http://schemas.microsoft.com/2003/10/Serialization/Arrays"',
            'xmlns:arr="http://schemas.microsoft.com/2003/10/Serialization/Arrays"',
        )
        .replace("<", "<arr:")
        .replace("<arr:/", "</arr:")
        .encode(),
    )
    yield (
        "xmlns:i only on the values",
        SAMPLE.replace(' xmlns:i="http://www.w3.org/2001/XMLSchema-instance"', "")
        .replace("<Value ", '<Value xmlns:i="http://www.w3.org/2001/XMLSchema-instance" ')
        .encode(),
    )
    yield "entries in another order", _reordered()
    yield (
        "unknown elements after Value and between entries",
        SAMPLE.replace(
            "</Value></KeyValueOfstringanyType>",
            "</Value><Extra>x</Extra></KeyValueOfstringanyType><Other/>",
        ).encode(),
    )
    yield "whitespace around the int", SAMPLE.replace(">2</Value>", "> 2 </Value>").encode()
    yield "cdata", SAMPLE.replace(f">{USER}<", f"><![CDATA[{USER}]]><").encode()
    yield "character references", SAMPLE.replace(">LOCAL_STORAGE<", ">&#76;OCAL_STORAGE<").encode()
    yield "single-quoted attributes", SAMPLE.replace('"', "'").encode()
    yield "unknown extra attributes", SAMPLE.replace("<Value ", '<Value extra="1" ').encode()
    yield (
        "utf-16 with bom and declaration",
        ('<?xml version="1.0" encoding="utf-16"?>' + SAMPLE).encode("utf-16"),
    )


@pytest.mark.parametrize(("name", "data"), list(variants()), ids=[n for n, _ in variants()])
def test_reads_what_a_dotnet_reader_accepts(name, data):
    decoded = decode(data)
    assert decoded.problems == ()
    assert decoded.dotnet_reads
    saved = interpret(decoded)
    assert saved.usable, saved.problems
    assert (saved.user_id, saved.session_id, saved.previous_session_id, saved.session_index) == (
        USER,
        SECOND,
        FIRST,
        2,
    )


@pytest.mark.parametrize(
    "value",
    [
        '<Value i:nil="1"/>',
        '<Value i:nil="true"></Value>',
        f'<Value i:nil="true" i:type="a:string" xmlns:a="{XSD}"/>',
    ],
)
def test_nil_forms(value):
    data = encode(entries(FIRST, None, 1)).decode().replace('<Value i:nil="true"/>', value)
    saved = interpret(decode(data.encode()))
    assert saved.usable and saved.previous_session_id is None


# ------------------------------------------------------------------ reader: refused


def refused():
    later = SAMPLE
    yield (
        "value before key",
        later.replace(
            f'<Key>userId</Key><Value i:type="a:string" xmlns:a="{XSD}">{USER}</Value>',
            f'<Value i:type="a:string" xmlns:a="{XSD}">{USER}</Value><Key>userId</Key>',
        ),
    )
    yield (
        "missing value",
        later.replace(f'<Value i:type="a:string" xmlns:a="{XSD}">LOCAL_STORAGE</Value>', ""),
    )
    yield "missing key", later.replace("<Key>storageMechanism</Key>", "")
    yield "duplicate key", later.replace("<Key>storageMechanism</Key>", "<Key>sessionIndex</Key>")
    yield (
        "text without a type",
        later.replace(f' i:type="a:string" xmlns:a="{XSD}">LOCAL_STORAGE', ">LOCAL_STORAGE"),
    )
    yield (
        "unknown type",
        later.replace(
            'i:type="a:string" xmlns:a="http://www.w3.org/2001/XMLSchema">LOCAL',
            f'i:type="a:token" xmlns:a="{XSD}">LOCAL',
        ),
    )
    yield "int outside int32", later.replace(">2</Value>", ">2147483648</Value>")
    yield "wrong root name", later.replace("ArrayOfKeyValueOfstringanyType", "ArrayOfThings")
    yield "wrong root namespace", later.replace("/Serialization/Arrays", "/Serialization/Other")
    yield "trailing content", later + "<more/>"
    yield "truncated", later[:-40]
    yield "empty", ""
    yield "doctype", '<!DOCTYPE ArrayOfKeyValueOfstringanyType [<!ENTITY a "b">]>' + later


@pytest.mark.parametrize(("name", "text"), list(refused()), ids=[n for n, _ in refused()])
def test_refuses_what_a_dotnet_reader_refuses(name, text):
    decoded = decode(text.encode())
    assert not decoded.dotnet_reads
    assert decoded.problems
    assert not interpret(decoded).usable


def test_non_utf8_without_a_declaration_is_refused():
    data = SAMPLE.replace("LOCAL_STORAGE", "LOCAL_STÖRAGE").encode("latin-1")
    assert not decode(data).dotnet_reads


def test_utf16_without_a_declaration_is_flagged():
    decoded = decode(SAMPLE.encode("utf-16"))
    assert not decoded.dotnet_reads
    assert any("UTF-16" in p.message for p in decoded.problems)


def test_a_truncated_file_keeps_the_entries_before_the_cut():
    data = SAMPLE.encode()
    cut = data.index(b"<Key>sessionId")
    saved = interpret(decode(data[: cut + 10]))
    assert saved.user_id == USER
    assert saved.session_id is None and saved.session_index is None
    assert not saved.usable


# ------------------------------------------------------------------ .NET constructor crashes


@pytest.mark.parametrize(
    ("replacement", "index"),
    [
        ('i:type="a:long" xmlns:a="http://www.w3.org/2001/XMLSchema">2<', 2),
        ('i:type="a:string" xmlns:a="http://www.w3.org/2001/XMLSchema">2<', 2),
        ('i:type="a:string" xmlns:a="http://www.w3.org/2001/XMLSchema">two<', None),
    ],
)
def test_a_mistyped_index_is_read_by_dotnet_but_crashes_its_constructor(replacement, index):
    data = SAMPLE.replace(
        'i:type="a:int" xmlns:a="http://www.w3.org/2001/XMLSchema">2<', replacement
    )
    decoded = decode(data.encode())
    assert decoded.dotnet_reads
    saved = interpret(decoded)
    assert saved.dotnet_crashes and not saved.usable
    assert saved.session_index == index
    assert saved.user_id == USER


def test_an_untyped_empty_id_crashes_the_dotnet_constructor():
    data = SAMPLE.replace(f'<Value i:type="a:string" xmlns:a="{XSD}">{SECOND}</Value>', "<Value/>")
    saved = interpret(decode(data.encode()))
    assert saved.dotnet_crashes and saved.session_id is None and saved.user_id == USER


@pytest.mark.parametrize("index", ["-1", "-2147483648"])
def test_a_negative_index_is_out_of_range(index):
    data = SAMPLE.replace(">2</Value>", f">{index}</Value>")
    saved = interpret(decode(data.encode()))
    assert not saved.usable and saved.session_index is None and saved.user_id == USER


def test_unknown_keys_are_kept_as_extras():
    data = encode([*entries(SECOND, FIRST, 2), ("eventIndex", 5), ("paused", False)])
    saved = interpret(decode(data))
    assert saved.usable
    assert {k: v.value for k, v in saved.extras.items()} == {"eventIndex": 5, "paused": False}


@pytest.mark.parametrize("encoding", ["ttf-8", "x-unknown", "utf-32"])
def test_an_unknown_or_wrong_declared_encoding_is_a_problem_not_an_error(encoding):
    data = f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + SAMPLE.encode()
    decoded = decode(data)
    assert not decoded.dotnet_reads
    assert not interpret(decoded).usable
