"""A system program a test needs: a skip with a one-line reason saying how to get it on a
developer's machine, a failure under `CI=true` (where `.ci/run` installs it)."""

from __future__ import annotations

import os

import pytest


def missing(what: str, how: str) -> None:
    """Skip, or fail under `CI=true`: `what` is not on this machine; `how` gets it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing; CI=true requires it ({how})")
    pytest.skip(f"{what} is missing: {how}")
