"""The body-size limit answers 413 whether the size is declared or only streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from starlette.types import Message, Receive, Scope, Send

from my_flow_api.server.body_limit import BodyLimitMiddleware
from my_flow_api.server.error_handlers import install_error_handlers

LIMIT = 1024


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=LIMIT)
    received: list[int] = []
    app.state.received = received

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        body = await request.body()
        received.append(len(body))
        return {"size": len(body)}

    @app.post("/json")
    async def parsed(payload: dict[str, str]) -> dict[str, int]:
        received.append(len(payload))
        return {"keys": len(payload)}

    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_within_the_limit_passes() -> None:
    app = _app()
    async with _client(app) as client:
        response = await client.post("/echo", content=b"x" * LIMIT)
    assert response.status_code == 200
    assert response.json() == {"size": LIMIT}


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    app = _app()
    async with _client(app) as client:
        response = await client.post("/echo", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert app.state.received == []


async def test_streamed_body_over_the_limit_is_refused() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b"y" * 256

    app = _app()
    async with _client(app) as client:
        response = await client.post("/echo", content=chunks())
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"Request body exceeds {LIMIT} bytes",
        "code": "payload_too_large",
    }
    assert app.state.received == []


async def test_streamed_body_over_the_limit_is_refused_by_a_validated_route() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"k": "'
        for _ in range(8):
            yield b"z" * 256
        yield b'"}'

    app = _app()
    async with _client(app) as client:
        response = await client.post(
            "/json", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert app.state.received == []


async def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        seen.append(str(scope["type"]))

    middleware = BodyLimitMiddleware(inner, max_bytes=LIMIT)  # type: ignore[arg-type]
    await middleware({"type": "lifespan"}, None, None)  # type: ignore[arg-type]
    assert seen == ["lifespan"]


async def _read_body(scope: Scope, receive: Receive, send: Send) -> None:
    """An ASGI app with no error handlers that reads the whole body, then answers 200."""
    while (await receive()).get("more_body", False):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"read"})


async def test_the_rest_of_an_oversized_body_is_read_before_the_413_ends() -> None:
    pulled: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(16):
            pulled.append(i)
            yield b"y" * 256

    app = BodyLimitMiddleware(_read_body, max_bytes=LIMIT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/", content=chunks())
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    assert response.json()["code"] == "payload_too_large"
    assert len(pulled) == 16, "the whole body was read and dropped"


async def test_the_linger_ends_when_the_client_is_gone() -> None:
    messages: list[Message] = [
        {"type": "http.request", "body": b"z" * (LIMIT + 1), "more_body": True},
        {"type": "http.disconnect"},
    ]
    calls = 0

    async def receive() -> Message:
        nonlocal calls
        calls += 1
        return messages[min(calls, len(messages)) - 1]

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    app = BodyLimitMiddleware(_read_body, max_bytes=LIMIT)
    await app({"type": "http", "headers": []}, receive, send)
    assert calls == 2, "no read after the disconnect"
    assert sent[0]["status"] == 413
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
