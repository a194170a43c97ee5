"""One cache for answers about a clause or sentence, which a turn asks for again and again
(a clause's title, its flags and its sentence ask about the same text).

Keyed on the text and the other arguments. A long text (a whole message) is answered but
not kept: 8,192 of them would hold megabytes for as long as the process lives.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import _CacheInfo, lru_cache, update_wrapper
from typing import Concatenate, Generic, ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")

CACHED_CHARS = 2_000
"""The longest text whose answer is kept."""
ENTRIES = 8_192


class ClauseCached(Generic[P, R]):
    """`answer(text, ...)`, from the cache when `text` is a clause's length."""

    def __init__(self, answer: Callable[Concatenate[str, P], R]) -> None:
        self.uncached = answer
        cached = lru_cache(maxsize=ENTRIES)(answer)
        self.cache_info: Callable[[], _CacheInfo] = cached.cache_info
        # The arguments are the function's own: hashable wherever it is called with a clause.
        self._cached = cast(Callable[Concatenate[str, P], R], cached)
        update_wrapper(self, answer)

    def __call__(self, text: str, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if len(text) > CACHED_CHARS:
            return self.uncached(text, *args, **kwargs)
        return self._cached(text, *args, **kwargs)


def clause_cached(answer: Callable[Concatenate[str, P], R]) -> ClauseCached[P, R]:
    """Decorate a pure function of a text (and hashable arguments) with the clause cache."""
    return ClauseCached(answer)
