"""Each filter that turns a task-sounding clause into no task, with cases it must leave be."""

from __future__ import annotations

import pytest

from my_flow_api.services.extraction.filters import (
    is_hypothetical,
    is_negated,
    is_past,
    is_question,
    rules_out,
)


@pytest.mark.parametrize(
    ("clause", "language"),
    [
        ("I don't need to renew my visa after all", "en"),
        ("no need to call the plumber", "en"),
        ("I no longer have to file the report", "en"),
        ("we're not going to paint the fence", "en"),
        ("no tengo que ir al banco", "es"),
        ("ya no necesito llamar a Marta", "es"),
        ("das muss ich nicht mehr machen", "de"),
        ("ich muss die Miete nicht überweisen", "de"),
        ("je ne dois plus appeler la banque", "fr"),
        ("pas besoin d'acheter du pain", "fr"),
    ],
)
def test_negated(clause: str, language: str) -> None:
    assert is_negated(clause, language)
    assert rules_out(clause, language) == "negated"


@pytest.mark.parametrize(
    ("clause", "language"),
    [
        ("don't let me forget to call the bank", "en"),
        ("I need to call the bank", "en"),
        ("I do need to update my address", "en"),
        ("tengo que llamar al casero", "es"),
        ("ich darf nicht vergessen, Oma anzurufen", "de"),
        ("je ne dois pas oublier d'appeler Paul", "fr"),
    ],
)
def test_not_negated(clause: str, language: str) -> None:
    assert not is_negated(clause, language)


@pytest.mark.parametrize(
    ("clause", "language"),
    [
        ("I already paid the rent", "en"),
        ("I had to call the insurer yesterday", "en"),
        ("I needed to send it last week", "en"),
        ("I've sent the invoice", "en"),
        ("ya he enviado el informe", "es"),
        ("ich habe die Rechnung schon bezahlt", "de"),
        ("j'ai déjà payé le loyer", "fr"),
    ],
)
def test_past(clause: str, language: str) -> None:
    assert is_past(clause, language)


@pytest.mark.parametrize(
    ("clause", "language"),
    [
        ("I have to pay the rent tomorrow", "en"),
        ("I need to book the flights", "en"),
        ("tengo que pagar el alquiler", "es"),
        ("ich muss die Miete bezahlen", "de"),
        ("je dois payer le loyer", "fr"),
    ],
)
def test_not_past(clause: str, language: str) -> None:
    assert not is_past(clause, language)


@pytest.mark.parametrize(
    ("clause", "language"),
    [
        ("if I had more time I would learn Italian", "en"),
        ("maybe one day I'll write a book", "en"),
        ("I wish I could go to Japan", "en"),
        ("I might move the picnic to Sunday", "en"),
        ("si tuviera tiempo aprendería a tocar la guitarra", "es"),
        ("wenn ich mehr Zeit hätte, würde ich Spanisch lernen", "de"),
        ("si j'avais le temps, j'apprendrais le piano", "fr"),
    ],
)
def test_hypothetical(clause: str, language: str) -> None:
    assert is_hypothetical(clause, language)


@pytest.mark.parametrize(
    ("clause", "language"),
    [
        ("I need to learn Italian for the trip", "en"),
        ("I'd like to reorganize my bookmarks", "en"),
        ("quiero aprender a tocar la guitarra", "es"),
        ("ich will Spanisch lernen", "de"),
    ],
)
def test_not_hypothetical(clause: str, language: str) -> None:
    assert not is_hypothetical(clause, language)


@pytest.mark.parametrize(
    "sentence",
    [
        "What do I need to pack for the trip?",
        "Should I call the client first?",
        "how do I renew a passport",
        "¿Qué tengo que llevar?",
    ],
)
def test_questions_to_the_assistant(sentence: str) -> None:
    assert is_question(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Can you remind me to call mum on Sunday?",
        "I need to call the bank.",
        "could you add milk to my shopping list?",
        "Do the laundry tonight",
    ],
)
def test_requests_and_statements_are_not_questions(sentence: str) -> None:
    assert not is_question(sentence)
