"""`taken_back` skips a pattern whose part after its leading "what" is nowhere in the
sentence; it finds what every pattern finds."""

from __future__ import annotations

import pytest

from my_flow_api.services.extraction import cancel


def _every_pattern(sentence: str) -> list[str]:
    found = []
    for pattern in cancel._TAKE_BACK:
        for match in pattern.finditer(sentence):
            what = (match.group("what") or "").strip()
            if not what or what.casefold() in cancel._LAST:
                found.append(cancel.LAST_TASK)
            elif cancel.content_words(what) - cancel._NOISE:
                found.append(what)
    return found


@pytest.mark.parametrize(
    "sentence",
    [
        "the plumber thing is done, and the gym is already sorted",
        "ok so the dentist, that's off my plate now",
        "the parcel came already",
        "lo del banco ya está hecho",
        "das mit dem Arzt hat sich erledigt",
        "le garage c'est réglé",
        "scratch the plumber since he called",
        "call the bank tomorrow about the loan",
    ],
)
def test_the_prefilter_finds_what_every_pattern_finds(sentence: str) -> None:
    expected = _every_pattern(sentence)
    found = cancel.taken_back(sentence, "en")
    # With no pattern's match, a negated sentence is taken back whole.
    assert found == expected if expected else found in ([], [sentence])


def test_only_leading_what_patterns_have_a_prefilter() -> None:
    needed = [n for n in cancel._NEEDED if n is not None]
    assert len(needed) == 6
    assert all(not n.pattern.startswith(r"\b(?P<what>") for n in needed)
