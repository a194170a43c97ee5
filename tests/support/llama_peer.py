"""`python -m llama_cpp.server`, with llama.cpp's extra weight buffer types off.

llama.cpp repacks weights for AMX or other CPU kernels when the CPU reports them ("extra
buffer types"); on a machine whose kernel refuses AMX tile state to the process (some
virtual machines) the first decode then dies with SIGSEGV. llama.cpp's own `llama-server`
has `--no-repack` for this; llama-cpp-python's server has no such option, so this runs its
unchanged `__main__` with the model parameters' `use_extra_bufts` cleared. Arguments are
the server's own.
"""

from __future__ import annotations

import runpy
from typing import Any

import llama_cpp.llama_cpp as native

_default_params = native.llama_model_default_params


def _without_repacking() -> Any:
    params = _default_params()
    params.use_extra_bufts = False
    return params


if __name__ == "__main__":
    native.llama_model_default_params = _without_repacking
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
