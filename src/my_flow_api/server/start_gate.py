"""Admission ahead of authentication for the two HTTP operations that start a turn.

Under a start storm most of a refused start's cost, and most of an admitted one's delay,
came before `ChatService.start` asked for a start slot: token verification, validation
(issue 24's storm: p50 first token 0.66 s with a 0.25 s wait). This pure-ASGI gate reads
the whole body (never holding a slot while a client sends it), takes the slot
(`services/chat/admission.py`: the same bounded wait, the same `503 busy`), and only then
lets the request through; `ChatService.start` adopts the slot
(`request.state.start_slot`), and the gate frees it if nothing did (a 401, a 422 …).
`send` is passed through untouched: nothing is added per streamed event.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from my_flow_api.errors import ServiceBusyError
from my_flow_api.server.error_handlers import error_body, error_headers
from my_flow_api.services.chat.admission import ClientGoneError, StartAdmission, http_gone

STREAM_PATH = "/api/v1/conversations/stream"
CONTEXTS_PREFIX = "/api/v1/contexts/"
CHAT_SUFFIX = "/chat"


def starts_a_turn(scope: Scope) -> bool:
    """`POST /api/v1/conversations/stream` and `POST /api/v1/contexts/{id}/chat`."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    path: str = scope["path"]
    if path == STREAM_PATH:
        return True
    if not (path.startswith(CONTEXTS_PREFIX) and path.endswith(CHAT_SUFFIX)):
        return False
    return "/" not in path[len(CONTEXTS_PREFIX) : -len(CHAT_SUFFIX)]


class StartGate:
    """Takes a start slot before the app sees a request that starts a turn."""

    def __init__(
        self, app: ASGIApp, admission_of: Callable[[Scope], StartAdmission | None]
    ) -> None:
        self.app = app
        self.admission_of = admission_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not starts_a_turn(scope):
            await self.app(scope, receive, send)
            return
        admission = self.admission_of(scope)
        if admission is None:  # not started (no lifespan): the app answers as it would
            await self.app(scope, receive, send)
            return
        # The body first, always: a slot taken before it would let clients that trickle
        # their bodies (no token needed) hold every slot while real starts are refused.
        messages = await _read_body(receive)
        if messages[-1]["type"] == "http.disconnect":
            return
        if admission.has_free_slot():  # the common case: no watcher
            slot = admission.take()
        else:
            try:
                slot = await admission.enter(http_gone(receive))
            except ClientGoneError:
                return
            except ServiceBusyError as exc:
                response = JSONResponse(error_body(exc), 503, headers=error_headers(exc))
                await response(scope, receive, send)
                return
        replay = _replay(messages, receive)
        scope.setdefault("state", {})["start_slot"] = slot
        try:
            await self.app(scope, replay, send)
        finally:
            if not slot.taken:
                slot.release()


async def _read_body(receive: Receive) -> list[Message]:
    """The request's messages up to its last body chunk (or the client's disconnect);
    the body limit outside this gate has already bounded their size."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that first gives back the messages already read."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
