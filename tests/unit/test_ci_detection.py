"""Under CI a missing program fails the run instead of skipping; every usual spelling of
`CI` counts, and a developer's machine (unset, empty, "false") still skips."""

from __future__ import annotations

import pytest

from tests.support import system


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", "on", " true ", "woodpecker"])
def test_ci_spellings_count_as_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert system.in_ci()


@pytest.mark.parametrize("value", ["", "false", "0", "no", "off", "FALSE"])
def test_other_values_are_a_developer_machine(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert not system.in_ci()


def test_unset_is_a_developer_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not system.in_ci()


def test_missing_program_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="nginx is missing; CI=true requires it"):
        system.missing("nginx", "apt-get install nginx")


def test_missing_program_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="nginx is missing: apt-get install nginx"):
        system.missing("nginx", "apt-get install nginx")
