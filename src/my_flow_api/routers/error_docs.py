"""What the OpenAPI document says each operation can answer besides success.

Every refusal has the one body `error_handlers.py` writes, `{"detail", "code"}`; the
mappings here put it, with the statuses an operation really returns, into the spec, so a
generated client and `/docs` know them (issue 15). A status is listed only where the code
can send it: `400` appears nowhere because no route raises it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Responses = dict[int | str, dict[str, Any]]


class ValidationIssue(BaseModel):
    """One problem with the request, as pydantic reports it."""

    model_config = ConfigDict(extra="allow")

    type: str
    loc: list[str | int]
    msg: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: str | list[ValidationIssue] = Field(
        description="A sentence; for `422`, the list of problems with the request"
    )
    code: str = Field(description="Machine-readable: `not_found`, `validation_error`, …")
    stream_id: str | None = Field(
        default=None,
        description="`conversation_busy` only: the stream generating the running turn"
        " (resume it with `GET /api/v1/conversations/streams/{stream_id}`)",
    )


_TEXT = {"schema": {"type": "string"}}
_DESCRIPTIONS: dict[int, tuple[str, dict[str, Any]]] = {
    401: ("Missing, malformed, expired or unverifiable token", {"WWW-Authenticate": _TEXT}),
    403: ("The token lacks a scope the service requires (`AUTH_REQUIRED_SCOPES`)", {}),
    404: ("Not found, or not the caller's: the two are never told apart", {}),
    409: (
        "`conversation_busy`: a turn of the conversation is still running (`stream_id`"
        " names its stream); `history_conflict`: the history sent does not continue the"
        " stored one",
        {},
    ),
    413: ("The body (`MAX_BODY_BYTES`) or the chat (`MAX_CHAT_CHARS`) is too large", {}),
    415: ("The body is not labelled `application/json` in UTF-8", {}),
    422: ("A parameter or the body is invalid (not JSON, wrong type, out of range)", {}),
    429: ("Too many concurrent streams for this user", {"Retry-After": _TEXT}),
    502: ("The AI provider failed before the first token", {}),
    503: ("The store, the identity provider or the AI provider is unavailable", {}),
    504: ("The AI provider timed out before the first token", {}),
}


def errors(*statuses: int) -> Responses:
    """`responses=` entries for `statuses`, each with the error body and its headers."""
    out: Responses = {}
    for status in statuses:
        description, headers = _DESCRIPTIONS[status]
        entry: dict[str, Any] = {"model": ErrorBody, "description": description}
        if headers:
            entry["headers"] = headers
        out[status] = entry
    return out


def json_errors(*statuses: int) -> Responses:
    """`errors(*statuses)` for an operation whose success is not JSON (an event stream):
    FastAPI would file a `model` under the operation's own media type, so the body is
    referenced under `application/json` instead (the other operations' `model` puts
    `ErrorBody` among the components)."""
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    out = errors(*statuses)
    for entry in out.values():
        del entry["model"]
        entry["content"] = ref
    return out


START_BUSY = (
    "`busy`: the worker is starting as many turns as it can (`STREAM_MAX_STARTING` turns"
    " before their first token) and no start slot freed up within"
    " `STREAM_START_WAIT_SECONDS`; nothing was stored and no per-user slot is held: retry"
    " after `Retry-After` seconds. Otherwise the store, the identity provider, Redis or the"
    " AI provider is unavailable, or the service is shutting down"
)


def start_errors(*statuses: int) -> Responses:
    """`json_errors(*statuses)` for an operation that starts a turn: its `503` may also be
    admission's `busy`, with `Retry-After`."""
    out = json_errors(*statuses)
    if 503 in out:
        out[503] = {**out[503], "description": START_BUSY, "headers": {"Retry-After": _TEXT}}
    return out


AUTHENTICATED = errors(401, 403, 422, 503)
"""What any operation behind a token can answer: set on each router."""

JSON_BODY = errors(413, 415)
"""What an operation reading a JSON body adds."""

MISSING = errors(404)
