"""Running the real client libraries (`tests/node/`, pinned by its package-lock.json)
against the service: each scenario is a Node script that prints one JSON line of what the
client saw, for the test to check.

Without `tests/node/node_modules` (or without `node`) the tests skip, saying how to get
them; under `CI=true` that is a failure, since `.ci/run` installs them with `npm ci`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

from tests.support import system

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
INSTALL = "run `npm ci --prefix tests/node` (Node 20+) to test the real client libraries"


def node_or_skip() -> str:
    """The `node` binary once the client packages are installed; skip (fail under CI)."""
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node"
    elif not (NODE_DIR / "node_modules" / "ai").is_dir():
        missing = "tests/node/node_modules"
    if missing is not None:
        system.missing(missing, INSTALL)
    assert node is not None
    return node


async def run_client(
    script: str, base_url: str, token: str, context_id: str, limit: float = 40.0, **args: Any
) -> dict[str, Any]:
    """Run `tests/node/<script>` and return the JSON it printed."""
    node = node_or_skip()
    env = {
        **os.environ,
        "MYFLOW_BASE_URL": base_url,
        "MYFLOW_TOKEN": token,
        "MYFLOW_CONTEXT_ID": context_id,
        "MYFLOW_ARGS": json.dumps(args),
    }
    process = await asyncio.create_subprocess_exec(
        node,
        str(NODE_DIR / script),
        cwd=NODE_DIR,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(limit):
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, f"{script} failed ({process.returncode}):\n{err.decode()}"
    lines = out.decode().strip().splitlines()
    assert lines, f"{script} printed nothing:\n{err.decode()}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result
