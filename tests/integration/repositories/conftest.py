"""The `store` fixture: every contract test runs once per backend listed in BACKENDS.

A new backend is one more entry: a `pytest.param` naming the fixture that yields an
empty, ready `Store` for one test, with the backend's id and marks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from my_flow_api.config import load_settings
from my_flow_api.repositories.factory import create_store
from my_flow_api.repositories.protocols import Store

BACKENDS = [
    pytest.param("sqlite_store", id="sqlite"),
    pytest.param("postgres_store", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mongo_store", id="mongo"),
]


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """The embedded default, opened (and migrated) exactly as the app does, in tmp_path."""
    settings = load_settings(
        DATA_DIR=tmp_path / "data", DATABASE_URL=None, MONGODB_URI=None, _env_file=None
    )
    store = await create_store(settings)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Store:
    """An empty store of each backend in turn."""
    backend: Store = request.getfixturevalue(request.param)
    return backend
