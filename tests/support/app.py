"""The whole service on a real local socket, with tokens for any user.

`api` serves the real app (real store, real auth in local mode) through uvicorn on
127.0.0.1, so streaming responses arrive exactly as a client would see them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from my_flow_api.config import Settings, load_settings

CLOSED_PORT_URL = "http://127.0.0.1:9/v1"


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Test settings: local auth, SQLite in `data_dir`, an OpenAI upstream that is not there."""
    values: dict[str, Any] = {
        "DATA_DIR": data_dir,
        "AI_PROVIDER": "openai",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": CLOSED_PORT_URL,
        "LOG_FORMAT": "console",
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


@dataclass
class Api:
    """A running service and clients that act as a given user."""

    base_url: str
    settings: Settings
    app: FastAPI
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def token(self, user: str, scopes: Sequence[str] = (), ttl: int = 3600) -> str:
        from my_flow_api.auth.local_keys import mint_local_token

        return mint_local_token(self.settings, user, scopes=tuple(scopes), ttl_seconds=ttl)

    def client(self, user: str | None = None, scopes: Sequence[str] = ()) -> httpx.AsyncClient:
        """An HTTP client for `user` (no Authorization header when None)."""
        headers = {"Authorization": f"Bearer {self.token(user, scopes)}"} if user else {}
        client = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)
        self.clients.append(client)
        return client


async def start_api(settings: Settings, **seams: Any) -> AsyncIterator[Api]:
    """Serve the app built from `settings` (and `create_app`'s seams: `ai`,
    `session_factory`) until the generator is closed."""
    # Imported here: importing `my_flow_api.main` builds its module-level app from the
    # environment, which a plugin loaded for every test must not do at collection time.
    from my_flow_api.main import create_app
    from my_flow_api.server.local_server import running_server

    app = create_app(settings, **seams)
    async with running_server(app) as base_url:
        api = Api(base_url, settings, app)
        try:
            yield api
        finally:
            for client in api.clients:
                await client.aclose()


@pytest.fixture
def api_settings(tmp_path: Path) -> Settings:
    """Override in a test module to serve with other settings."""
    return make_settings(tmp_path)


@pytest.fixture
async def api(api_settings: Settings) -> AsyncIterator[Api]:
    """The service on a real socket, built from `api_settings`."""
    async for running in start_api(api_settings):
        yield running


STORES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mongo", id="mongo"),
]


@pytest.fixture(params=STORES)
def store_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings that put the API on each store in turn (use it in `api_settings`)."""
    if request.param == "postgres":
        return {"DATABASE_URL": request.getfixturevalue("postgres_db")}
    if request.param == "mongo":
        uri = request.getfixturevalue("mongo_uri")
        return {"MONGODB_URI": uri, "MONGODB_DB_NAME": f"api_{uuid.uuid4().hex[:12]}"}
    return {}
