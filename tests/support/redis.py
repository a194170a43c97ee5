"""Redis for tests: the shared server on 127.0.0.1:6379, a key prefix of each test's own.

Fixtures (a pytest plugin, registered in tests/conftest.py):
- `redis_url`: the server's URL; skipped (failed under `CI=true`) when it does not answer.
- `redis_prefix`: a fresh key prefix; every key under it is deleted after the test.
- `streams_mode`: settings for the memory mode, then for the Redis mode (parametrised).
- `private_redis`: a redis-server of the test's own on a free port, to stop and restart.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.mongo import free_port
from tests.support.system import in_ci

HOST = "127.0.0.1"
PORT = 6379


def _answers(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The shared test server (see the module docstring)."""
    url = f"redis://{HOST}:{PORT}/0"
    problem = _answers(url)
    if problem is not None:
        reason = f"Redis is not reachable at {HOST}:{PORT} ({problem})"
        if in_ci():
            pytest.fail(f"{reason}; CI=true requires it")
        pytest.skip(reason)
    return url


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of the test's own; its keys are deleted afterwards."""
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


STREAMS_MODES = [
    pytest.param("memory", id="memory"),
    pytest.param("redis", id="redis", marks=pytest.mark.redis),
]


@pytest.fixture(params=STREAMS_MODES)
def streams_mode(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings that keep streams in memory, then share them on Redis."""
    if request.param == "memory":
        return {}
    url = request.getfixturevalue("redis_url")
    return {"REDIS_URL": url, "REDIS_KEY_PREFIX": request.getfixturevalue("redis_prefix")}


class PrivateRedis:
    """A redis-server that only this test uses, on a free port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        assert server, "redis-server is not installed"
        args = [server, "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly"]
        self.process = subprocess.Popen(
            [*args, "no", "--dir", str(self.workdir)], stdout=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while _answers(self.url) is not None:
            assert time.monotonic() < deadline, "the private redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(5)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path, redis_url: str) -> Iterator[PrivateRedis]:
    """A started private redis-server, killed after the test."""
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
