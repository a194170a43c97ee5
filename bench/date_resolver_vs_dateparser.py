"""The extraction's own date resolver beside `dateparser`, in the same run, on the same
phrases: which reads more due dates right (by the evaluation's conventions) and what each
costs per clause.

    uv run python bench/date_resolver_vs_dateparser.py [--repeat 20]

`dateparser` is a development dependency only, for this comparison. Conventions of the
labelled sets (bench/extraction/corpus/WRITERS_SPEC.md): a weekday is its next occurrence
after today, "next week" is its Monday, "before April" is the last day of March.
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime

from my_flow_api.services.extraction.dates import due_date

TODAY = date(2026, 3, 4)  # a Wednesday

PHRASES: list[tuple[str, str, date | None]] = [
    ("en", "call the dentist tomorrow", date(2026, 3, 5)),
    ("en", "send the report by Friday", date(2026, 3, 6)),
    ("en", "pay the rent by the end of the month", date(2026, 3, 31)),
    ("en", "renew the subscription in two weeks", date(2026, 3, 18)),
    ("en", "book the flight next week", date(2026, 3, 9)),
    ("en", "get the passport done before April", date(2026, 3, 31)),
    ("en", "hand in the thesis by the 15th", date(2026, 3, 15)),
    ("en", "file the taxes on March 20", date(2026, 3, 20)),
    ("en", "water the plants in 3 days", date(2026, 3, 7)),
    ("es", "mañana llamar al banco", date(2026, 3, 5)),
    ("es", "mandar el informe antes del viernes", date(2026, 3, 6)),
    ("es", "reservar el hotel la semana que viene", date(2026, 3, 9)),
    ("es", "pagar la luz el 20 de marzo", date(2026, 3, 20)),
    ("es", "pasado mañana recoger el paquete", date(2026, 3, 6)),
    ("de", "morgen den Arzt anrufen", date(2026, 3, 5)),
    ("de", "bis Freitag den Bericht schicken", date(2026, 3, 6)),
    ("de", "nächste Woche den Flug buchen", date(2026, 3, 9)),
    ("de", "am 20. März die Steuer abgeben", date(2026, 3, 20)),
    ("de", "übermorgen das Paket abholen", date(2026, 3, 6)),
    ("fr", "appeler la banque demain", date(2026, 3, 5)),
    ("fr", "envoyer le rapport avant vendredi", date(2026, 3, 6)),
    ("fr", "réserver l'hôtel la semaine prochaine", date(2026, 3, 9)),
    ("fr", "payer le loyer le 20 mars", date(2026, 3, 20)),
    ("fr", "après-demain récupérer le colis", date(2026, 3, 6)),
    ("it", "devo chiamare il dentista domani", date(2026, 3, 5)),
    ("it", "entro venerdì mandare il report", date(2026, 3, 6)),
    ("it", "pagare la bolletta entro fine mese", date(2026, 3, 31)),
    ("it", "tra due settimane rinnovare l'abbonamento", date(2026, 3, 18)),
    ("it", "la prossima settimana prenotare il volo", date(2026, 3, 9)),
    ("it", "entro il 15 consegnare la tesi", date(2026, 3, 15)),
    ("pt", "preciso ligar pro banco amanhã", date(2026, 3, 5)),
    ("pt", "até sexta enviar o relatório", date(2026, 3, 6)),
    ("pt", "daqui a 3 dias renovar o seguro", date(2026, 3, 7)),
    ("pt", "pagar o aluguel até o fim do mês", date(2026, 3, 31)),
    ("pt", "semana que vem marcar o médico", date(2026, 3, 9)),
    ("pt", "5 de maio entregar o projeto", date(2026, 5, 5)),
    ("en", "no date in this clause at all", None),
    ("it", "pela segunda vez ho chiamato", None),
]


def ours(lang: str, text: str) -> date | None:
    del lang  # the resolver reads every supported language at once
    return due_date(text, TODAY)


def library(lang: str, text: str) -> date | None:
    from dateparser.search import search_dates

    settings = {
        "RELATIVE_BASE": datetime(TODAY.year, TODAY.month, TODAY.day),
        "PREFER_DATES_FROM": "future",
    }
    found = search_dates(text, languages=[lang], settings=settings)  # type: ignore[arg-type]
    return found[0][1].date() if found else None


def score(name: str, resolve: object, repeat: int) -> None:
    assert callable(resolve)
    right = sum(resolve(lang, text) == day for lang, text, day in PHRASES)
    start = time.process_time()
    for _ in range(repeat):
        for lang, text, _day in PHRASES:
            resolve(lang, text)
    per_call = (time.process_time() - start) / (repeat * len(PHRASES)) * 1e6
    print(f"{name:<22} right {right:>2}/{len(PHRASES)}   CPU per clause {per_call:9.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    start = time.process_time()
    import dateparser.search  # noqa: F401 (timed: the import is part of the cost)

    print(f"dateparser import: {time.process_time() - start:.2f} s CPU")
    library("en", "warm up tomorrow")  # its language data loads on first use
    score("extraction.dates", ours, args.repeat)
    score("dateparser.search", library, args.repeat)


if __name__ == "__main__":
    main()
