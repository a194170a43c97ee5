"""Word alternations grouped by first letter (`alternation`) match what the plain
alternation matches, with IGNORECASE, at the same places."""

from __future__ import annotations

import random
import re
import string
import sys

import pytest

from my_flow_api.services.extraction import datewords, priority, titles
from my_flow_api.services.extraction.alternation import (
    alternatives,
    by_first_letter,
    letter_class,
    word_led,
)
from my_flow_api.services.extraction.learned import spans

_EVERY_CHARACTER = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)


@pytest.mark.parametrize("letter", [*string.ascii_lowercase, "ü", "é", "ç"])
def test_the_class_is_what_ignorecase_matches(letter: str) -> None:
    expected = {m.group() for m in re.finditer(re.escape(letter), _EVERY_CHARACTER, re.I)}
    found = {m.group() for m in re.finditer(letter_class(letter), _EVERY_CHARACTER)}
    assert found == expected


def test_a_letter_with_no_single_case_pair_is_refused() -> None:
    with pytest.raises(ValueError, match="single-case"):
        letter_class("ß")
    with pytest.raises(ValueError, match="single-case"):
        letter_class("-")


_LISTS = {
    "months": datewords._MONTH_FORMS,
    "leading months": [w for w in datewords._MONTH_FORMS if w not in datewords._DAY_FIRST_ONLY],
    "weekdays": datewords._forms(datewords._WEEKDAYS),
    "numbers": [*sorted(datewords._NUMBERS, key=len, reverse=True), r"a\s+couple\s+of"],
}


def _texts(words: list[str]) -> list[str]:
    plain = [w.replace(r"\s+", " ") for w in words]
    rng = random.Random(7)
    odd = ["ſ", "İ", "ı", "\u212a", "-", " ", "feira", "1", "é"]
    out = [" ".join(plain), " ".join(w.upper() for w in plain), "ſeptember İ \u212a"]
    for _ in range(300):
        parts = rng.choices(plain + odd, k=rng.randint(1, 8))
        text = rng.choice(["", " "]).join(parts)
        out.append("".join(c.upper() if rng.random() < 0.3 else c for c in text))
    return out


@pytest.mark.parametrize("name", list(_LISTS))
def test_grouped_matches_where_the_plain_alternation_does(name: str) -> None:
    words = _LISTS[name]
    plain = re.compile(rf"\b(?:{'|'.join(words)})", re.I)
    grouped = re.compile(rf"\b(?:{by_first_letter(words)})", re.I)
    for text in _texts(words):
        expected = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in grouped.finditer(text)] == expected, text


def test_the_date_words_are_grouped() -> None:
    assert by_first_letter(_LISTS["weekdays"]) == datewords.WEEKDAYS
    assert by_first_letter(_LISTS["numbers"]) == datewords.NUMBERS


def test_a_long_run_of_one_letter_stays_linear() -> None:
    pattern = re.compile(rf"\b(?:{datewords.MONTHS})\b", re.I)
    assert pattern.search("m" * 50_000) is None
    assert pattern.search("mar " * 12_500) is not None


_TAKE_BACK_BEFORE = re.compile(
    r"scratch|forget|never\s*mind|ignore|remove|delete|strike|cancel|\btake\b|done|sorted|"
    r"handled|taken\s+care|fixed|\boff\b|no\s+need|already|doing|handling|covering|came|"
    r"turned\s+up|showed\s+up|olvid|borra|quita|elimina|descarta|ya\s+no|hecho|resuelto|"
    r"listo|vergiss|streich|lösch|ignorier|erledigt|\bweg\b|nicht\s+mehr|oubli|laisse|"
    r"annule|supprim|effac|plus\s+besoin|\bfait\b|réglé|lascia|dimentica|cancella|annulla|"
    r"fatto|esquece|deixa|cancela|apaga|feito|já|\bnot?\b|n['’]t|nicht|\bpas\b|\bnon\b|não|"
    r"never|nunca|jamais|more|longer|plus|mehr|più|mais",
    re.IGNORECASE,
)
"""The take-back prefilter as one plain alternation: the reference of the grouped one."""


