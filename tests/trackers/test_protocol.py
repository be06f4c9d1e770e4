"""Decoding the tracker protocol and checking the client_session entity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from session.context import SCHEMA_1_0_1, SCHEMA_1_0_2, SCHEMA_URIS, load_schema, validator
from session.trackers import entity as entity_module
from session.trackers.entity import find_entity, read_entity
from session.trackers.protocol import (
    BAD_REASONS,
    MAX_BODY_BYTES,
    MAX_EVENTS_PER_BODY,
    PayloadError,
    decode_body,
    decode_fields,
    event_time,
)
from session.trackers.record import make_record

from .helpers import T0, b64, body, contexts, entity, fields, sid


@pytest.mark.parametrize("padding", [True, False])
def test_base64url_with_and_without_padding_and_plain_json_give_one_event(padding: bool) -> None:
    ent = entity(1, event_index=1)
    plain = fields(ent, T0, encode=False)
    encoded = dict(plain)
    encoded["cx"] = b64(encoded.pop("co"), padding=padding)
    for item in (plain, encoded):
        decoded = decode_fields(item)
        assert decoded.contexts == (ent,)
        assert "cx" not in decoded.fields and "co" not in decoded.fields


def test_standard_base64_alphabet_is_taken_too() -> None:
    text = contexts(entity(1, note="~~~???>>>"))
    standard = b64(text).replace("-", "+").replace("_", "/")
    assert "+" in standard and "/" in standard
    assert decode_fields({"e": "pv", "cx": standard}).contexts[0]["data"]["sessionIndex"] == 1
    spaced = standard.replace("+", " ")  # a "+" unescaped in a query string
    assert decode_fields({"e": "pv", "cx": spaced}).contexts[0]["data"]["note"] == "~~~???>>>"


def test_self_describing_events_in_ue_px_or_ue_pr() -> None:
    item = fields(entity(1), T0, unstruct="iglu:com.acme/thing/jsonschema/1-0-0")
    assert decode_fields(item).unstruct_schema == "iglu:com.acme/thing/jsonschema/1-0-0"
    plain = fields(entity(1), T0, unstruct="iglu:com.acme/thing/jsonschema/1-0-0", encode=False)
    assert decode_fields(plain).unstruct == {
        "schema": "iglu:com.acme/thing/jsonschema/1-0-0",
        "data": {},
    }


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"e": "pv", "cx": "!!!!"}, "invalid_base64"),
        ({"e": "pv", "cx": "a"}, "invalid_base64"),
        ({"e": "pv", "cx": b64("{not json")}, "not_json"),
        ({"e": "pv", "co": "[" * 100_000}, "not_json"),
        ({"e": "pv", "co": '{"data": []}'}, "malformed"),
        ({"e": "pv", "co": '{"schema": "x", "data": {}}'}, "malformed"),
        ({"e": "pv", "co": '{"schema": "x", "data": [1]}'}, "malformed"),
        ({"e": "pv", "ue_pr": '{"schema": "x", "data": 3}'}, "malformed"),
        ({"e": 3}, "malformed"),
        ({"eid": "x"}, "malformed"),
    ],
)
def test_each_bad_payload_has_its_reason(item: dict, reason: str) -> None:
    with pytest.raises(PayloadError) as caught:
        decode_fields(item)
    assert caught.value.reason == reason and reason in BAD_REASONS


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "not_json"),
        (b"\xff\xfe", "not_json"),
        (b"[]", "malformed"),
        (b'{"schema": "iglu:com.acme/x/jsonschema/1-0-0", "data": []}', "malformed"),
        (b" " * (MAX_BODY_BYTES + 1), "oversized"),
    ],
)
def test_bad_bodies(raw: bytes, reason: str) -> None:
    with pytest.raises(PayloadError) as caught:
        decode_body(raw)
    assert caught.value.reason == reason


def test_a_body_with_too_many_events_is_oversized() -> None:
    with pytest.raises(PayloadError, match="over") as caught:
        decode_body(body(*[{"e": "pv"}] * (MAX_EVENTS_PER_BODY + 1)))
    assert caught.value.reason == "oversized"
    assert decode_body(body({"e": "pv"}, {"e": "se"})) == [{"e": "pv"}, {"e": "se"}]


def test_event_time_is_the_trackers_then_the_arrival() -> None:
    assert event_time({"dtm": "1800000000123"}, 5.0) == 1_800_000_000.123
    assert event_time({"dtm": "1800000000123", "ttm": "1700000000000"}, 5.0) == 1_700_000_000.0
    assert event_time({"stm": "1800000000000"}, 5.0) == 1_800_000_000.0
    assert event_time({"dtm": "soon"}, 5.0) == 5.0
    assert event_time({"dtm": "9" * 400}, 5.0) == 5.0
    # Digits that are not decimal ("²" is a digit to str.isdigit, not to int) are no time.
    assert event_time({"dtm": "1800000000²", "stm": "1800000000000"}, 5.0) == 1_800_000_000.0
    assert event_time({"ttm": "\u0661\u0662"}, 5.0) == 0.012  # Arabic-Indic, as int reads them


@pytest.mark.parametrize("uri", SCHEMA_URIS)
def test_every_bundled_version_loads_and_validates_its_own_entity(uri: str) -> None:
    assert load_schema(uri)["self"]["version"] == uri.rsplit("/", 1)[-1]
    data = entity(1)["data"]
    if uri.endswith("1-0-0"):
        data.pop("firstEventId")
    ent, event_index = read_entity({"schema": uri, "data": data})
    assert ent.session_id == sid(1) and ent.version == uri.rsplit("/", 1)[-1]
    assert event_index is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"sessionId": "not-a-uuid"}, "uuid"),
        ({"userId": "A" * 36}, "userId"),
        ({"sessionIndex": 2**31}, "sessionIndex"),
        ({"sessionIndex": True}, "sessionIndex"),
        ({"sessionIndex": 1.5}, "sessionIndex"),
        ({"storageMechanism": "PAPER"}, "storageMechanism"),
        ({"firstEventTimestamp": "yesterday-ish"}, "date-time"),
        ({"eventIndex": -1}, "eventIndex"),
        ({"eventIndex": "2"}, "eventIndex"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_entities_say_what_is_wrong(change: dict, words: str) -> None:
    ent = entity(1)
    ent["data"].update(change)
    with pytest.raises(PayloadError) as caught:
        read_entity(ent)
    assert caught.value.reason == "invalid_entity" and words in str(caught.value)


@pytest.mark.parametrize("uri", SCHEMA_URIS)
def test_every_bundled_schema_is_an_object_of_independent_properties(uri: str) -> None:
    # What lets an entity be checked a value at a time (session.trackers.entity).
    schema = load_schema(uri)
    assert set(schema) - {"$schema", "self", "description"} == {
        "type",
        "properties",
        "required",
        "additionalProperties",
    }
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert set(schema["required"]) <= set(schema["properties"])
    assert "$ref" not in json.dumps(schema)


_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            0,
            1,
            -1,
            1.0,
            2**31,
            "",
            sid(1),
            sid(1).upper(),
            "0f8fad5bd9cb469f",
            "SQLITE",
            "PAPER",
            "2027-01-15T08:00:00.000Z",
            "yesterday",
            [sid(1)],
            {"id": 1},
        ]
    ),
    st.text(max_size=40),
    st.integers(),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SCHEMA_URIS),
    st.dictionaries(
        st.sampled_from([*load_schema(SCHEMA_1_0_2)["properties"], "surprise"]), _VALUES
    ),
    st.booleans(),
)
def test_checking_value_by_value_agrees_with_the_whole_schema(
    uri: str, change: dict[str, Any], drop: bool
) -> None:
    data = entity(1)["data"]
    if drop:
        data.pop(next(iter(change), "userId"), None)
    data.update(change)
    whole = entity_module._problem(validator(uri), data)
    assert entity_module._entity_problem(uri, data) == whole


def test_the_validation_cache_never_confuses_true_with_1() -> None:
    good = entity(1, event_index=1)
    assert read_entity(good)[1] == 1
    bad = entity(1)
    bad["data"]["eventIndex"] = True
    with pytest.raises(PayloadError):
        read_entity(bad)
    assert read_entity(entity(1, event_index=1))[1] == 1


def test_event_index_in_a_1_0_1_entity_is_invalid() -> None:
    ent = entity(1, schema=SCHEMA_1_0_1, event_index=3)
    with pytest.raises(PayloadError, match="not in this schema version"):
        read_entity(ent)


def test_entities_found_or_not() -> None:
    with pytest.raises(PayloadError) as none:
        find_entity(({"schema": "iglu:com.acme/x/jsonschema/1-0-0", "data": {}},))
    assert none.value.reason == "no_session_entity"
    with pytest.raises(PayloadError) as two:
        find_entity((entity(1), entity(2)))
    assert two.value.reason == "invalid_entity"
    with pytest.raises(PayloadError, match="unknown client_session schema"):
        read_entity({"schema": "iglu:com.evil/client_session/jsonschema/1-0-1", "data": {}})


def test_a_record_keeps_the_user_of_an_invalid_entity_to_report_it() -> None:
    ent = entity(1, sessionIndex="seven")
    record = make_record(decode_fields(fields(ent, T0)), T0)
    assert record.entity is None and record.user == ent["data"]["userId"]
    assert record.problem and "sessionIndex" in record.problem
    nameless = entity(1)
    nameless["data"]["userId"] = {"x": 1}
    assert make_record(decode_fields(fields(nameless, T0)), T0).user == "(unknown user)"
    assert json.loads(json.dumps(record.problem))
