"""The server's own `send`, for the middle of a streamed body.

Between the server and a route, Starlette and our middleware wrap `send` four times: the
server-error middleware, the exception middleware and the route's exception wrapper each
note whether `http.response.start` went out, and the body limit's lingering send changes
the start and the *last* body message of a refused request. For the body messages in
between (`more_body: True`) every one of those wrappers only passes the message on, yet
each costs a coroutine call per streamed event: on a stream that is the per-token path.

`App` (the service's FastAPI) keeps the server's `send` in the scope, and a response
sends the middle of its body there (`body_send`), while its start and its last message
still go through every wrapper, so that what each wrapper looks at is unchanged.

A middleware that has to see every body message (compression, a body rewriter) would be
passed by; adding one means the stream response's middle messages must go through it
(drop `body_send` there).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

SERVER_SEND = "my_flow.server_send"
"""The scope key of the server's `send` (http scopes only)."""


class App(FastAPI):
    """FastAPI that keeps the server's `send` in an http scope (see the module)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[SERVER_SEND] = send
        await super().__call__(scope, receive, send)


def body_send(scope: Scope, send: Send) -> Send:
    """Where a response sends body messages with `more_body: True` after its start:
    the server's `send` when `App` kept it, else the `send` the response was given."""
    server_send: Send = scope.get(SERVER_SEND, send)
    return server_send
