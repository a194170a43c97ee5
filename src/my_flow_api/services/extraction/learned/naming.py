"""The title a candidate would be saved under: `make_title`, then the title gate."""

from __future__ import annotations

from functools import lru_cache

from my_flow_api.services.extraction.titlegate import gate_title
from my_flow_api.services.extraction.titles import make_title


@lru_cache(maxsize=8192)
def title_of(phrase: str, language: str) -> str | None:
    """The gated title of a task phrase, or None. Cached: every turn reads the whole
    conversation again, and a candidate without a title is skipped before its features
    cost anything."""
    title = make_title(phrase, language)
    return gate_title(title) if title else None
