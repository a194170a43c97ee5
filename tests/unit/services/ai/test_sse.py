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


LF_BODY = (
    b'data: {"a": 1}\n\n'
    b": comment\n\n"
    b"event: delta\ndata: x\n\n"
    b"data:tight\n\n"
    b"data: two\ndata: lines\n\n\n"
    b'data: {"t": "caf\xc3\xa9"}\n\n'
    b"data: [DONE]\n\n"
)
LF_EXPECTED = [b'{"a": 1}', b"x", b"tight", b"two\nlines", b'{"t": "caf\xc3\xa9"}', b"[DONE]"]


async def test_lf_only_bodies_take_the_fast_path_with_the_same_events() -> None:
    assert await _decode([LF_BODY]) == LF_EXPECTED
    for cut in range(1, len(LF_BODY)):
        assert await _decode([LF_BODY[:cut], LF_BODY[cut:]]) == LF_EXPECTED, cut
    assert await _decode([bytes([b]) for b in LF_BODY]) == LF_EXPECTED


async def test_a_cr_after_lf_only_reads_switches_parsers_without_losing_events() -> None:
    parts = [b"data: a\n\ndata: b\n", b"data: c\r\n\r\n", b"data: d\n\n"]
    assert await _decode(parts) == [b"a", b"b\nc", b"d"]


async def test_an_event_longer_than_the_pending_bound_still_arrives_whole() -> None:
    big = b"y" * (3 * 65536)
    parts = [b"data: " + big[:100_000], big[100_000:] + b"\n", b"data: z\n\n"]
    assert await _decode(parts) == [big + b"\nz"]
