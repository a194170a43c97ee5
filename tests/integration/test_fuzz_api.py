"""schemathesis against the real service: every operation, every phase (examples,
coverage, fuzzing, stateful through the spec's links) and every check, on a real socket
with a fake OpenAI-compatible upstream.

Bounded by `FUZZ_SECONDS` (default 100). The seed is fixed under `CI`, random otherwise,
and always printed; `FUZZ_SEED=<n>` replays a run. A failure prints schemathesis' report,
which gives the reproducing `curl` for each failing case (the token is filtered out: mint
one with `uv run my-flow token --user <name>`).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api, make_settings
from tests.support.system import in_ci

pytestmark = [pytest.mark.fuzz, pytest.mark.integration]

CI_SEED = 15
DEFAULT_SECONDS = 100
FLOWS = {"flows": [{"title": "Book a flight", "priority": "high"}]}


def fuzz_seed() -> int:
    """`FUZZ_SEED`, else the fixed CI seed under `CI`, else a fresh random one."""
    if os.environ.get("FUZZ_SEED"):
        return int(os.environ["FUZZ_SEED"])
    if in_ci():
        return CI_SEED
    return random.SystemRandom().randrange(1, 2**31)


async def real_stream(api: Api) -> tuple[str, str]:
    """A finished stream of the fuzzer's: (stream id, conversation id)."""
    client = api.client("fuzzer")
    context = await client.post("/api/v1/contexts", json={"name": "Fuzz"})
    body = {"context_id": context.json()["id"], "messages": [{"role": "user", "content": "Hi"}]}
    async with client.stream("POST", "/api/v1/conversations/stream", json=body) as response:
        assert response.status_code == 200
        await response.aread()
    stream_id = response.headers["x-stream-id"]
    state = await client.post(f"/api/v1/conversations/streams/{stream_id}/cancel")
    return stream_id, state.json()["conversation_id"]


REJECTIONS = (
    "[checks.negative_data_rejection]\n"
    'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415",'
    ' "422", "428", "429", "5xx"]\n\n'
)
"""Schemathesis's own list plus 413: a schema-violating body that is also over the 1 MiB
body limit (a thousand parts of long text) is rejected before it is parsed, and that is a
rejection too. Top-level tables come before the `[[operations]]` array in TOML."""


def write_config(folder: Path, stream_id: str, conversation_id: str) -> Path:
    """Test data besides the spec's links: the stream and conversation operations are
    called with real ids in every phase, not only when a stateful scenario gets there."""
    config = folder / "schemathesis.toml"
    config.write_text(
        REJECTIONS
        + "\n".join(
            f'[[operations]]\ninclude-operation-id = "{op}"\n'
            f'parameters = {{ {name} = "{value}" }}\n'
            for op, name, value in (
                ("resume_stream", "stream_id", stream_id),
                ("cancel_stream", "stream_id", stream_id),
                ("get_conversation", "conversation_id", conversation_id),
            )
        )
    )
    return config


def schemathesis_command(api: Api, config: Path, seed: int, seconds: int) -> list[str]:
    """`st run` with every check against the running service."""
    cli = Path(sys.executable).with_name("st")
    return [
        str(cli),
        "--config-file",
        str(config),
        "run",
        f"{api.base_url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        str(seed),
        "--max-time",
        str(seconds),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
        "--header",
        f"Authorization: Bearer {api.token('fuzzer')}",
    ]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["Sure", ", ", "done", "."], extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    return make_settings(
        tmp_path / "data",
        **fake.settings_overrides(),
        AI_TIMEOUT_SECONDS=5.0,
        STREAM_FIRST_TOKEN_WAIT_SECONDS=2.0,
        LOG_LEVEL="WARNING",
    )


async def test_schemathesis_finds_no_failure(api: Api, tmp_path: Path) -> None:
    seed = fuzz_seed()
    seconds = int(os.environ.get("FUZZ_SECONDS", DEFAULT_SECONDS))
    config = write_config(tmp_path, *await real_stream(api))
    command = schemathesis_command(api, config, seed, seconds)
    print(f"schemathesis seed {seed}, {seconds} s (replay: FUZZ_SEED={seed})")
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=seconds + 240)
    report = output.decode(errors="replace")
    print(report)
    assert process.returncode == 0, f"seed {seed}:\n{report}"
    assert "No issues found" in report or "passed" in report, report
