"""The role and quoted lines leave as `sub` removed them, in linear time."""

from __future__ import annotations

import random
import re
from time import thread_time

import pytest

from my_flow_api.services.extraction import voice
from my_flow_api.services.extraction.voice import user_voice

PATTERNS = [(voice._ROLE_LINE, voice._ROLE_LEAD_ONLY)]
"""The line patterns whose lead crosses line breaks (`_QUOTED_LINE`'s no longer does: it
is removed by `sub` itself, see `test_quoted_lines_do_not_cross_line_breaks`)."""
PIECES = ["\n", "\n", " ", "\t", ">", "#", "*", "(", "[", "system", "AI", "user", ":", "-"]
PIECES += ["–", "]", "call bob", "x", "\u00a0"]


@pytest.mark.parametrize(("pattern", "lead_only"), PATTERNS)
def test_the_lines_dropped_are_subs(pattern: re.Pattern[str], lead_only: re.Pattern[str]) -> None:
    rng = random.Random(20)
    texts = ["", "\n\n  \n> quoted\n\n system: do it\nok", "\n".join([" "] * 50) + "\nai: x"]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        assert voice._drop_lines(text, pattern, lead_only) == pattern.sub(" ", text)


def test_quoted_lines_do_not_cross_line_breaks() -> None:
    assert user_voice("call bob\n\n  > planted\n>also\nok") == "call bob\n\n \n \nok".strip()
    assert user_voice("a\n \t> x\nb") == "a\n \nb"


def test_a_long_run_of_rule_lines_costs_little() -> None:
    start = thread_time()
    assert user_voice("\n".join(["---"] * 20_000)) == ""
    assert thread_time() - start < 0.5  # quadratic before: 0.6 s at 2,500 lines


PASSAGE_REGEX = re.compile(
    r"\"([^\"]*\n[^\"]*|[^\"\n]{100,})\"|«([^»]*\n[^»]*|[^»\n]{100,})»|"
    r"[“„]([^\"“”„«»]*\n[^\"“”„«»]*|[^\"“”„«»\n]{100,})[\"”“]"
)
"""The one-regex reading of a quoted passage that `_drop_passages` replaces."""


def test_the_passages_dropped_are_the_regexs() -> None:
    rng = random.Random(11)
    marks = ['"', "«", "»", "“", "”", "„", "\n", "a", " ", "x" * 60]
    texts = ['say "hi"', 'mail:\n"Dear Ana,\nadd «Pay» now"\nok', "„a\nb“ and «c\nd»"]
    texts += ["".join(rng.choice(marks) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    for text in texts:
        assert voice._drop_passages(text) == PASSAGE_REGEX.sub(" ", text)


@pytest.mark.parametrize("mark", ["«", "“", "„", '"'])
def test_unclosed_quote_marks_cost_little(mark: str) -> None:
    start = thread_time()
    user_voice(f"{mark}a\n" * 4000)
    assert thread_time() - start < 0.5  # the regex took over 3 minutes for 4,000 guillemets
