"""Readers of the log in other framings: decoding the stored wire form, the JSON framing,
and the AI SDK's UI message chunks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from my_flow_api.services.streams.events import DONE, ERROR, METADATA, TOKEN, encode
from my_flow_api.services.streams.framing import RETRY, JsonFraming, TextFraming
from my_flow_api.services.streams.log import MemoryStreamLog
from my_flow_api.services.streams.registry import ActiveStream
from my_flow_api.services.streams.ui_message import UIMessageChunks, UIMessageFraming
from my_flow_api.services.streams.wire import StoredEvent, decode
from tests.unit.services.streams.test_events import TRICKY, _parse


def json_data(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


FLOWS = json_data({"event": "flows_extracted", "flows": [], "extracted_flows": []})
DONE_DATA = json_data({"conversation_id": "c", "stream_id": "s", "finish_reason": "stop"})


@pytest.mark.parametrize("token", TRICKY, ids=repr)
def test_decode_inverts_encode(token: str) -> None:
    assert decode(encode(7, TOKEN, token)) == StoredEvent(7, TOKEN, token)


def test_decode_reads_named_events() -> None:
    event = decode(encode(3, DONE, DONE_DATA))
    assert (event.id, event.name, event.terminal, event.is_token) == (3, DONE, True, False)
    assert event.payload()["finish_reason"] == "stop"


def test_the_json_framing_wraps_tokens_and_keeps_named_events() -> None:
    batch = [encode(i + 1, TOKEN, t) for i, t in enumerate(TRICKY)]
    batch.append(encode(len(TRICKY) + 1, DONE, DONE_DATA))
    events = _parse(JsonFraming().frame(batch))
    tokens = [json.loads(data)["text"] for name, data, _ in events if name == "message"]
    assert tokens == [t.replace("\r\n", "\n") for t in TRICKY]
    assert events[-1] == ("done", DONE_DATA, str(len(TRICKY) + 1))
    assert all("\n" not in data for _, data, _ in events)


def test_the_text_framing_sends_the_log_as_stored_the_first_event_with_a_retry_hint() -> None:
    framing = TextFraming()
    batch = [encode(1, TOKEN, "a"), encode(2, TOKEN, "b")]
    assert framing.head() == b""
    assert framing.frame(batch) == RETRY + b"".join(batch)
    assert framing.frame([encode(3, TOKEN, "c")]) == encode(3, TOKEN, "c")
    assert RETRY == b"retry: 3000\n"
    assert _parse(RETRY + encode(1, TOKEN, "a")) == [("message", "a", "1")]


def _stream() -> ActiveStream:
    stream = ActiveStream("s1", "u", "ctx", MemoryStreamLog())
    stream.conversation_id = "conv1"
    return stream


def test_a_turn_becomes_the_ui_message_chunks() -> None:
    chunks = UIMessageChunks(_stream())
    assert chunks.start() == {
        "type": "start",
        "messageId": "msg-s1",
        "messageMetadata": {"stream_id": "s1", "conversation_id": "conv1"},
    }
    seen = [
        *chunks.translate(decode(encode(1, TOKEN, "\n"))),
        *chunks.translate(decode(encode(2, TOKEN, "\n\n"))),
        *chunks.translate(decode(encode(3, METADATA, FLOWS))),
        *chunks.translate(decode(encode(4, DONE, DONE_DATA))),
    ]
    assert [c["type"] for c in seen] == [
        "text-start",
        "text-delta",
        "text-delta",
        "text-end",
        "data-flows",
        "finish",
    ]
    assert [c["delta"] for c in seen if c["type"] == "text-delta"] == ["\n", "\n\n"]
    assert seen[4] == {"type": "data-flows", "id": "flows", "data": json.loads(FLOWS)}
    assert seen[5]["finishReason"] == "stop"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [("stop", "stop"), ("length", "length"), ("cancelled", "other"), (None, "other")],
)
def test_finish_reasons_map_to_the_protocols(reason: str | None, expected: str) -> None:
    [finish] = UIMessageChunks(_stream()).translate(
        decode(encode(1, DONE, json_data({"finish_reason": reason})))
    )
    assert finish["finishReason"] == expected


def test_an_error_closes_the_text_then_is_the_protocols_error_part() -> None:
    chunks = UIMessageChunks(_stream())
    chunks.translate(decode(encode(1, TOKEN, "partial")))
    after = chunks.translate(
        decode(encode(2, ERROR, json_data({"error": "The provider failed", "code": "x"})))
    )
    assert [c["type"] for c in after] == ["text-end", "error", "finish"]
    assert after[1]["errorText"] == "The provider failed"
    assert after[2]["finishReason"] == "error"


def test_the_ui_framing_is_sse_with_ids_and_ends_with_done() -> None:
    framing = UIMessageFraming(_stream())
    wire = framing.head() + framing.frame([encode(1, TOKEN, "hi")]) + framing.tail()
    events = _parse(wire)
    assert [json.loads(d)["type"] for _, d, _ in events[:-1]] == [
        "start",
        "text-start",
        "text-delta",
    ]
    assert [i for _, _, i in events[1:3]] == ["1", "1"]
    assert events[-1][1] == "[DONE]"