def test_the_take_back_prefilter_finds_what_the_plain_alternation_finds() -> None:
    words = [
        w.replace(r"\s*", " ").replace(r"\s+", " ").replace("['’]", "'")
        for w in spans._TAKE_BACK_WORDS + spans._TAKE_BACK_WHOLE_WORDS
    ]
    words = [w.replace("?", "") for w in words] + ["no", "nota", "offer", "tak", "ta ke"]
    for text in _texts(words):
        assert bool(spans._MAY_TAKE_BACK.search(text)) == bool(_TAKE_BACK_BEFORE.search(text))
    assert spans._MAY_TAKE_BACK.search("x" * 50_000) is None


def test_alternatives_split_only_at_the_top_level() -> None:
    assert alternatives(r"\ba(?:b|c)|[|x]|\||d") == [r"\ba(?:b|c)", "[|x]", r"\|", "d"]
    assert alternatives("[]|]a|b") == ["[]|]a", "b"]
    assert alternatives("a") == ["a"]


def test_word_led_refuses_an_alternative_without_a_leading_word() -> None:
    with pytest.raises(ValueError, match="open with"):
        word_led(r"\bno\b|(?:high|top)\s+priority")


_PRIORITY_BEFORE = {
    "low": priority._LOW,
    "high": priority._HIGH.replace(
        r"\bhigh[\s-]+priority\b|\btop[\s-]+priority\b", r"\b(?:high|top)[\s-]+priority\b"
    ),
}


@pytest.mark.parametrize("name", list(_PRIORITY_BEFORE))
def test_the_priority_words_match_where_the_plain_pattern_does(name: str) -> None:
    plain = re.compile(_PRIORITY_BEFORE[name], re.IGNORECASE)
    grouped = priority.LOW if name == "low" else priority.HIGH
    words = [
        "no",
        "rush",
        "not",
        "urgent",
        "low-priority",
        "whenever",
        "some",
        "day",
        "eventually",
        "urgently",
        "urgente",
        "importante",
        "important",
        "asap",
        "a.s.a.p",
        "top",
        "priority",
        "high",
        "-",
        "priority",
        "priorité",
        "basse",
        "au",
        "plus",
        "tôt",
        "wichtig",
        "irgendwann",
        "mal",
        "algún",
        "día",
    ]
    for text in _texts(words):
        assert [m.span() for m in grouped.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ], text
    assert grouped.search("u" * 50_000) is None


_TRAIL_BEFORE = re.compile(
    r"\s*\b(?:as\s+well|too|also|again|please|pls|plz|for\s+sure|soon|later|first\s+thing|"
    r"this\s+time|lol|haha|ok|okay|tbh|though|anyway|real\s+quick|then|now|"
    r"por\s+favor|también|bitte|auch|noch|s['’]il\s+te\s+pla[iî]t|aussi|muss|sollte|"
    r"möchte|will|werde|kann|müssen)\s*$|[\s.,;:!?¡¿…\"'“”‘’*_~\-–—)]+$|"
    r"\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]+\s*$",
    re.IGNORECASE,
)
"""A title's trailing words as one plain alternation: the reference of the grouped one."""


def test_the_title_trail_cuts_what_the_plain_pattern_cuts() -> None:
    words = [
        w.replace(r"\s+", " ").replace("['’]", "'").replace("[iî]", "î")
        for w in titles._TRAIL_WORDS
    ] + ["call mom", "okay!", "Book it ", "…", "🙂", "willow"]
    for text in _texts(words):
        assert titles._TRAIL.sub("", text) == _TRAIL_BEFORE.sub("", text), text
    assert titles._TRAIL.sub("", "o" * 50_000) == "o" * 50_000
