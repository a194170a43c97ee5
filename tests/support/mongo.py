"""MongoDB for tests: a wire-protocol server for the session, a fresh database per test.

Fixtures (a pytest plugin, registered in tests/conftest.py):
- `mongo_uri`: session-wide URI. With `TEST_MONGODB_URI` set, that server (genuine
  MongoDB or Atlas) is used as it is. Otherwise an in-memory `nx-27017` (the PyPI
  package, a MongoDB wire-protocol server on SQLite) is started on a free 127.0.0.1
  port, waited for until it answers a ping, and stopped at the end.
- `mongo_store`: a connected `MongoStore` on a uniquely named database, dropped after.

nx-27017 is started through `tests/support/nx_server.py`, which corrects the
differences from MongoDB that the store runs into (see there); the others are listed in
NX_QUIRKS. Its PID and log files are kept in a temporary folder of the session, since by
default they sit at fixed paths in /tmp and a second server refuses to start.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from my_flow_api.config import load_settings
from my_flow_api.repositories.mongo import MongoStore

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0
URI_VARIABLE = "TEST_MONGODB_URI"

NX_QUIRKS = (
    "index names and key directions are not kept: listIndexes shows generated names, all 1",
    "partialFilterExpression is ignored; a unique index still skips documents lacking the"
    " field, because SQLite never counts NULL keys as duplicates",
    "on its SQL fast path, count_documents disagrees with find for null/$exists filters",
    "$type queries match nothing",
    "a fixed PID file at /tmp lets only one server run at a time",
)
"""Differences from genuine MongoDB that need no correction (the store does not rely on
them); those that do are corrected by nx_server.py."""

SERVER_SCRIPT = Path(__file__).with_name("nx_server.py")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def answers_ping(uri: str, timeout_ms: int = 250) -> bool:
    """True when a MongoDB server at `uri` answers a ping within `timeout_ms`."""
    client: MongoClient[dict[str, object]] = MongoClient(
        uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
    )
    try:
        client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return True


def start_nx(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start an in-memory nx-27017 on a free port; returns the process and its URI."""
    port = free_port()
    command = [sys.executable, str(SERVER_SCRIPT), "--db", "memory", "-p", str(port)]
    command += ["--pid-file", str(folder / "nx.pid"), "--log-file", str(folder / "nx.log")]
    output = (folder / "nx.out").open("wb")
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    output.close()
    uri = f"mongodb://{HOST}:{port}/"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not answers_ping(uri):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            log = (folder / "nx.out").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"nx-27017 did not start on port {port}:\n{log}")
        time.sleep(0.1)
    return process, uri


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server: SIGTERM, then SIGKILL if it does not exit within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URI of the session's MongoDB server (see the module docstring)."""
    configured = os.environ.get(URI_VARIABLE)
    if configured:
        yield configured
        return
    process, uri = start_nx(tmp_path_factory.mktemp("nx-27017"))
    try:
        yield uri
    finally:
        stop(process)


@pytest.fixture
async def mongo_store(mongo_uri: str) -> AsyncIterator[MongoStore]:
    """A connected `MongoStore` on a fresh database, dropped after the test."""
    name = f"my_flow_test_{uuid.uuid4().hex[:12]}"
    settings = load_settings(MONGODB_URI=mongo_uri, MONGODB_DB_NAME=name, _env_file=None)
    store = await MongoStore.connect(settings)
    try:
        yield store
    finally:
        try:
            await store.client.drop_database(name)
        finally:
            await store.close()
