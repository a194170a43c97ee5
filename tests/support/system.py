"""A system program a test needs: a skip with a one-line reason saying how to get it on a
developer's machine, a failure under `CI=true` (where `.ci/run` installs it)."""

from __future__ import annotations

import os

import pytest

# CI services spell it differently (GitHub and GitLab "true", others "1", "yes" or their
# own name, Woodpecker "woodpecker"); unset, empty or a "no" word is a developer's machine.
_NOT_CI = frozenset({"", "false", "0", "no", "off"})


def in_ci() -> bool:
    """Whether this run is CI's, where every program a test needs must be present."""
    return os.environ.get("CI", "").strip().lower() not in _NOT_CI


def missing(what: str, how: str) -> None:
    """Skip, or fail under CI: `what` is not on this machine; `how` gets it."""
    if in_ci():
        pytest.fail(f"{what} is missing; CI=true requires it ({how})")
    pytest.skip(f"{what} is missing: {how}")
