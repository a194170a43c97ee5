"""The second stage of the classifier: boosted trees over the clause model's probability,
the candidate's flags and what the rest of the conversation's candidates scored.

The clause model (`scoring`) is linear in n-grams and flags: it cannot weigh one flag by
another (an offer the user answered with a number, a pasted line under a claim) nor see how
its score stands against the conversation's other candidates (a chat's one clear task, or
a chat where everything scores the same). The trees are fitted by
`bench/train_clause_model.py` on the clause model's out-of-fold probabilities (so they
learn from the scores it gives chats it has not seen) with scikit-learn's
`HistGradientBoostingClassifier`; here they are walked without importing scikit-learn
(`tests/unit/services/extraction/test_clause_model.py` checks both agree).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from my_flow_api.services.extraction.learned.forest import Forest, Node
from my_flow_api.services.extraction.learned.spans import Span

CONTEXT = [
    "logit",
    "chat_max_logit",
    "below_chat_max",
    "below_turn_max",
    "rank_in_chat",
    "chat_likely",
    "chat_size",
]
"""The conversation-level inputs, before the flags (`features`)."""
RANKS = 10
LIKELY = 0.5
EPSILON = 1e-4


def _logit(p: float) -> float:
    p = min(max(p, EPSILON), 1.0 - EPSILON)
    return math.log(p / (1.0 - p))


def features(
    spans: Sequence[Span], probabilities: Sequence[float], flags: Sequence[str]
) -> list[list[float]]:
    """Per candidate: the `CONTEXT` values, then its flags in the order of `flags`."""
    if not spans:
        return []
    turn_max: dict[int, float] = {}
    for span, p in zip(spans, probabilities, strict=True):
        turn_max[span.order[0]] = max(turn_max.get(span.order[0], 0.0), p)
    ranked = sorted(probabilities, reverse=True)
    rank: dict[float, int] = {}
    for place, p in enumerate(ranked):  # `ranked.index(p)` without a scan per candidate
        rank.setdefault(p, place)
    top = ranked[0]
    likely = sum(p >= LIKELY for p in probabilities)
    rows = []
    for span, p in zip(spans, probabilities, strict=True):
        row = [
            _logit(p),
            _logit(top),
            p - top,
            p - turn_max[span.order[0]],
            min(rank[p], RANKS) / RANKS,
            min(likely, RANKS) / RANKS,
            math.log1p(len(probabilities)),
        ]
        row += [span.flags.get(name, 0.0) for name in flags]
        rows.append(row)
    return rows


@dataclass(frozen=True, slots=True)
class Rescorer:
    """Boosted trees: the baseline plus each tree's leaf value, through the logistic."""

    baseline: float
    trees: tuple[tuple[Node, ...], ...]
    flags: tuple[str, ...]
    _forest: Forest = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_forest", Forest.of(self.baseline, self.trees))

    def probabilities(self, spans: Sequence[Span], first: Sequence[float]) -> list[float]:
        """P(the span is one of the user's open tasks) from the clause model's `first`:
        every candidate down every tree at once (`forest`), as `_probability` walks one."""
        rows = features(spans, first, self.flags)
        return [_logistic(score) for score in self._forest.scores(rows)]

    def _probability(self, row: Sequence[float]) -> float:
        """The reference walk of one row (`forest` gives the same floats)."""
        score = self.baseline
        for tree in self.trees:
            node = tree[0]
            while node[0] >= 0:
                node = tree[node[2] if row[node[0]] <= node[1] else node[3]]
            score += node[4]
        return _logistic(score)


def _logistic(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))


def from_payload(payload: object) -> Rescorer:
    """The rescorer from the artifact's `rescorer` object."""
    if not isinstance(payload, dict):
        raise TypeError("clause model: the rescorer must be an object")
    trees = payload["trees"]
    flags = payload["flags"]
    if not isinstance(trees, list) or not isinstance(flags, list):
        raise TypeError("clause model: the rescorer needs trees and flags")
    return Rescorer(
        baseline=float(payload["baseline"]),
        trees=tuple(
            tuple(
                (int(f), float(t), int(left), int(right), float(v)) for f, t, left, right, v in tree
            )
            for tree in trees
        ),
        flags=tuple(str(name) for name in flags),
    )
