"""How an OpenAI-compatible server is asked for JSON: a ladder of output modes, and the
mode each server was last seen to accept.

Servers differ in what `response_format` they take: OpenAI and vLLM take `json_schema`,
llama-cpp-python's `llama_cpp.server` knows only `json_object` (and refuses `json_schema`
with HTTP 500), and some servers take neither. A request starts at the mode remembered for
its base URL and moves down the ladder only while the server *refuses the mode*; any other
failure (bad key, rate limit, an outage, a timeout) ends the walk at once, because asking
again in another mode would not help and would hide the real error.

The last rung sends no `response_format` at all: the schema travels in the system prompt,
and the caller's forgiving parser (`model_output.parse_flows`) copes with code fences and
prose around the object.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

import structlog

from my_flow_api.services.ai.errors_map import ProviderStatusError

log = structlog.get_logger(__name__)


class JsonMode(StrEnum):
    """A way of asking for JSON, from the most to the least constrained."""

    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    INSTRUCTIONS = "instructions"


LADDER: tuple[JsonMode, ...] = (JsonMode.JSON_SCHEMA, JsonMode.JSON_OBJECT, JsonMode.INSTRUCTIONS)

REFUSAL_STATUSES = frozenset({400, 415, 422})
"""Statuses that mean "not this request shape": servers validating `response_format`."""

FORMAT_WORDS = (
    "response_format",
    "response format",
    "json_schema",
    "json_object",
    "input should be",
)
"""Words in a 500's body that show the server choked on the format, not that it is down:
llama-cpp-python lets its request validation escape as a 500 ("Input should be 'text' or
'json_object'")."""

SCHEMA_INSTRUCTION = (
    "Answer with one JSON object and nothing else (no prose, no code fences) that matches"
    " this JSON schema:"
)

Send = Callable[[JsonMode], Awaitable[str]]
"""Sends the request in one mode and returns the answer's text."""


@dataclass(frozen=True, slots=True)
class ModeRequest:
    """What a mode changes in a request: the system prompt and the `response_format`."""

    system: str
    response_format: dict[str, Any] | None


def mode_request(
    mode: JsonMode, *, system: str, schema: dict[str, Any], schema_name: str
) -> ModeRequest:
    """The system prompt and `response_format` (None: leave it out) for `mode`."""
    if mode is JsonMode.JSON_SCHEMA:
        strict = {"name": schema_name, "schema": schema, "strict": True}
        return ModeRequest(system, {"type": "json_schema", "json_schema": strict})
    if mode is JsonMode.JSON_OBJECT:
        return ModeRequest(system, {"type": "json_object"})
    compact = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
    return ModeRequest(f"{system}\n\n{SCHEMA_INSTRUCTION}\n{compact}", None)


def refuses_mode(exc: ProviderStatusError) -> bool:
    """Whether the server refused the request's output mode (rather than failed)."""
    if exc.status in REFUSAL_STATUSES:
        return True
    if exc.status != 500:
        return False
    text = json.dumps(exc.body, ensure_ascii=False, default=str).lower()
    return any(word in text for word in FORMAT_WORDS)


class InfoLog(Protocol):
    """Where a change of mode is reported (a structlog logger)."""

    def info(self, event: str, **fields: Any) -> Any: ...


class ModeMemory:
    """The first mode that worked, per base URL, so later requests start there.

    One instance (`MODE_MEMORY`) is shared by the process: a provider built again for the
    same server does not pay for the refusals again.
    """

    def __init__(self, logger: InfoLog | None = None) -> None:
        self._modes: dict[str, JsonMode] = {}
        self._log = log if logger is None else logger

    def start(self, base_url: str) -> JsonMode:
        """The mode to try first for `base_url`."""
        return self._modes.get(_key(base_url), LADDER[0])

    def learn(self, base_url: str, mode: JsonMode) -> None:
        """Remember that `mode` worked; logged once, when it changes what is remembered."""
        previous = self.start(base_url)
        if mode is previous:
            return
        self._modes[_key(base_url)] = mode
        self._log.info(
            "structured output mode changed",
            endpoint=_origin(base_url),
            mode=mode.value,
            previous=previous.value,
        )

    def forget(self, base_url: str) -> None:
        """Start from the top of the ladder again for `base_url`."""
        self._modes.pop(_key(base_url), None)


MODE_MEMORY = ModeMemory()


async def complete_in_modes(send: Send, memory: ModeMemory, base_url: str) -> str:
    """The answer in the first mode the server accepts, from the remembered one down.

    A failure that is not a refusal propagates at once; when every mode is refused, the
    last refusal does.
    """
    modes = LADDER[LADDER.index(memory.start(base_url)) :]
    for mode in modes[:-1]:
        try:
            return await _learning(send, mode, memory, base_url)
        except ProviderStatusError as exc:
            if not refuses_mode(exc):
                raise
            log.debug("server refused an output mode", mode=mode.value, status=exc.status)
    return await _learning(send, modes[-1], memory, base_url)


async def _learning(send: Send, mode: JsonMode, memory: ModeMemory, base_url: str) -> str:
    text = await send(mode)
    memory.learn(base_url, mode)
    return text


def _key(url: str) -> str:
    # Base URLs come with or without a trailing slash: `.../v1` and `.../v1/` are one server.
    parts = urlsplit(url)
    return parts._replace(path=parts.path.rstrip("/")).geturl()


def _origin(url: str) -> str:
    """Scheme, host and port only: a base URL may carry credentials in its userinfo,
    query or path, and this goes to the logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
