"""The server's `send` kept for the middle of a streamed body (`server/direct_send.py`)."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from my_flow_api.server.direct_send import SERVER_SEND, App, body_send


async def _receive() -> Message:
    return {"type": "http.disconnect"}


async def test_app_keeps_the_server_send_of_an_http_scope() -> None:
    seen: list[Scope] = []
    app = App()

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    app.build_middleware_stack = lambda: inner  # type: ignore[method-assign]

    async def server_send(message: Message) -> None:
        pass

    await app({"type": "http", "path": "/", "headers": []}, _receive, server_send)
    await app({"type": "websocket", "path": "/", "headers": []}, _receive, server_send)
    assert seen[0][SERVER_SEND] is server_send
    assert SERVER_SEND not in seen[1]


def test_body_send_falls_back_to_the_send_given() -> None:
    async def given(message: Message) -> None:
        pass

    async def server(message: Message) -> None:
        pass

    assert body_send({"type": "http"}, given) is given
    assert body_send({"type": "http", SERVER_SEND: server}, given) is server
