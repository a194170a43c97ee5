"""SSE framing: any token survives a spec-conformant parser (httpx-sse) unchanged."""

from __future__ import annotations

import json
import random

import httpx
import pytest
from httpx_sse import EventSource

from my_flow_api.services.streams.events import DONE, ERROR, METADATA, TOKEN, encode

TRICKY = [
    " leading space",
    "  two leading spaces",
    "\n",
    "\n\n",
    "line one\nline two",
    "data: x",
    ": looks like a comment",
    ":",
    "event: done",
    "id: 99",
    "retry: 10",
    "trailing newline\n",
    "\nleading newline",
    "emoji 🎉🚀",
    "中文字符 テスト",
    "x" * 5000,
    "tab\tinside",
    "   ",
    "ünïcödé",
]


def _parse(wire: bytes) -> list[tuple[str, str, str]]:
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=wire)
    return [(e.event, e.data, e.id) for e in EventSource(response).iter_sse()]


@pytest.mark.parametrize("token", TRICKY, ids=repr)
def test_single_token_round_trips(token: str) -> None:
    events = _parse(encode(7, TOKEN, token))
    assert events == [("message", token, "7")]


def test_stream_of_tricky_tokens_rebuilds_the_answer() -> None:
    wire = b"".join(encode(i + 1, TOKEN, t) for i, t in enumerate(TRICKY))
    wire += encode(len(TRICKY) + 1, DONE, '{"ok":true}')
    events = _parse(wire)
    assert "".join(data for name, data, _ in events if name == "message") == "".join(TRICKY)
    assert [int(i) for _, _, i in events] == list(range(1, len(TRICKY) + 2))
    assert events[-1][0] == "done"


@pytest.mark.parametrize(("raw", "seen"), [("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("\r\n", "\n")])
def test_carriage_returns_arrive_as_line_feeds(raw: str, seen: str) -> None:
    assert _parse(encode(1, TOKEN, raw)) == [("message", seen, "1")]


def test_random_text_round_trips() -> None:
    rng = random.Random(1234)
    alphabet = "ab :\n\t é中🎉-dataevent"
    for _ in range(300):
        token = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert _parse(encode(3, TOKEN, token)) == [("message", token, "3")]


@pytest.mark.parametrize("name", [METADATA, DONE, ERROR])
def test_named_events_carry_one_line_of_json(name: str) -> None:
    payload = {"error": "line\nbreak", "text": "ünï 🎉", "n": 1}
    wire = encode(5, name, json.dumps(payload))
    assert wire.count(b"\ndata: ") == 1
    (event,) = _parse(wire)
    assert event[0] == name
    assert json.loads(event[1]) == payload


def test_wire_format_is_exact() -> None:
    assert encode(1, TOKEN, "hi") == b"id: 1\ndata: hi\n\n"
    assert encode(2, DONE, "{}") == b"id: 2\nevent: done\ndata: {}\n\n"
    assert encode(3, TOKEN, "a\nb") == b"id: 3\ndata: a\ndata: b\n\n"
