"""A fake Anthropic server speaking the real `/v1/messages` wire format.

Usage mirrors `FakeOpenAI`::

    with FakeAnthropic() as fake:
        fake.script(tokens=["Hi", " there"], error_after=1)   # mid-stream `error` event
        settings = load_settings(**fake.settings_overrides())

A streamed answer is the event sequence `message_start`, `content_block_start`, `ping`,
`content_block_delta` (one per token), `content_block_stop`, `message_delta` (stop reason
and usage), `message_stop`. A non-streaming request gets a `message` whose content is a
`tool_use` block with `extraction` as its input (a dict), or a text block (a string: the
model ignored the tool, or answered malformed JSON).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tests.fakes.http_base import Exchange, FakeHTTPServer, RecordedRequest

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}


@dataclass(frozen=True)
class AnthropicScript:
    """What the fake answers; every field has a harmless default."""

    tokens: Sequence[str] = ("Hello", ",", " world", "!")
    delay: float = 0.0
    first_byte_delay: float = 0.0
    fail_status: int | None = None
    retry_after: float | None = None
    drop_after: int | None = None
    """Cut the connection after this many tokens."""
    error_after: int | None = None
    garbage_after: int | None = None
    """After this many tokens send an event whose data is not JSON, and end the body."""
    """After this many tokens send an `error` event (`error_type`) and end the body."""
    error_type: str = "overloaded_error"
    stop_reason: str = "end_turn"
    usage: tuple[int, int] | None = None
    """(input, output) tokens; default (11, number of tokens)."""
    ping: bool = True
    message_stop: bool = True
    """False: end the body cleanly but without `message_stop` (a truncated answer)."""
    extraction: Mapping[str, Any] | str | None = None
    reject_fields: Sequence[str] = ()
    """Answer 400 when the request uses one of these (`temperature`, `strict`)."""
    batch: bool = False
    model: str = "claude-fake"
    headers: Mapping[str, str] = field(default_factory=dict)


class FakeAnthropic(FakeHTTPServer):
    """The fake server; `script()` sets the standing answer, `script_once()` queues one."""

    api_key = "sk-ant-fake-key"

    def __init__(self, **script: Any) -> None:
        super().__init__()
        self.current = AnthropicScript(**script)
        self._queue: deque[AnthropicScript] = deque()

    def script(self, **fields: Any) -> AnthropicScript:
        """Replace the standing answer (fields not given take their defaults)."""
        self.current = AnthropicScript(**fields)
        return self.current

    def script_once(self, **fields: Any) -> AnthropicScript:
        """Queue an answer for the next request only (fields default to the standing ones)."""
        once = replace(self.current, **fields)
        self._queue.append(once)
        return once

    def settings_overrides(self) -> dict[str, str]:
        """`load_settings(**...)` arguments pointing the `anthropic` provider here."""
        return {
            "AI_PROVIDER": "anthropic",
            "ANTHROPIC_API_KEY": self.api_key,
            "ANTHROPIC_BASE_URL": self.base_url,
            "ANTHROPIC_MODEL": "claude-fake",
        }

    async def handle(self, request: RecordedRequest, exchange: Exchange) -> None:
        """Answer per the script."""
        script = self._queue.popleft() if self._queue else self.current
        if script.first_byte_delay:
            await exchange.pause(script.first_byte_delay)
        if not request.path.startswith("/v1/messages"):
            await exchange.send_json(404, _error(404, "Not found"))
            return
        body = request.json()
        rejected = [f for f in script.reject_fields if _uses(body, f)]
        if script.fail_status is not None:
            headers = dict(script.headers)
            if script.retry_after is not None:
                headers["retry-after"] = f"{script.retry_after:g}"
            status = script.fail_status
            await exchange.send_json(status, _error(status, "Scripted failure"), headers)
        elif rejected:
            message = f"{rejected[0]}: is not supported for this model."
            await exchange.send_json(400, _error(400, message))
        elif body.get("stream"):
            await self._stream(script, exchange)
        else:
            await exchange.send_json(200, _message(script, body))

    async def _stream(self, script: AnthropicScript, ex: Exchange) -> None:
        n_in, n_out = script.usage or (11, len(script.tokens))
        start = {
            "type": "message_start",
            "message": {
                **_envelope(script),
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": n_in, "output_tokens": 1},
            },
        }
        head = [_sse("message_start", start)]
        block = {"type": "text", "text": ""}
        head.append(_sse("content_block_start", {**_at(0), "content_block": block}))
        if script.ping:
            head.append(_sse("ping", {"type": "ping"}))
        await ex.start_stream()
        tokens = []
        for i, token in enumerate(script.tokens):
            if i in (script.drop_after, script.error_after, script.garbage_after):
                break
            delta = {"type": "text_delta", "text": token}
            tokens.append(_sse("content_block_delta", {**_at(0, "delta"), "delta": delta}))
        tail: list[bytes] = []
        if script.drop_after is not None:
            await ex.emit(head, tokens, tail, delay=script.delay, batch=script.batch)
            ex.drop()
            return
        if script.garbage_after is not None:
            tail.append(b"event: content_block_delta\ndata: {not json\n\n")
        elif script.error_after is not None:
            error = {"type": "error", "error": {"type": script.error_type, "message": "Overloaded"}}
            tail.append(_sse("error", error))
        else:
            tail.append(_sse("content_block_stop", _at(0, "stop")))
            message_delta = {
                "type": "message_delta",
                "delta": {"stop_reason": script.stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": n_out},
            }
            tail.append(_sse("message_delta", message_delta))
            if script.message_stop:
                tail.append(_sse("message_stop", {"type": "message_stop"}))
        await ex.emit(head, tokens, tail, delay=script.delay, batch=script.batch)
        await ex.end_stream()


def _sse(name: str, payload: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


def _at(index: int, kind: str = "start") -> dict[str, Any]:
    return {"type": f"content_block_{kind}", "index": index}


def _envelope(script: AnthropicScript) -> dict[str, Any]:
    return {"id": "msg_fake", "type": "message", "role": "assistant", "model": script.model}


def _uses(body: dict[str, Any], name: str) -> bool:
    if name in body:
        return True
    return any(isinstance(t, dict) and name in t for t in body.get("tools") or [])


def _error(status: int, message: str) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_fake"}


def _message(script: AnthropicScript, body: dict[str, Any]) -> dict[str, Any]:
    extraction = script.extraction if script.extraction is not None else {"flows": []}
    if isinstance(extraction, str):
        content: list[dict[str, Any]] = [{"type": "text", "text": extraction}]
        stop = "end_turn"
    else:
        tool = (body.get("tool_choice") or {}).get("name", "tool")
        content = [{"type": "tool_use", "id": "toolu_fake", "name": tool, "input": extraction}]
        stop = "tool_use"
    return {
        **_envelope(script),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 50, "output_tokens": 20},
    }
