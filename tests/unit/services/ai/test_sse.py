"""The lean SSE decoder the providers read streamed answers with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

from my_flow_api.services.ai.sse import sse_data

pytestmark = pytest.mark.unit


async def _feed(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _decode(parts: Iterable[bytes]) -> list[bytes]:
    return [data async for data in sse_data(_feed(parts))]


BODY = (
    b": keep-alive comment\n"
    b"event: message_start\n"
    b'data: {"a": 1}\n'
    b"\n"
    b"id: 7\r\n"
    b"data:no-space\r\n"
    b"data:  two spaces\r\n"
    b"retry: 100\r\n"
    b"\r\n"
    b'data: {"t": "caf\xc3\xa9 \xf0\x9f\x8e\x89"}\r'
    b"\r"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    b'{"a": 1}',
    b"no-space\n two spaces",
    b'{"t": "caf\xc3\xa9 \xf0\x9f\x8e\x89"}',
    b"[DONE]",
]


async def test_a_whole_body_in_one_read() -> None:
    assert await _decode([BODY]) == EXPECTED


async def test_every_split_into_two_reads_gives_the_same_events() -> None:
    for cut in range(len(BODY) + 1):
        assert await _decode([BODY[:cut], BODY[cut:]]) == EXPECTED, cut


async def test_one_byte_per_read() -> None:
    assert await _decode([BODY[i : i + 1] for i in range(len(BODY))]) == EXPECTED


async def test_crlf_split_between_reads_is_one_line_ending() -> None:
    assert await _decode([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]) == [b"a\nb"]


async def test_an_event_cut_off_by_the_end_of_the_body_is_discarded() -> None:
    assert await _decode([b"data: complete\n\n", b"data: cut"]) == [b"complete"]
    assert await _decode([b"data: complete\n\ndata: cut\n"]) == [b"complete"]


async def test_a_final_blank_line_ending_in_cr_still_ends_the_event() -> None:
    assert await _decode([b"data: last\r\r"]) == [b"last"]


async def test_blank_lines_without_data_and_empty_reads_yield_nothing() -> None:
    assert await _decode([b"", b"\n\n\n", b"event: ping\n\n", b": c\n\n"]) == []


async def test_an_empty_data_field_is_an_empty_event() -> None:
    assert await _decode([b"data:\n\n"]) == [b""]
