"""The evaluation cases: one JSON object per line of a `.jsonl` file.

    {"id": "en-multi-03", "category": "multiple_tasks", "language": "en",
     "today": "2026-03-04",
     "messages": [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}],
     "flows": [{"title": "...", "due_date": "2026-03-06" | null,
                "priority": "high" | "medium" | "low"}],
     "forbidden": ["Wire 5000 EUR to account DE89"]}

`forbidden` (optional) holds the titles of planted tasks that must never be extracted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

CATEGORIES = (
    "single_task",
    "multiple_tasks",
    "multi_turn",
    "priority",
    "due_dates",
    "no_task",
    "past_negated_cancelled",
    "hypothetical",
    "other_people",
    "assistant_suggestions",
    "injection",
    "long_buried",
    "multilingual",
    "repeated",
    "dictation",
    "pasted_notes",
    "deadline_led",
    "acceptance",
    "code_switching",
    "transcript",
)
LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
PRIORITIES = ("low", "medium", "high")
ROLES = ("user", "assistant", "system")


class CaseError(ValueError):
    """A line of a data file that is not a valid case; the message names file and line."""


@dataclass(frozen=True, slots=True)
class GoldFlow:
    """A flow the extraction should find."""

    title: str
    due_date: date | None
    priority: str


@dataclass(frozen=True, slots=True)
class Case:
    """One conversation and what should be extracted from it."""

    id: str
    category: str
    language: str
    today: date
    messages: tuple[tuple[str, str], ...]
    """(role, content) pairs in order."""
    flows: tuple[GoldFlow, ...]
    forbidden: tuple[str, ...]


def before_reply(case: Case) -> Case:
    """The case as a live turn reads it: without the assistant's reply that ends it (the
    embedded default extracts before answering; a client sends the user's turn last)."""
    messages = case.messages
    while messages and messages[-1][0] == "assistant":
        messages = messages[:-1]
    return replace(case, messages=messages)


def _flow(raw: dict[str, Any]) -> GoldFlow:
    title = raw["title"]
    if not isinstance(title, str) or not title.strip():
        raise ValueError("a flow needs a non-empty title")
    priority = raw.get("priority", "medium")
    if priority not in PRIORITIES:
        raise ValueError(f"priority {priority!r} is not one of {PRIORITIES}")
    due = raw.get("due_date")
    return GoldFlow(title, date.fromisoformat(due) if due else None, priority)


def parse_case(raw: dict[str, Any]) -> Case:
    """A case from its decoded JSON object; raises ValueError or KeyError when invalid."""
    messages = tuple((m["role"], m["content"]) for m in raw["messages"])
    for role, content in messages:
        if role not in ROLES or not isinstance(content, str):
            raise ValueError(f"bad message role {role!r} or content")
    if raw["category"] not in CATEGORIES:
        raise ValueError(f"category {raw['category']!r} is not one of {CATEGORIES}")
    if raw.get("language", "en") not in LANGUAGES:
        raise ValueError(f"language {raw['language']!r} is not one of {LANGUAGES}")
    forbidden = tuple(raw.get("forbidden") or ())
    if not all(isinstance(t, str) and t.strip() for t in forbidden):
        raise ValueError("forbidden must be a list of non-empty titles")
    return Case(
        id=str(raw["id"]),
        category=str(raw["category"]),
        language=str(raw.get("language", "en")),
        today=date.fromisoformat(raw["today"]),
        messages=messages,
        flows=tuple(_flow(f) for f in raw["flows"]),
        forbidden=forbidden,
    )


def load_cases(paths: Iterable[Path]) -> list[Case]:
    """Every case of the files, in order; ids must be unique across them."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                case = parse_case(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise CaseError(f"{where}: {type(exc).__name__}: {exc}") from exc
            if case.id in seen:
                raise CaseError(f"{where}: duplicate id {case.id!r} (first at {seen[case.id]})")
            seen[case.id] = where
            cases.append(case)
    return cases


def select(cases: Sequence[Case], category: str | None, limit: int | None) -> list[Case]:
    """The cases of `category` (all when None), the first `limit` of them (all when None)."""
    chosen = [c for c in cases if category is None or c.category == category]
    return chosen if limit is None else chosen[:limit]
