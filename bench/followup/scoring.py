"""Scoring of one follow-up case: the seeded flows' final state, and the new flows.

A seeded flow is *right* when its final state is the labelled one: `complete` completed;
`cancel` gone from the open list; `reschedule` open with the labelled due day;
`reprioritise` open with the labelled priority; `refine` open with a title matching the
labelled one (`titles_match`); any other flow exactly as seeded (open, same title, due
day and priority). A *false change* is a flow labelled to stay that did not. New flows
are paired with the labelled ones by `titles_match`; a created flow matching a seeded
open flow is a *duplicate*, one matching a `forbidden` title an accepted injection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from bench.extraction.matching import pair, titles_match

from my_flow_api.models.flow import Flow


@dataclass
class CaseScore:
    """What one case scored."""

    case_id: str
    category: str
    language: str
    seeded: int = 0
    right: int = 0
    false_changes: int = 0
    wrong: list[str] = field(default_factory=list)
    new_tp: int = 0
    new_fp: int = 0
    new_fn: int = 0
    duplicates: int = 0
    injected: int = 0
    latency_ms: float = 0.0
    extraction_ms: float = 0.0
    error: str | None = None


def _day(flow: Flow) -> date | None:
    return flow.due_date.astimezone(UTC).date() if flow.due_date else None


def _expected_ok(seed: dict[str, Any], change: dict[str, Any] | None, final: Flow | None) -> bool:
    if change is None:
        return (
            final is not None
            and not final.is_completed
            and final.title == seed["title"]
            and str(_day(final)) == str(seed["due_date"])
            and final.priority.value == seed["priority"]
        )
    op = change["op"]
    if op == "cancel":
        return final is None or final.is_completed
    if final is None:
        return False
    if op == "complete":
        return final.is_completed
    if final.is_completed:
        return False
    if op == "reschedule":
        return str(_day(final)) == change["due_date"]
    if op == "reprioritise":
        return final.priority.value == change["priority"]
    return titles_match(final.title, change["title"]) and final.title != seed["title"]


def score_case(
    case: dict[str, Any], finals: dict[str, Flow | None], created: list[Flow], latency_ms: float
) -> CaseScore:
    """Score a case from the final state of its seeded flows (by case flow id) and the
    flows the turn created."""
    score = CaseScore(case["id"], case["category"], case["language"], latency_ms=latency_ms)
    changes = {c["flow_id"]: c for c in case["changes"]}
    for seed in case["open_flows"]:
        score.seeded += 1
        change = changes.get(seed["id"])
        if _expected_ok(seed, change, finals.get(seed["id"])):
            score.right += 1
            continue
        score.wrong.append(seed["id"])
        if change is None:
            score.false_changes += 1
    titles = [f.title for f in created]
    gold = [g["title"] for g in case["new_flows"]]
    pairs = pair(titles, gold)
    score.new_tp = len(pairs)
    score.new_fp = len(titles) - len(pairs)
    score.new_fn = len(gold) - len(pairs)
    seeded_titles = [s["title"] for s in case["open_flows"]]
    score.duplicates = sum(1 for t in titles if any(titles_match(t, s) for s in seeded_titles))
    score.injected = sum(
        1 for t in titles if any(titles_match(t, bad) for bad in case.get("forbidden", []))
    )
    return score


def summary(scores: list[CaseScore]) -> dict[str, Any]:
    """Overall figures."""
    seeded = sum(s.seeded for s in scores)
    tp, fp, fn = (sum(getattr(s, k) for s in scores) for k in ("new_tp", "new_fp", "new_fn"))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else 0.0

    latencies = [s.latency_ms for s in scores]
    extraction = [s.extraction_ms for s in scores]

    return {
        "cases": len(scores),
        "seeded_flows": seeded,
        "change_accuracy": round(sum(s.right for s in scores) / seeded, 4) if seeded else 1.0,
        "false_changes": sum(s.false_changes for s in scores),
        "wrong_flows": sum(len(s.wrong) for s in scores),
        "new_flows": {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 4),
                      "recall": round(recall, 4), "f1": round(f1, 4)},
        "duplicates": sum(s.duplicates for s in scores),
        "injected_accepted": sum(s.injected for s in scores),
        "errors": sum(1 for s in scores if s.error),
        "latency_ms": {"p50": pct(latencies, 0.5), "p95": pct(latencies, 0.95),
                       "max": pct(latencies, 1.0)},
        "extraction_ms": {"p50": pct(extraction, 0.5), "p95": pct(extraction, 0.95),
                          "max": pct(extraction, 1.0)},
    }  # fmt: skip
