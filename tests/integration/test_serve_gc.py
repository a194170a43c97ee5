"""While `my-flow serve` runs, start-up objects are frozen and the collector runs on the
service's thresholds; both are given back when it stops. The app itself (what
`uvicorn my_flow_api.main:app` and the tests serve) keeps the interpreter's settings."""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from my_flow_api.cli import GC_THRESHOLDS, tuned_collector
from tests.support.app import make_settings, start_api

# `my-flow serve` in a fresh interpreter, with a thread that reads the collector's settings
# once the server answers, then stops it with SIGTERM as an operator would.
SERVE = """
import gc, json, os, signal, sys, threading, time
import httpx
from my_flow_api.cli import main

port = sys.argv[1]
seen = {"before": [gc.get_threshold(), gc.get_freeze_count()]}

def probe():
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health").raise_for_status()
            break
        except httpx.TransportError:
            time.sleep(0.1)
    seen["serving"] = [gc.get_threshold(), gc.get_freeze_count()]
    os.kill(os.getpid(), signal.SIGTERM)

threading.Thread(target=probe, daemon=True).start()
code = main(["serve", "--port", port])
seen["after"] = [gc.get_threshold(), gc.get_freeze_count()]
print(json.dumps({"code": code, **seen}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_collector_is_tuned_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    assert before != GC_THRESHOLDS
    with tuned_collector():
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # everything imported so far
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_serve_tunes_the_collector_while_it_serves(tmp_path: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AI_", "OPENAI_", "ANTHROPIC_", "LOGTO_", "MONGODB_", "DATABASE_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVE, str(_free_port())],
        env={**env, "DATA_DIR": str(tmp_path), "LOG_FORMAT": "json"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    thresholds, frozen = report["serving"]
    assert tuple(thresholds) == GC_THRESHOLDS
    assert frozen > 10_000  # the application's modules and objects
    assert report["after"] == report["before"]
    assert tuple(report["before"][0]) != GC_THRESHOLDS


async def test_the_app_keeps_the_interpreters_collector_settings(tmp_path: Path) -> None:
    before = gc.get_threshold()
    async for api in start_api(make_settings(tmp_path)):
        assert (await api.client().get("/api/v1/health")).status_code == 200
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0
