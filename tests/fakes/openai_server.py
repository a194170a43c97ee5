"""A fake OpenAI-compatible server speaking the real `/v1/chat/completions` wire format.

Usage::

    with FakeOpenAI() as fake:                      # real HTTP on 127.0.0.1, own thread
        fake.script(tokens=["Hel", "lo"], delay=0.01)
        fake.script_once(fail_status=429, retry_after=0)   # only for the next request
        fake.script(refuse_formats=("json_schema",), refuse_status=500)  # llama_cpp.server
        settings = load_settings(**fake.settings_overrides())
        ...
        fake.requests[-1].json()                    # what the client sent
        assert await fake.wait_closed(5)            # the client left mid-stream

Streaming answers are `chat.completion.chunk` SSE events (`data: {...}` lines: a role
chunk, one chunk per token, a finish chunk, a usage chunk when `stream_options.include_usage`
is set) and `data: [DONE]`. Non-streaming requests get a `chat.completion` whose content is
`extraction` (a dict or list is sent as JSON, a string verbatim: malformed JSON on purpose).
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tests.fakes.http_base import Exchange, FakeHTTPServer, RecordedRequest

_ERRORS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class OpenAIScript:
    """What the fake answers; every field has a harmless default."""

    tokens: Sequence[str | None] = ("Hello", ",", " world", "!")
    """Content deltas in order; `None` sends a delta without `content`."""
    delay: float = 0.0
    """Seconds between token chunks."""
    first_byte_delay: float = 0.0
    """Seconds before the response headers."""
    fail_status: int | None = None
    """Answer with this HTTP status and an OpenAI error body instead."""
    retry_after: float | None = None
    """`retry-after` header of the failure."""
    drop_after: int | None = None
    """Cut the connection after this many tokens."""
    error_after: int | None = None
    garbage_after: int | None = None
    """After this many tokens send an event whose data is not JSON, and end the body."""
    """After this many tokens send an in-stream `{"error": ...}` event and end the body."""
    finish_reason: str | None = "stop"
    usage: tuple[int, int] | None = None
    """(prompt, completion) tokens; default (9, number of tokens)."""
    send_usage: bool = True
    """Send the usage chunk (when the client asked for it)."""
    done: bool = True
    """Send `data: [DONE]`."""
    stall_after: int | None = None
    """After this many tokens send nothing more for `stall_seconds`, then end (a silent
    upstream: headers, then nothing)."""
    stall_seconds: float = 600.0
    endless_line_bytes: int = 0
    """Instead of events, send one `data:` line of this many bytes that never ends."""
    linger: float = 0.0
    """Seconds to keep the body open after the last event (a server slow to close)."""
    extraction: Mapping[str, Any] | Sequence[Any] | str | None = None
    """Content of non-streaming answers."""
    refuse_formats: Collection[str | None] = ()
    """`response_format.type`s to refuse, as servers do that do not know a format (`None`:
    any request without `response_format`, streaming chats included)."""
    refuse_status: int = 400
    """Status of a refusal."""
    refuse_body: Mapping[str, Any] | None = None
    """Body of a refusal; by default llama-cpp-python's for a 500, OpenAI's otherwise."""
    batch: bool = False
    """Write all events at once (benchmarks) instead of one write per event."""
    model: str = "gpt-fake"
    headers: Mapping[str, str] = field(default_factory=dict)


class FakeOpenAI(FakeHTTPServer):
    """The fake server; `script()` sets the standing answer, `script_once()` queues one."""

    api_key = "sk-fake-key"

    def __init__(self, **script: Any) -> None:
        super().__init__()
        self.current = OpenAIScript(**script)
        self._queue: deque[OpenAIScript] = deque()

    def script(self, **fields: Any) -> OpenAIScript:
        """Replace the standing answer (fields not given take their defaults)."""
        self.current = OpenAIScript(**fields)
        return self.current

    def script_once(self, **fields: Any) -> OpenAIScript:
        """Queue an answer for the next request only (queued ones are used first, FIFO)."""
        once = replace(self.current, **fields)
        self._queue.append(once)
        return once

    def settings_overrides(self) -> dict[str, str]:
        """`load_settings(**...)` arguments pointing the `openai` provider here."""
        return {
            "AI_PROVIDER": "openai",
            "OPENAI_API_KEY": self.api_key,
            "OPENAI_BASE_URL": f"{self.base_url}/v1",
            "OPENAI_MODEL": "gpt-fake",
        }

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Requests to `/v1/chat/completions`."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    async def handle(self, request: RecordedRequest, exchange: Exchange) -> None:
        """Answer per the script."""
        script = self._queue.popleft() if self._queue else self.current
        if script.first_byte_delay:
            await exchange.pause(script.first_byte_delay)
        if not request.path.endswith("/chat/completions"):
            await exchange.send_json(404, _error(404, "Not found"))
            return
        body = request.json()
        if script.fail_status is not None:
            headers = dict(script.headers)
            if script.retry_after is not None:
                headers["retry-after"] = f"{script.retry_after:g}"
            await exchange.send_json(
                script.fail_status, _error(script.fail_status, "Scripted failure"), headers
            )
        elif _format_type(body) in script.refuse_formats:
            refusal = script.refuse_body
            if refusal is None:
                refusal = _refusal(script.refuse_status, _format_type(body))
            await exchange.send_json(script.refuse_status, refusal)
        elif body.get("stream"):
            await self._stream(body, script, exchange)
        else:
            await exchange.send_json(200, _completion(script))

    async def _stream(self, body: dict[str, Any], script: OpenAIScript, ex: Exchange) -> None:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": script.model,
            "system_fingerprint": None,
        }
        if include_usage:
            base["usage"] = None

        def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return _sse({**base, "choices": [choice]})

        await ex.start_stream()
        if script.endless_line_bytes:
            await _endless_line(ex, script.endless_line_bytes)
            return
        head = [event({"role": "assistant", "content": ""})]
        tokens = []
        for i, token in enumerate(script.tokens):
            if i in (script.drop_after, script.error_after, script.garbage_after):
                break
            if i == script.stall_after:
                break
            tokens.append(event({} if token is None else {"content": token}))
        tail: list[bytes] = []
        if script.stall_after is not None:
            await ex.emit(head, tokens, tail, delay=script.delay)
            await ex.pause(script.stall_seconds)
            await ex.end_stream()
            return
        if script.drop_after is not None:
            await ex.emit(head, tokens, tail, delay=script.delay, batch=script.batch)
            ex.drop()
            return
        if script.garbage_after is not None:
            tail.append(b"data: {not json\n\n")
        elif script.error_after is not None:
            error = {"message": "The server had an error", "type": "server_error"}
            tail.append(_sse({"error": error}))
        else:
            tail.append(event({}, script.finish_reason))
            if include_usage and script.send_usage:
                prompt, completion = script.usage or (9, len(script.tokens))
                usage = {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                }
                tail.append(_sse({**base, "choices": [], "usage": usage}))
            if script.done:
                tail.append(b"data: [DONE]\n\n")
        await ex.emit(head, tokens, tail, delay=script.delay, batch=script.batch)
        if script.linger:
            await ex.pause(script.linger)
        await ex.end_stream()


async def _endless_line(ex: Exchange, size: int) -> None:
    """One line without an end, 64 KiB a write, until `size` bytes or the client leaves."""
    await ex.send(b"data: ")
    chunk = b"x" * 65536
    for _ in range(size // len(chunk)):
        await ex.send(chunk)
    await ex.end_stream()


def _sse(payload: object) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def _format_type(body: dict[str, Any]) -> str | None:
    fmt = body.get("response_format")
    return fmt.get("type") if isinstance(fmt, dict) else None


def _refusal(status: int, kind: str | None) -> dict[str, Any]:
    if status >= 500:  # llama-cpp-python: its request validation escapes as a 500
        message = (
            "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
            "  Input should be 'text' or 'json_object' [type=literal_error,"
            f" input_value='{kind}', input_type=str]"
        )
        error = {"message": message, "type": "internal_server_error", "param": None, "code": None}
        return {"error": error}
    message = f"response_format type {kind} is not supported by this server"
    return _error(status, message, param="response_format")


def _error(status: int, message: str, *, param: str | None = None) -> dict[str, Any]:
    kind, code = _ERRORS.get(status, ("server_error", None))
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _completion(script: OpenAIScript) -> dict[str, Any]:
    extraction = script.extraction if script.extraction is not None else {"flows": []}
    content = extraction if isinstance(extraction, str) else json.dumps(extraction)
    message = {"role": "assistant", "content": content, "refusal": None}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": script.model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
    }
