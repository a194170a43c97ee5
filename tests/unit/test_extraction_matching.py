"""The extraction benchmark's title matching rule and its one-to-one pairing."""

from __future__ import annotations

import pytest
from bench.extraction.matching import pair, similarity, stem, titles_match, tokens

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Call client", "Call the client about the Q3 renewal"),
        ("Book a flight to Lisbon", "book flights to lisbon"),
        ("Renew the passport", "Renewing my passport"),
        ("Llamar al dentista", "llamar al dentista para pedir cita"),
        ("Die Steuererklärung abgeben", "Steuererklarung abgeben"),
        ("Appeler l'avocat", "appeler l’avocat demain"),
        ("Buy groceries", "Buying grocery"),
    ],
)
def test_same_task_in_other_words_matches(a: str, b: str) -> None:
    assert titles_match(a, b)
    assert titles_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Call the dentist", "Call the client"),
        ("Pick up my son from school", "Pick up the parcel from the post office"),
        ("Reorganise bookmarks", "Book a flight to Lisbon"),
        ("Pay the rent", "Pay the electricity bill"),
    ],
)
def test_different_tasks_do_not_match(a: str, b: str) -> None:
    assert not titles_match(a, b)


def test_normalisation_stopwords_and_stems() -> None:
    assert tokens("Call the CLIENT about the Q3 renewal") == {"call", "client", "q3", "renewal"}
    assert tokens("Café à emporter") == tokens("cafe a emporter")
    assert tokens("Do it") == {"do", "it"}  # nothing but stopwords: all of them count
    assert [stem(w) for w in ("calling", "booked", "boxes", "files", "order", "llamar")] == [
        "call",
        "book",
        "box",
        "file",
        "order",
        "llam",
    ]


def test_overlap_and_dice() -> None:
    sim = similarity("Call client", "Call the client about the Q3 renewal")
    assert sim.overlap == 1.0
    assert sim.dice == pytest.approx(2 * 2 / 6)
    assert similarity("", "Call client").overlap == 0.0


def test_pairing_is_one_to_one_and_prefers_the_closest_title() -> None:
    gold = ["Call the client about the Q3 renewal", "Call the client"]
    assert pair(["Call the client"], gold) == [(0, 1)]
    assert pair(["Call the client", "Call the client"], ["Call the client"]) == [(0, 0)]
    predicted = ["Call the client about the renewal", "Call the client"]
    assert pair(predicted, gold) == [(0, 0), (1, 1)]
    assert pair(["Call the dentist"], ["Call the client"]) == []
    assert pair([], ["Call the client"]) == []
