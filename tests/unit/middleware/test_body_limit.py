"""The body-size limit answers 413 whether the size is declared or only streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request

from my_flow_api.error_handlers import install_error_handlers
from my_flow_api.middleware.body_limit import BodyLimitMiddleware

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
