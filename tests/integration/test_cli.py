"""The `my-flow` command: tokens, migrations, configuration errors, and a real server process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from my_flow_api.auth.verifier import build_token_verifier
from my_flow_api.cli import main
from my_flow_api.config import get_settings, load_settings

BIN = Path(sys.executable).parent


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A clean environment with the data folder in tmp; settings re-read per test."""
    for name in list(os.environ):
        if name.startswith(("AI_", "OPENAI_", "ANTHROPIC_", "LOGTO_", "MONGODB_", "DATABASE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield {**os.environ, "DATA_DIR": str(tmp_path)}
    get_settings.cache_clear()


async def test_token_command_mints_a_token_the_server_accepts(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--user", "alice", "--scope", "read:flows", "--ttl", "60"]) == 0
    token = capsys.readouterr().out.strip()
    verifier = build_token_verifier(load_settings(_env_file=None))
    try:
        principal = await verifier.verify(token)
    finally:
        await verifier.aclose()
    assert principal.user_id == "alice"
    assert "read:flows" in principal.scopes


@pytest.mark.parametrize(
    ("extra", "args", "expected"),
    [
        (
            {"LOGTO_ENDPOINT": "https://a.example", "LOGTO_RESOURCE": "r"},
            ["token", "--user", "a"],
            "LOGTO_ENDPOINT",
        ),
        ({}, ["token", "--user", "a", "--ttl", "0"], "--ttl"),
        ({"AI_PROVIDER": "openai"}, ["db", "upgrade"], "OPENAI_API_KEY"),
        (
            {"AI_PROVIDER": "openai", "OPENAI_API_KEY": "sk-x\n"},
            ["db", "upgrade"],
            "OPENAI_API_KEY: contains a line break",
        ),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: dict[str, str],
    args: list[str],
    expected: str,
) -> None:
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert err.count("\n") == 1


def test_db_upgrade_creates_the_sqlite_schema(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "my_flow.db").exists()
    assert "latest revision" in capsys.readouterr().out


def test_uvicorn_with_bad_configuration_exits_with_one_line(env: dict[str, str]) -> None:
    bad = {**env, "AI_PROVIDER": "anthropic"}
    result = subprocess.run(
        [str(BIN / "uvicorn"), "my_flow_api.main:app"],
        env=bad,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("my-flow: invalid configuration")
    assert "ANTHROPIC_API_KEY" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_serve_runs_a_real_server_and_stops_on_sigterm(env: dict[str, str]) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        str(BIN / "my-flow"),
        "serve",
        "--port",
        str(port),
        env={**env, "LOG_FORMAT": "json"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            while True:
                try:
                    response = await client.get("/api/v1/health")
                    break
                except httpx.TransportError:
                    assert process.returncode is None, "the server exited"
                    assert time.monotonic() < deadline, "the server did not start"
                    await asyncio.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["store"] == "ok"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert b"service started" in stderr


async def _send_head(port: int, head: bytes, *, chunk: int = 64 * 1024) -> bytes:
    """Send `head` in `chunk`-sized writes and return what the server answers (b"" if it
    only closed); stop writing as soon as the server has answered or closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = asyncio.create_task(reader.read())
    try:
        for start in range(0, len(head), chunk):
            if answer.done():
                break
            writer.write(head[start : start + chunk])
            await writer.drain()
        return await asyncio.wait_for(answer, 10)
    except ConnectionError:  # closed while we were still writing, or reset
        return b""
    finally:
        writer.close()
        answer.cancel()
        await asyncio.gather(answer, return_exceptions=True)


def _request(header_bytes: int, *, finished: bool = True) -> bytes:
    head = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * header_bytes
    return head + (b"\r\nConnection: close\r\n\r\n" if finished else b"")


async def test_serve_refuses_oversized_request_headers_quickly_and_stays_up(
    env: dict[str, str],
) -> None:
    from my_flow_api.server.http_protocol import MAX_HEAD_BYTES

    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        str(BIN / "my-flow"),
        "serve",
        "--port",
        str(port),
        env={**env, "LOG_FORMAT": "json"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            while True:
                try:
                    await client.get("/api/v1/health")
                    break
                except httpx.TransportError:
                    assert process.returncode is None, "the server exited"
                    assert time.monotonic() < deadline, "the server did not start"
                    await asyncio.sleep(0.2)

            ok = await _send_head(port, _request(MAX_HEAD_BYTES - 1024))
            assert ok.startswith(b"HTTP/1.1 200 "), ok[:100]

            whole = await _send_head(port, _request(MAX_HEAD_BYTES + 1), chunk=1 << 30)
            assert whole.startswith(b"HTTP/1.1 431 "), whole[:100]
            assert json.loads(whole.split(b"\r\n\r\n", 1)[1])["code"] == "headers_too_large"

            started = time.monotonic()
            endless = await _send_head(port, _request(64 << 20, finished=False))
            assert time.monotonic() - started < 2
            assert endless == b"" or endless.startswith(b"HTTP/1.1 431 "), endless[:100]

            assert (await client.get("/api/v1/health")).status_code == 200
            assert process.returncode is None
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
