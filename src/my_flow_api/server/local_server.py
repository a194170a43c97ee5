"""Run the app on a local port inside the current event loop (the demo and the tests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from my_flow_api.server.http_protocol import HTTP_PROTOCOL


class ServerStartError(RuntimeError):
    """The server stopped before it was listening (port taken, lifespan failed …)."""


@asynccontextmanager
async def running_server(
    app: ASGIApp, port: int = 0, host: str = "127.0.0.1"
) -> AsyncIterator[str]:
    """Serve `app` with uvicorn (lifespan on) and yield its base URL; stop it on exit."""
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, lifespan="on", http=HTTP_PROTOCOL
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            raise ServerStartError("the server stopped before it was listening")
        await asyncio.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        await task
