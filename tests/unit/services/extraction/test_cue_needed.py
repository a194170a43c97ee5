"""A cue with a `_NEEDED` text is searched only in clauses that hold it: every match of
the cue holds that text, so `find_cue` answers as the search of every cue does."""

from __future__ import annotations

import re

import pytest

from my_flow_api.services.extraction import cues
from my_flow_api.services.extraction.cues import find_cue


def _every_cue_searched(clause: str) -> list[tuple[int, int, str]]:
    found = []
    for pattern, _gate, _needed in cues.PATTERNS["en"]:
        match = pattern.search(clause)
        if match is not None:
            found.append((match.start(), match.start("task"), match.group("task")))
    return found


@pytest.mark.parametrize(
    "clause",
    [
        "Anna wants me to send the deck",
        "my boss asked me to  file the report",
        "she told me\tto call back",
        "Dave and Jo begged me to come",
        "I asked me to",  # nothing after "to": no task
        "we need to call Bob",
        "you wants me to x",
        "wants me to call",  # no word before the verb
        "x" * 5_000,
    ],
)
def test_the_needed_text_skips_only_clauses_no_match_could_hold(clause: str) -> None:
    asked = re.compile(cues._ASKED_ME, re.IGNORECASE)
    needed = cues._NEEDED[cues._ASKED_ME]
    if asked.search(clause):
        assert needed.search(clause)
    cue = find_cue.uncached(clause, "en")
    every = _every_cue_searched(clause)
    if cue is not None:
        assert (cue.start, cue.task_start) in {(s, t) for s, t, _ in every}


def test_the_asked_cue_is_gated_and_still_found() -> None:
    gated = [p for p, _, needed in cues.PATTERNS["en"] if needed is not None]
    assert [p.pattern for p in gated] == [cues._ASKED_ME]
    cue = find_cue.uncached("Anna wants me to send the deck", "en")
    assert cue is not None
    assert cue.task == "send the deck"
