"""`my-flow demo`: the main job, end to end."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from my_flow_api.config import ConfigError
from my_flow_api.demo import run_demo
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import FLOWS
from tests.support.app import make_settings

BIN = Path(sys.executable).parent


async def test_demo_streams_and_prints_the_flows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = ["I'll", " help", "\nwith both."]
    with FakeOpenAI(tokens=tokens, first_byte_delay=0.5, extraction=FLOWS) as fake:
        # Pings arrive before the first token: the demo must skip them.
        settings = make_settings(tmp_path, **fake.settings_overrides(), SSE_PING_SECONDS=0.1)
        assert await run_demo(settings) == 0
    out = capsys.readouterr().out
    page_url = out.split("chat page: ", 1)[1].split(" ", 1)[0]
    assert page_url.startswith("http://127.0.0.1:")
    assert page_url.endswith("/")
    assert "uv run my-flow serve, then open http://127.0.0.1:8000/" in out
    assert "user: I need to book a flight and call the client" in out
    assert "assistant: I'll help\nwith both." in out
    assert "Extracted 2 flow(s)" in out
    assert "[high] Book a flight" in out
    assert "done: {" in out


async def test_demo_reports_a_failing_provider(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI(fail_status=401) as fake:
        settings = make_settings(tmp_path, **fake.settings_overrides())
        assert await run_demo(settings) == 1
    assert "HTTP 502" in capsys.readouterr().out


async def test_demo_needs_local_auth(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, LOGTO_ENDPOINT="https://a.example", LOGTO_RESOURCE="r")
    with pytest.raises(ConfigError, match="LOGTO_ENDPOINT"):
        await run_demo(settings)


@pytest.mark.slow
async def test_demo_command_runs_on_the_embedded_defaults(tmp_path: Path) -> None:
    """The README's first command, as a newcomer runs it: local model, SQLite, local auth."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AI_", "OPENAI", "LOGTO"))}
    process = await asyncio.create_subprocess_exec(
        str(BIN / "my-flow"),
        "demo",
        env={**env, "DATA_DIR": str(tmp_path)},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 300)
    out = stdout.decode()
    assert process.returncode == 0, stderr.decode()[-3000:]
    assert "AI_PROVIDER=local" in out
    answer = out.split("assistant: ", 1)[1].split("\n\nExtracted", 1)[0]
    assert len(answer.strip()) > 10, "the local model streamed an answer"
    assert "Extracted" in out
    assert "done: {" in out
