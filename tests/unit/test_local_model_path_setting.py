"""`LOCAL_MODEL_PATH`: a bad file is refused at start-up, in one line naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from my_flow_api.cli import main
from my_flow_api.config import ConfigError, get_settings, load_settings

pytestmark = pytest.mark.unit


def _bad_paths(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "notes.gguf"
    text.write_text("not a model, only named like one")
    short = tmp_path / "short.gguf"
    short.write_bytes(b"GG")
    return {
        "missing": tmp_path / "missing.gguf",
        "directory": tmp_path,
        "not GGUF": text,
        "shorter than the magic": short,
    }


@pytest.mark.parametrize("case", ["missing", "directory", "not GGUF", "shorter than the magic"])
def test_a_bad_model_path_is_refused_naming_the_variable(tmp_path: Path, case: str) -> None:
    path = _bad_paths(tmp_path)[case]
    with pytest.raises(ConfigError) as caught:
        load_settings(AI_PROVIDER="local", LOCAL_MODEL_PATH=str(path), _env_file=None)
    message = str(caught.value)
    assert "LOCAL_MODEL_PATH" in message
    assert str(path) in message
    assert "\n" not in message


def test_a_file_starting_with_the_gguf_magic_is_accepted(tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF\x03\x00\x00\x00")  # llama.cpp judges the rest when it loads
    settings = load_settings(LOCAL_MODEL_PATH=str(model), _env_file=None)
    assert model == settings.LOCAL_MODEL_PATH


def test_an_empty_value_means_unset_and_tilde_is_expanded() -> None:
    assert load_settings(LOCAL_MODEL_PATH="", _env_file=None).LOCAL_MODEL_PATH is None
    with pytest.raises(ConfigError, match="LOCAL_MODEL_PATH") as caught:
        load_settings(LOCAL_MODEL_PATH="~/no-such-model.gguf", _env_file=None)
    assert str(Path.home() / "no-such-model.gguf") in str(caught.value)


def test_the_path_is_only_checked_for_the_local_provider(tmp_path: Path) -> None:
    missing = tmp_path / "missing.gguf"
    settings = load_settings(
        AI_PROVIDER="openai", OPENAI_API_KEY="k", LOCAL_MODEL_PATH=str(missing), _env_file=None
    )
    assert missing == settings.LOCAL_MODEL_PATH


def test_start_up_with_a_bad_model_path_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AI_PROVIDER", "local")
    monkeypatch.setenv("LOCAL_MODEL_PATH", str(tmp_path / "missing.gguf"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("my-flow: invalid configuration: LOCAL_MODEL_PATH: ")
    assert err.count("\n") == 1
