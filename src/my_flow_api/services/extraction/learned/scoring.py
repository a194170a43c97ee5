"""The shipped clause classifier: loaded once from `clause_model.json`, scores candidates.

The artifact is built by `uv run python bench/train_clause_model.py` from committed data
(deterministic: same data, same file); `tests/unit/test_clause_model_artifact.py` checks it.

Scoring applies the stored idf weights (sublinear tf), l2 norm and coefficients per
candidate, as `TfidfVectorizer.transform` and `LogisticRegression` would (a test checks),
without importing scikit-learn at run time (see `features`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from my_flow_api.services.extraction.learned import rescoring
from my_flow_api.services.extraction.learned.features import char_ngrams, span_text, word_ngrams
from my_flow_api.services.extraction.learned.spans import Span
from my_flow_api.services.extraction.learned.tfidf import Analyzer, Block

ARTIFACT = Path(__file__).with_name("clause_model.json")


@dataclass(frozen=True, slots=True)
class ClauseModel:
    """Two TF-IDF blocks, the flags' weights, the second stage (`rescoring`, when the
    artifact has one) and the keep thresholds chosen by cross-validation: one for a
    conversation that ends with the assistant's answer, one for a conversation read before
    the answer (the embedded default's turn), whose candidates lack the answer's
    restatements."""

    blocks: tuple[Block, Block]
    flags: dict[str, float]
    intercept: float
    threshold: float
    rescorer: rescoring.Rescorer | None = None
    threshold_before_answer: float | None = None

    def threshold_for(self, answered: bool) -> float:
        """The keep threshold for a conversation that ends with an answer or not."""
        if answered or self.threshold_before_answer is None:
            return self.threshold
        return self.threshold_before_answer

    def probabilities(self, spans: Sequence[Span]) -> list[float]:
        """P(the span is one of the user's open tasks) for each span: the clause model's,
        rescored by the second stage."""
        first = self.clause_probabilities(spans)
        if self.rescorer is None:
            return first
        second = self.rescorer.probabilities(spans, first)
        # The trees weigh a candidate against the chat's others; a long paste of one
        # repeated line then buried a clear task said once beside it (0.89 -> 0.20). What
        # the clause model itself is sure of stays kept.
        return [max(a, b) if a >= SURE else b for a, b in zip(first, second, strict=True)]

    def clause_probabilities(self, spans: Sequence[Span]) -> list[float]:
        """The clause model's own probabilities (the second stage's input)."""
        texts = [span_text(span) for span in spans]
        words, chars = (block.scores(texts) for block in self.blocks)
        return [
            self._probability(span, (word, char))
            for span, word, char in zip(spans, words, chars, strict=True)
        ]

    def reference_probability(self, span: Span) -> float:
        """One span's probability, its blocks scored one text at a time (`Block.score`)."""
        text = span_text(span)
        return self._probability(span, tuple(block.score(text) for block in self.blocks))

    def _probability(self, span: Span, blocks: Sequence[float]) -> float:
        score = self.intercept + sum(blocks)
        score += sum(self.flags.get(name, 0.0) * value for name, value in span.flags.items())
        return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))


SURE = 0.85
"""A clause-model probability the second stage may not lower."""


def _block(analyze: Analyzer, stored: dict[str, object], coef: list[float]) -> Block:
    vocabulary = stored["vocabulary"]
    idf = stored["idf"]
    if not isinstance(vocabulary, dict) or not isinstance(idf, list):
        raise TypeError("clause model: a block needs a vocabulary and idf weights")
    return Block(analyze, {term: (idf[i], coef[i]) for term, i in vocabulary.items()})


def from_payload(payload: dict[str, object]) -> ClauseModel:
    """A model from the artifact's JSON payload."""
    words, chars, flags, coef = (payload[k] for k in ("words", "chars", "flags", "coef"))
    if not isinstance(words, dict) or not isinstance(chars, dict):
        raise TypeError("clause model: words and chars must be objects")
    if not isinstance(flags, list) or not isinstance(coef, list):
        raise TypeError("clause model: flags and coef must be lists")
    n_words, n_chars = len(words["vocabulary"]), len(chars["vocabulary"])
    return ClauseModel(
        blocks=(
            _block(word_ngrams, words, coef[:n_words]),
            _block(char_ngrams, chars, coef[n_words : n_words + n_chars]),
        ),
        flags=dict(zip(flags, coef[n_words + n_chars :], strict=True)),
        intercept=float(payload["intercept"]),  # type: ignore[arg-type]
        threshold=float(payload["threshold"]),  # type: ignore[arg-type]
        rescorer=rescoring.from_payload(payload["rescorer"]) if "rescorer" in payload else None,
        threshold_before_answer=(
            float(payload["threshold_before_answer"])  # type: ignore[arg-type]
            if "threshold_before_answer" in payload
            else None
        ),
    )


@cache
def shipped_model() -> ClauseModel:
    """The artifact shipped in the package."""
    return from_payload(json.loads(ARTIFACT.read_text(encoding="utf-8")))
