"""One TF-IDF block of the clause model: its n-grams' weighted sum, l2-normalised.

`Block.score` is the reference, one text at a time: every n-gram counted, each known one
weighted (sublinear tf times idf), the sum of squares and the dot product with the
coefficients accumulated in the n-grams' first-occurrence order. `Block.scores` gives the
same floats, bit for bit, for a whole conversation's candidates at once (in pure Python
this was the largest share of a long chat's turn): a word's known character n-grams are
looked up once per word, not once per use (a candidate repeats its sentence's words, a
chat's candidates share most of theirs), and the counting and weighing run in numpy.
The additions keep the reference's order (`numpy.cumsum` accumulates left to right, unlike
`sum`'s pairwise reduction), so the rounding is the reference's and so are the outputs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

import numpy as np
import numpy.typing as npt

from my_flow_api.services.extraction.learned.features import (
    CACHED_WORD_CHARS,
    char_ngrams,
)

Analyzer = Callable[[str], list[str]]
TermIds = Callable[[Sequence[str]], list[list[int]]]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
CACHED_WORDS = 32768
KEY_LIMIT = 2**62
"""`_first_occurrences` sorts (text, term, position) packed in one int64: a chat's 400
candidates of ~1,000 n-grams against 27k terms stay far below this."""


@dataclass(frozen=True, slots=True)
class Block:
    """A TF-IDF block: its analyser and, per term, (idf, coefficient)."""

    analyze: Analyzer
    weights: dict[str, tuple[float, float]]
    _idf: Floats = field(init=False, repr=False, compare=False)
    _coef: Floats = field(init=False, repr=False, compare=False)
    _ids: TermIds = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {term: i for i, term in enumerate(self.weights)}
        pairs = list(self.weights.values())
        object.__setattr__(self, "_idf", np.array([p[0] for p in pairs], dtype=np.float64))
        object.__setattr__(self, "_coef", np.array([p[1] for p in pairs], dtype=np.float64))
        chars = self.analyze is char_ngrams
        ids = _char_ids(index) if chars else _term_ids(self.analyze, index)
        object.__setattr__(self, "_ids", ids)

    def score(self, text: str) -> float:
        """The reference: the block's contribution to the clause model's logit."""
        weights = self.weights
        square = dot = 0.0
        for term, n in Counter(self.analyze(text)).items():
            known = weights.get(term)
            if known is not None:
                value = (1.0 + math.log(n) if n > 1 else 1.0) * known[0]
                square += value * value
                dot += value * known[1]
        return dot / math.sqrt(square) if square else 0.0

    def scores(self, texts: Sequence[str]) -> list[float]:
        """`score` of each text, bit for bit."""
        per_text = self._ids(texts)
        lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
        total = int(lengths.sum())
        if not total:
            return [0.0] * len(texts)
        if len(texts) * len(self._idf) * total >= KEY_LIMIT:
            return [self.score(text) for text in texts]  # never for a bounded chat
        flat = np.fromiter(chain.from_iterable(per_text), dtype=np.int64, count=total)
        square, dot = _sums(flat, lengths, self._idf, self._coef)
        return [d / math.sqrt(q) if q else 0.0 for d, q in zip(dot, square, strict=True)]


def _sums(flat: Ints, lengths: Ints, idf: Floats, coef: Floats) -> tuple[list[float], list[float]]:
    """Per text (its `lengths[k]` term ids in `flat`), the sum of squared weights and the
    dot product with the coefficients, each unique term once, in first-occurrence order."""
    n = len(lengths)
    position, count = _first_occurrences(flat, lengths, len(idf))
    text = np.repeat(np.arange(n, dtype=np.int64), lengths)[position]
    term = flat[position]
    value = _sublinear_tf(int(count.max()))[count] * idf[term]
    start = np.searchsorted(text, np.arange(n))
    place = np.arange(len(text)) - start[text]
    return _running_total(value * value, text, place, n), _running_total(
        value * coef[term], text, place, n
    )


def _first_occurrences(flat: Ints, lengths: Ints, size: int) -> tuple[Ints, Ints]:
    """Where each text's distinct terms first occur in `flat`, in order, and how often
    each occurs in its text: one sort of (text, term, position) keys, no Python loop."""
    total = len(flat)
    key = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths) * size + flat
    ordered = np.sort(key * total + np.arange(total, dtype=np.int64))
    pair, position = np.divmod(ordered, total)
    starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
    counts = np.diff(np.append(starts, total))
    by_position = np.zeros(total, dtype=np.int64)
    by_position[position[starts]] = counts
    first = np.flatnonzero(by_position)
    return first, by_position[first]


def _running_total(values: Floats, row: Ints, place: Ints, rows: int) -> list[float]:
    """Each row's values added left to right from 0.0 (the reference's `+=`)."""
    grid = np.zeros((rows, int(place.max()) + 1), dtype=np.float64)
    grid[row, place] = values
    totals: list[float] = np.cumsum(grid, axis=1)[:, -1].tolist()
    return totals


@lru_cache(maxsize=64)
def _sublinear_tf(most: int) -> Floats:
    """1.0 and 1 + ln(n) for n up to `most`, as the reference computes them (`math.log`)."""
    return np.array([1.0, 1.0] + [1.0 + math.log(n) for n in range(2, most + 1)])


def _term_ids(analyze: Analyzer, index: dict[str, int]) -> TermIds:
    """The analyser's known terms as ids, in order."""

    def ids(texts: Sequence[str]) -> list[list[int]]:
        return [[i for i in map(index.get, analyze(text)) if i is not None] for text in texts]

    return ids


def _char_ids(index: dict[str, int]) -> TermIds:
    """`char_ngrams`' known n-grams as ids, in order; a word's looked up once per call
    (a chat's candidates repeat their sentences' words) and, when short, once per worker
    (a conversation is read again every turn; long ones are not kept, `CACHED_WORD_CHARS`)."""

    @lru_cache(maxsize=CACHED_WORDS)
    def cached(word: str) -> tuple[int, ...]:
        return _known(word, index)

    def ids(texts: Sequence[str]) -> list[list[int]]:
        seen: dict[str, tuple[int, ...]] = {}
        out = []
        for text in texts:
            words = text.lower().split()
            for word in set(words).difference(seen):
                short = len(word) <= CACHED_WORD_CHARS
                seen[word] = cached(word) if short else _known(word, index)
            out.append(list(chain.from_iterable(map(seen.__getitem__, words))))
        return out

    return ids


def _known(word: str, index: dict[str, int]) -> tuple[int, ...]:
    """The ids of `word_char_ngrams(word)` in the vocabulary, in order (its cache is not
    needed: the caller keeps the ids)."""
    padded = f" {word} "  # `_cut` for a non-empty word, with no intermediate tuples
    size = len(padded)
    grams = [padded[i : i + 2] for i in range(size - 1)]
    grams += [padded[i : i + 3] for i in range(size - 2)]
    grams += [padded[i : i + 4] for i in range(size - 3)]
    return tuple([i for i in map(index.get, grams) if i is not None])
