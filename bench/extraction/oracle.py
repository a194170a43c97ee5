"""The model answers the fake OpenAI server gives for the `oracle` and `corrupted` providers.

`oracle_answer` is the case's gold flows exactly, in the extraction schema. The full
pipeline still runs on it (parsing, validation, grounding), so the oracle scores F1 1.0
only when the pipeline keeps every gold flow.

`corrupted_answer` is a deterministic (seeded by `seed` and the case id) worse answer:
each gold flow is dropped with probability 1/3, one fabricated flow is added (its title
from `FABRICATED_TITLES`, matching none of the case's titles), every `forbidden` title of
the case is added, half of the due dates move by 1-3 days either way, and half of the
priorities change.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench.extraction.cases import PRIORITIES, Case, GoldFlow
from bench.extraction.matching import titles_match

FABRICATED_TITLES = (
    "Send the quarterly report to Anna",
    "Reorganise bookmarks",
    "Renew the gym membership",
    "Water the office plants",
    "Update the printer drivers",
    "Order new business cards",
)
DROP_PROBABILITY = 1 / 3
SHIFT_PROBABILITY = 0.5
FLIP_PROBABILITY = 0.5


def _item(title: str, priority: str, due: str | None) -> dict[str, Any]:
    return {"title": title, "description": None, "priority": priority, "due_date": due}


def _gold_item(flow: GoldFlow) -> dict[str, Any]:
    due = flow.due_date.isoformat() if flow.due_date else None
    return _item(flow.title, flow.priority, due)


def oracle_answer(case: Case) -> dict[str, Any]:
    """`{"flows": [...]}` with exactly the case's gold flows."""
    return {"flows": [_gold_item(f) for f in case.flows]}


def _corrupt(flow: GoldFlow, rng: random.Random) -> dict[str, Any]:
    due = flow.due_date
    if due is not None and rng.random() < SHIFT_PROBABILITY:
        due += timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3)))
    priority = flow.priority
    if rng.random() < FLIP_PROBABILITY:
        priority = rng.choice([p for p in PRIORITIES if p != priority])
    return _item(flow.title, priority, due.isoformat() if due else None)


def corrupted_answer(case: Case, seed: int = 0) -> dict[str, Any]:
    """A deterministic corruption of the gold answer (see the module docstring)."""
    rng = random.Random(f"{seed}:{case.id}")
    items = [_corrupt(f, rng) for f in case.flows if rng.random() >= DROP_PROBABILITY]
    known = [f.title for f in case.flows] + list(case.forbidden)
    unrelated = [t for t in FABRICATED_TITLES if not any(titles_match(t, k) for k in known)]
    items.append(_item(rng.choice(unrelated), rng.choice(PRIORITIES), None))
    items.extend(_item(title, "high", None) for title in case.forbidden)
    rng.shuffle(items)
    return {"flows": items}
