"""Settings: defaults, and one clear line naming the variable when something is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from my_flow_api.config import AIProvider, ConfigError, load_settings


def test_defaults_are_the_embedded_ones(tmp_path: Path) -> None:
    settings = load_settings(DATA_DIR=tmp_path, _env_file=None)
    assert settings.AI_PROVIDER is AIProvider.LOCAL
    assert settings.local_auth
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path.as_posix()}/my_flow.db"
    assert settings.uses_embedded_database
    assert settings.AUTH_REQUIRED_SCOPES == []


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"AI_PROVIDER": "openai"}, "OPENAI_API_KEY"),
        ({"AI_PROVIDER": "anthropic"}, "ANTHROPIC_API_KEY"),
        ({"AI_PROVIDER": "gpt"}, "AI_PROVIDER"),
        ({"LOGTO_ENDPOINT": "https://auth.example"}, "LOGTO_RESOURCE"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"MAX_BODY_BYTES": "12"}, "MAX_BODY_BYTES"),
        ({"OPENAI_API_KEY": "sk-secret\n"}, "OPENAI_API_KEY"),
        ({"AI_PROVIDER": "openai", "OPENAI_API_KEY": "sk-\r\nX-Evil: 1"}, "OPENAI_API_KEY"),
        ({"ANTHROPIC_API_KEY": "sk-ant-\x00"}, "ANTHROPIC_API_KEY"),
    ],
)
def test_bad_configuration_names_the_variable(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**overrides, _env_file=None)
    message = str(caught.value)
    assert named in message
    assert "\n" not in message
    assert "secret" not in message
    assert "Evil" not in message


def test_scopes_are_read_from_a_space_or_comma_separated_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUTH_REQUIRED_SCOPES", "read:flows, write:flows  chat")
    settings = load_settings(_env_file=None)
    assert settings.AUTH_REQUIRED_SCOPES == ["read:flows", "write:flows", "chat"]


def test_postgres_url_is_not_embedded() -> None:
    settings = load_settings(DATABASE_URL="postgresql+asyncpg://u@h/db", _env_file=None)
    assert not settings.uses_embedded_database
