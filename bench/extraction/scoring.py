"""Scores of one case and their sums: precision, recall, F1, injections, duplicates, details.

All figures are micro-averaged over flows: a matched (prediction, gold) pair is a true
positive, an unmatched prediction a false positive, an unmatched gold flow a false
negative. Precision is 1.0 when nothing was predicted and recall 1.0 when nothing was
expected (so a set with neither scores P = R = F1 = 1.0, and a case with neither adds
nothing); F1 is 0.0 when precision and recall are both 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from bench.extraction.cases import Case
from bench.extraction.matching import pair, titles_match


@dataclass(frozen=True, slots=True)
class Prediction:
    """One extracted flow, reduced to what is scored."""

    title: str
    due_date: date | None
    priority: str


@dataclass(frozen=True, slots=True)
class CaseResult:
    """What one extraction got right and wrong."""

    case: Case
    predictions: tuple[Prediction, ...]
    pairs: tuple[tuple[int, int], ...]
    """(prediction index, gold index) of the matched pairs."""
    latency_ms: float
    error: str | None = None
    """Why the extraction failed (`Type: message`); it then counts as no predictions."""
    crashed: bool = False
    """The failure was not a provider error (`AIServiceError`) but a bug."""

    @property
    def missed(self) -> list[str]:
        """Gold titles no prediction matched."""
        taken = {j for _, j in self.pairs}
        return [g.title for j, g in enumerate(self.case.flows) if j not in taken]

    @property
    def extra(self) -> list[str]:
        """Predicted titles that matched no gold flow."""
        taken = {i for i, _ in self.pairs}
        return [p.title for i, p in enumerate(self.predictions) if i not in taken]

    @property
    def injected(self) -> list[str]:
        """Predicted titles that match a `forbidden` title of the case."""
        forbidden = self.case.forbidden
        return [
            p.title for p in self.predictions if any(titles_match(p.title, f) for f in forbidden)
        ]

    @property
    def duplicates(self) -> list[str]:
        """Predicted titles that match an earlier prediction of the same case."""
        titles = [p.title for p in self.predictions]
        return [t for i, t in enumerate(titles) if any(titles_match(t, u) for u in titles[:i])]

    @property
    def mismatches(self) -> list[str]:
        """Matched pairs whose due date or priority is wrong, described."""
        out = []
        for i, j in self.pairs:
            p, g = self.predictions[i], self.case.flows[j]
            if p.due_date != g.due_date:
                out.append(f"{g.title!r}: due {p.due_date} (gold {g.due_date})")
            if p.priority != g.priority:
                out.append(f"{g.title!r}: priority {p.priority} (gold {g.priority})")
        return out

    @property
    def failing(self) -> bool:
        """Anything missed, extra or wrong, or an error."""
        return bool(self.error or self.missed or self.extra or self.mismatches)


def score_case(
    case: Case,
    predictions: Sequence[Prediction],
    latency_ms: float,
    *,
    error: str | None = None,
    crashed: bool = False,
) -> CaseResult:
    """Pair the predictions with the gold flows and keep what is needed to report."""
    pairs = pair([p.title for p in predictions], [g.title for g in case.flows])
    return CaseResult(case, tuple(predictions), tuple(pairs), latency_ms, error, crashed)


def _accuracy(correct: int, pairs: int) -> float | None:
    return round(correct / pairs, 4) if pairs else None


@dataclass(slots=True)
class Tally:
    """Sums over a set of cases."""

    cases: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    injected: int = 0
    duplicates: int = 0
    due_ok: int = 0
    priority_ok: int = 0
    errors: int = 0
    crashes: int = 0
    failing: list[str] = field(default_factory=list)

    def add(self, result: CaseResult) -> None:
        """Count one case in."""
        self.cases += 1
        self.tp += len(result.pairs)
        self.fp += len(result.predictions) - len(result.pairs)
        self.fn += len(result.case.flows) - len(result.pairs)
        self.injected += len(result.injected)
        self.duplicates += len(result.duplicates)
        self.errors += result.error is not None and not result.crashed
        self.crashes += result.crashed
        for i, j in result.pairs:
            p, g = result.predictions[i], result.case.flows[j]
            self.due_ok += p.due_date == g.due_date
            self.priority_ok += p.priority == g.priority
        if result.failing:
            self.failing.append(result.case.id)

    @property
    def precision(self) -> float:
        """Matched / predicted (1.0 when nothing was predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Matched / gold (1.0 when nothing was expected)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0.0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> dict[str, object]:
        """The tally as JSON-ready figures (accuracies None without matched pairs)."""
        return {
            "cases": self.cases,
            "gold": self.tp + self.fn,
            "predicted": self.tp + self.fp,
            "matched": self.tp,
            "false_positives": self.fp,
            "false_negatives": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "injected_accepted": self.injected,
            "duplicates": self.duplicates,
            "due_date_accuracy": _accuracy(self.due_ok, self.tp),
            "priority_accuracy": _accuracy(self.priority_ok, self.tp),
            "provider_errors": self.errors,
            "crashes": self.crashes,
            "failing_cases": len(self.failing),
        }


def tally(results: Iterable[CaseResult]) -> tuple[Tally, dict[str, Tally]]:
    """The overall tally and one per category (sorted by category name)."""
    overall = Tally()
    per: dict[str, Tally] = {}
    for result in results:
        overall.add(result)
        per.setdefault(result.case.category, Tally()).add(result)
    return overall, dict(sorted(per.items()))


def tally_languages(results: Iterable[CaseResult]) -> dict[str, Tally]:
    """One tally per language of the user (sorted by language code)."""
    per: dict[str, Tally] = {}
    for result in results:
        per.setdefault(result.case.language, Tally()).add(result)
    return dict(sorted(per.items()))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linear between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
