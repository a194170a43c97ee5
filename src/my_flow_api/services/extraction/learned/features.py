"""What the classifier sees of a candidate: its words, its characters and its flags.

Training (`bench/train_clause_model.py`) fits scikit-learn's `TfidfVectorizer` with
`WORD_OPTIONS` and `CHAR_OPTIONS`. At run time the same n-grams come from `word_ngrams`
and `char_ngrams`, which reproduce those two analysers (lower case, the token pattern,
uni- and bigrams; `char_wb` 2-4-grams): importing scikit-learn and SciPy takes seconds on
this 2-core machine, ten times the model's load budget. `tests/unit/test_clause_model.py`
checks that both give the same n-grams and the same scores.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from my_flow_api.services.extraction.learned.spans import Span
from my_flow_api.services.extraction.text import fold

WORD_PATTERN = r"(?u)\b\w+\b"
WORD_OPTIONS: dict[str, object] = {
    "analyzer": "word",
    "ngram_range": (1, 2),
    "token_pattern": WORD_PATTERN,
    "sublinear_tf": True,
}
CHAR_OPTIONS: dict[str, object] = {
    "analyzer": "char_wb",
    "ngram_range": (2, 4),
    "sublinear_tf": True,
}
MAX_CHARS = 300
CONTEXT_WORDS = 16
KIND_WORDS = 12
_TOKEN = re.compile(WORD_PATTERN)


def span_text(span: Span) -> str:
    """The folded clause, its first word marked (what opens a task says most), the words
    of its sentence, the clause's first words marked with the kind of candidate (an
    assistant's proposal reads like a task whether or not the user took it), and the
    words of the title it would be saved under."""
    text = fold(span.clause[:MAX_CHARS])
    head = text.split()[0] if text.split() else ""
    around = " ".join(f"ctx{w}" for w in fold(span.context[:MAX_CHARS]).split()[:CONTEXT_WORDS])
    kind = next((name[5:] for name in span.flags if name.startswith("kind=")), "")
    kinded = " ".join(f"{kind}{w}" for w in text.split()[:KIND_WORDS])
    title = " ".join(f"ttl{w}" for w in fold(span.title).split())
    return f"{text} __first_{head} {around} {kinded} {title}"


def word_ngrams(text: str) -> list[str]:
    """`WORD_OPTIONS`' analyser: lower-cased tokens and their bigrams."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def char_ngrams(text: str) -> list[str]:
    """`CHAR_OPTIONS`' analyser: 2-4-grams inside each space-padded word."""
    out: list[str] = []
    for word in text.lower().split():
        out += word_char_ngrams(word)
    return out


def word_char_ngrams(word: str) -> tuple[str, ...]:
    """One lower-cased word's `char_ngrams`."""
    return _word_char_ngrams(word) if len(word) <= CACHED_WORD_CHARS else _cut(word)


CACHED_WORD_CHARS = 24
"""Longer "words" (hashes, URLs, random paste) are cut each time: cached, each would keep
~3 n-grams per character for the life of the worker."""


@lru_cache(maxsize=32768)
def _word_char_ngrams(word: str) -> tuple[str, ...]:
    # A candidate's text repeats its sentence's words (context, kind-marked words, title),
    # and a long chat's candidates share most of theirs: cut once per word, not per use.
    return _cut(word)


def _cut(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    out: list[str] = []
    for n in range(2, 5):
        out += [padded[i : i + n] for i in range(max(len(padded) - n + 1, 1))]
        if len(padded) <= n:  # a short word counts once, as scikit-learn counts it
            break
    return tuple(out)
