"""The page's own JavaScript (SSE parser, resume bookkeeping, Markdown, error sentences),
unit-tested by Node's built-in runner from here, so `uv run pytest` covers it too."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import system

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = sorted((ROOT / "tests" / "js").glob("*.test.js"))


@pytest.mark.unit
def test_the_page_javascript_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        system.missing("node", "install Node 20+ (apt-get install nodejs) for the page's JS tests")
    assert JS_TESTS, "no tests/js/*.test.js found"
    result = subprocess.run(
        [node, "--test", *map(str, JS_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.MULTILINE)
    assert passed, result.stdout
    assert int(passed.group(1)) >= len(JS_TESTS)
