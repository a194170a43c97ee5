"""The part of the day after a day is part of the date phrase: it gives the same due day
and never stays in the title ("Call the auditor morning" was saved from "call the auditor
tomorrow morning"), in all six languages."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.services.extraction.dates import date_spans, due_date
from my_flow_api.services.extraction.titles import make_title

TODAY = date(2026, 3, 4)  # a Wednesday


@pytest.mark.parametrize(
    ("phrase", "language", "title", "day"),
    [
        ("call the auditor tomorrow morning", "en", "Call the auditor", date(2026, 3, 5)),
        ("send the report friday afternoon", "en", "Send the report", date(2026, 3, 6)),
        (
            "pick up the dry cleaning monday evening",
            "en",
            "Pick up the dry cleaning",
            date(2026, 3, 9),
        ),
        ("llamar al banco mañana por la mañana", "es", "Llamar al banco", date(2026, 3, 5)),
        (
            "recoger a los niños el viernes por la tarde",
            "es",
            "Recoger a los niños",
            date(2026, 3, 6),
        ),
        ("morgen früh den Arzt anrufen", "de", "Den Arzt anrufen", date(2026, 3, 5)),
        ("Montag Abend die Steuer machen", "de", "Die Steuer machen", date(2026, 3, 9)),
        ("appeler le garage demain matin", "fr", "Appeler le garage", date(2026, 3, 5)),
        ("rappeler Julie jeudi soir", "fr", "Rappeler Julie", date(2026, 3, 5)),
        ("chiamare il dentista domani mattina", "it", "Chiamare il dentista", date(2026, 3, 5)),
        ("passare in banca lunedì pomeriggio", "it", "Passare in banca", date(2026, 3, 9)),
        ("ligar para o cliente amanhã de manhã", "pt", "Ligar para o cliente", date(2026, 3, 5)),
        ("buscar as crianças amanhã à tarde", "pt", "Buscar as crianças", date(2026, 3, 5)),
    ],
)
def test_the_part_of_the_day_goes_with_the_day(
    phrase: str, language: str, title: str, day: date
) -> None:
    assert make_title(phrase, language) == title
    assert due_date(phrase, TODAY) == day


def test_a_part_of_the_day_alone_is_no_date() -> None:
    # "morning" without a day names no day: the phrase is not a date and stays a word.
    assert date_spans("order the morning pastries") == []
    assert make_title("order the morning pastries", "en") == "Order the morning pastries"


def test_the_span_ends_with_the_part_of_the_day() -> None:
    text = "call mom tomorrow evening please"
    [(start, end)] = date_spans(text)
    assert text[start:end].strip() == "tomorrow evening"
