"""The local provider's answer shaping: the clean stop near the cap, the short prompt."""

from __future__ import annotations

import pytest

from my_flow_api.services.ai.local.answer import LOCAL_SYSTEM_PROMPT, CleanStop, local_system
from my_flow_api.services.ai.prompts import ASSISTANT_SYSTEM_PROMPT, assistant_system_prompt

pytestmark = pytest.mark.unit


def _ending(pieces: list[str], cap: int = 10) -> int | None:
    """The number of the piece after which `CleanStop` ends the answer, or None."""
    ends = CleanStop(cap)
    return next((n for n, p in enumerate(pieces, 1) if ends(n, p)), None)


def test_no_stop_before_seventy_percent_of_the_cap() -> None:
    pieces = ["Yes", ".", " Then", " more", ".", " And", " again", ".", " Done", "."]
    assert _ending(pieces) == 8  # the sentence ends at pieces 2 and 5 come too early


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (["a"] * 6 + [" b", " c", "!"], 9),
        (["a"] * 6 + [" b", " c?"], 8),
        (["- Book", " a", " flight"] + ["s"] * 4 + ["\n", "- Call"], 8),
        (["a"] * 7 + [".\n\n"], 8),
        (["a"] * 6 + [' "Done', '."', " Next"], 8),
        (["a"] * 5 + [".", "\n", "\n", "Next"], 7),  # ended just before the mark
    ],
)
def test_ends_at_the_first_sentence_or_line_end_past_the_mark(
    pieces: list[str], expected: int
) -> None:
    assert _ending(pieces) == expected


@pytest.mark.parametrize(
    "pieces",
    [
        ["Steps"] * 6 + [":\n", "1", ".", " Book"],  # a line introducing a list, a number
        ["It", " costs", " 3", ".", "5", " euros"] + ["s"] * 4,  # a decimal point
        ["\n"] * 8 + [" .", " ."],  # empty lines, a stray dot after a space
        ["a"] * 7 + [". Then", " more"] + ["s"] * 2,  # a new sentence began in the piece
    ],
)
def test_list_numbers_intro_lines_and_decimals_are_no_sentence_end(pieces: list[str]) -> None:
    assert _ending(pieces) is None


def test_one_piece_may_hold_a_list_number_and_a_sentence_end() -> None:
    ends = CleanStop(10)
    assert not ends(5, "Done.\n")  # before the mark (7 of 10)
    assert not ends(8, "1")
    assert ends(9, ". Book.")  # "1." numbers a list item; "Book." ends a sentence


def test_the_product_prompt_is_replaced_and_others_are_kept() -> None:
    assert local_system(ASSISTANT_SYSTEM_PROMPT) == LOCAL_SYSTEM_PROMPT
    assert local_system(assistant_system_prompt("Work")) == LOCAL_SYSTEM_PROMPT
    assert local_system("Answer in French.") == "Answer in French."
    assert len(LOCAL_SYSTEM_PROMPT) < len(ASSISTANT_SYSTEM_PROMPT) // 4


def test_a_bullet_opening_the_next_line_does_not_end_the_answer() -> None:
    stop = CleanStop(10)
    assert not stop(1, "I can help with:\n\n* Writing")
    assert not stop(9, "\n*")  # the line ended, but a bullet opens the next one
    assert stop(10, " Code review\n")
