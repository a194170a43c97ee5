"""`guess_language` counts each common word once per language that has it, through one
look-up per word (`_MARKED_IN`): the counts of a scan of every language's set."""

from __future__ import annotations

import pytest

from my_flow_api.services.extraction import text
from my_flow_api.services.extraction.text import LANGUAGES, WORD, guess_language


def _reference(sample: str, fallback: str) -> str:
    counts = dict.fromkeys(LANGUAGES, 0)
    for word in WORD.findall(sample.casefold()):
        for lang in LANGUAGES:
            if word in text._MARKERS[lang]:
                counts[lang] += 1
    for lang, pattern in text._SHAPES.items():
        counts[lang] += len(pattern.findall(sample))
    best = max(LANGUAGES, key=lambda lang: (counts[lang], lang == fallback))
    return best if counts[best] >= text.MIN_MARKERS else fallback


@pytest.mark.parametrize(
    "sample",
    [
        "I need to call the bank and pay the rent",
        "tengo que llamar al banco y pagar el alquiler",
        "ich muss die Bank anrufen und die Miete zahlen",
        "je dois appeler la banque et payer le loyer",
        "devo chiamare la banca e pagare l'affitto, che non è poco",
        "preciso ligar para o banco e pagar o aluguel, não esquecer",
        "de la que che il o",  # words several languages share
        "",
        "ok",
    ],
)
@pytest.mark.parametrize("fallback", ["en", "de"])
def test_the_guess_is_the_scan_of_every_language(sample: str, fallback: str) -> None:
    assert guess_language(sample, fallback) == _reference(sample, fallback)


def test_every_marker_is_listed_under_its_languages_in_order() -> None:
    for word, langs in text._MARKED_IN.items():
        assert langs == tuple(lang for lang in LANGUAGES if word in text._MARKERS[lang])
    assert set(text._MARKED_IN) == set().union(*text._MARKERS.values())


def test_a_long_run_of_one_word_stays_linear() -> None:
    assert guess_language("the " * 20_000) == "en"
