"""The title gate: what a person would write on their to-do list, in six languages."""

from __future__ import annotations

import pytest

from my_flow_api.services.extraction.titlegate import gate_title


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("Book a flight", "Book a flight"),
        ("call the client about the Q3 renewal", "Call the client about the Q3 renewal"),
        ("Llamar a la gestoría por el IVA", "Llamar a la gestoría por el IVA"),
        ("Steuererklärung abgeben", "Steuererklärung abgeben"),
        ("Die Steuererklärung abgeben", "Die Steuererklärung abgeben"),
        ("Réserver le vol pour Montréal", "Réserver le vol pour Montréal"),
        ("Prenotare il volo per Lisbona", "Prenotare il volo per Lisbona"),
        ("Renovar o passaporte", "Renovar o passaporte"),
        ("Comprar pão", "Comprar pão"),
    ],
)
def test_a_good_title_passes_unchanged(title: str, stored: str) -> None:
    assert gate_title(title) == stored


@pytest.mark.parametrize(
    ("title", "repaired"),
    [
        ('"Call the plumber', "Call the plumber"),
        ("Renew the passport!!! ugh", "Renew the passport"),
        ("Pay the rent 😩", "Pay the rent"),
        ("so call mom", "Call mom"),
        ("«Envoyer le devis à Karim»", "Envoyer le devis à Karim"),
        ("Chiamare il tecnico per favore", "Chiamare il tecnico"),
        ("e poi ritirare il pacco", "Ritirare il pacco"),
        (
            "Email my landlord about the plants and the keys and the mail while I am away",
            "Email my landlord about the plants and the keys",
        ),
    ],
)
def test_a_title_with_stray_marks_or_filler_is_repaired(title: str, repaired: str) -> None:
    assert gate_title(title) == repaired


@pytest.mark.parametrize(
    "title",
    [
        "Those three on your list",
        "Do the first two",
        "The dentist",
        "Anything else",
        "These as reminders",
        "Yes please",
        "Todas menos la última",
        "Alle drei",
        "Das mache ich",
        "Oui merci",
        "Tutti e tre",
        "Sim, obrigado",
        "Esos dos",
        "Dentist",
        "👍",
        "",
    ],
)
def test_a_quantifier_pronoun_acceptance_or_chit_chat_is_dropped(title: str) -> None:
    assert gate_title(title) is None


@pytest.mark.parametrize(
    ("title", "repaired"),
    [
        ("Comprar um monitor externo** para não ficares curvado", "Comprar um monitor externo"),
        ("Save tasks for", "Save tasks"),
        ("Fix the fence where rabbits get in", "Fix the fence where rabbits get in"),
        ("Call IT helpdesk about laptop battery", "Call IT helpdesk about laptop battery"),
        ("Ritirare lo stand dal magazzino", "Ritirare lo stand dal magazzino"),
        ("Buy one ticket", "Buy one ticket"),
    ],
)
def test_a_bold_item_keeps_its_bold_part_and_a_dangling_word_goes(
    title: str, repaired: str
) -> None:
    assert gate_title(title) == repaired


@pytest.mark.parametrize(
    "title",
    [
        "Renew it regardless",
        "Open one",
        "Email him back with our exact dates",
        "Hacer eso mañana",
        "Fazer isso hoje",
        "Falar com",
        "✅ Passport photos",
        "[x] Book the vet",
    ],
)
def test_a_pronoun_object_a_lone_preposition_or_a_ticked_item_is_dropped(title: str) -> None:
    assert gate_title(title) is None


@pytest.mark.parametrize(
    ("title", "repaired"),
    [
        ('Book the venue" is on me', "Book the venue"),
        ("Prenotare il volo» è mio", "Prenotare il volo"),
        ('Reservar el hotel" lo hago yo', "Reservar el hotel"),
        ('Mail "the deck to Priya', "Mail the deck to Priya"),
        ('Ligar "para o contador', "Ligar para o contador"),
    ],
)
def test_a_stray_double_quote_ends_the_title_or_goes(title: str, repaired: str) -> None:
    assert gate_title(title) == repaired


@pytest.mark.parametrize(
    "title",
    ["Call “Mario” about the car", 'Buy the "good" cheese', "Das „Projekt X“ abschließen"],
)
def test_paired_quotes_stay(title: str) -> None:
    assert gate_title(title) == title


@pytest.mark.parametrize(
    "title",
    ['Buy a 27" monitor for the office', 'Order 3/4" copper pipe fittings'],
)
def test_an_inch_mark_is_no_quote(title: str) -> None:
    assert gate_title(title) == title
