"""Italian and Portuguese due dates, by the evaluation's conventions (a weekday is its next
occurrence after today, "next week" its Monday, "before April" the last day of March)."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.services.extraction.dates import date_spans, due_date

TODAY = date(2026, 3, 4)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("devo chiamare il dentista domani", date(2026, 3, 5)),
        ("entro venerdì mandare il report", date(2026, 3, 6)),
        ("pagare la bolletta entro fine mese", date(2026, 3, 31)),
        ("tra due settimane rinnovare l'abbonamento", date(2026, 3, 18)),
        ("la prossima settimana prenotare il volo", date(2026, 3, 9)),
        ("prima di aprile fare il passaporto", date(2026, 3, 31)),
        ("entro il 15 consegnare la tesi", date(2026, 3, 15)),
        ("dopodomani", date(2026, 3, 6)),
        ("preciso ligar pro banco amanhã", date(2026, 3, 5)),
        ("até sexta enviar o relatório", date(2026, 3, 6)),
        ("na segunda ligar pra contadora", date(2026, 3, 9)),
        ("daqui a 3 dias", date(2026, 3, 7)),
        ("até o dia 12", date(2026, 3, 12)),
        ("pagar o aluguel até o fim do mês", date(2026, 3, 31)),
        ("semana que vem", date(2026, 3, 9)),
        ("5 de maio", date(2026, 5, 5)),
        ("terça-feira", date(2026, 3, 10)),
        ("até a quinta", date(2026, 3, 5)),
        ("na terça ligar pro banco", date(2026, 3, 10)),
        ("pagar a Marco entro il 20 marco", date(2026, 3, 20)),
    ],
)
def test_italian_and_portuguese_dates(text: str, day: date) -> None:
    assert due_date(text, TODAY) == day


@pytest.mark.parametrize(
    "text",
    [
        "pela segunda vez",
        "a quinta parte",
        "due diligence",
        "comprar la sexta temporada",
        "a terça parte do bolo",
        "pay Marco 20 euros",
        "the gen 2 charger",
    ],
)
def test_ordinals_and_lookalikes_are_no_dates(text: str) -> None:
    assert due_date(text, TODAY) is None


def test_the_preposition_goes_with_the_date() -> None:
    assert date_spans("entro venerdì mandare il report") == [(0, 13)]
    assert date_spans("até sexta enviar o relatório") == [(0, 9)]
