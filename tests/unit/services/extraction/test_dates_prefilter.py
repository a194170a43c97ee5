"""`find_dates` skips the rules whose bare pattern finds nothing; it finds what the full
scan of every rule finds."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.services.extraction import dates
from my_flow_api.services.extraction.dates import DateMention, find_dates

TODAY = date(2026, 3, 4)


def _every_rule(text: str, today: date) -> list[DateMention]:
    """The scan before the prefilter: every rule, prepositions and all."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern, resolve in dates._COMPILED:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(DateMention(m.start(), m.end(), resolve(m, today) if resolve else None))
    return sorted(found, key=lambda mention: mention.start)


@pytest.mark.parametrize(
    "text",
    [
        "call the vet",
        "by next friday at the latest renew the permit, then on the 15th pay rent",
        "bis zum 3. März die Steuer, am 12. anrufen, um 9 Uhr",
        "avant le 5 avril envoyer le dossier; jusqu'à demain 14h30",
        "entro il 15 consegnare la tesi dopodomani",
        "2026-03-09 or 3/10 or in two weeks or end of the month, before May",
        "",
    ],
)
def test_the_prefilter_finds_what_every_rule_finds(text: str) -> None:
    assert find_dates(text, TODAY) == _every_rule(text, TODAY)


def test_every_rule_opens_at_a_word_boundary() -> None:
    # The prefilter's `(?=\w)` lead holds only while every rule opens with `\b` and a
    # word character: a new rule opening otherwise must drop it.
    assert all(rule.startswith(r"\b") for rule, _ in dates._RULES)


@pytest.mark.parametrize("today", [TODAY, date(2026, 12, 31), date(2027, 2, 28)])
def test_one_scan_serves_every_day_and_the_spans(today: date) -> None:
    # The phrases are found once per text (`_phrases`, cached) and resolved per `today`:
    # the days are those of a scan made for that day, the spans are the same for all.
    text = "by friday renew the permit, on the 30th pay rent, tomorrow at 9am the vet"
    expected = _every_rule(text, today)
    assert find_dates(text, today) == expected
    assert dates.date_spans(text) == [(m.start, m.end) for m in expected]
    assert dates.due_date(text, today) == next(m.day for m in expected if m.day)


def test_a_long_run_of_one_character_stays_linear() -> None:
    assert dates.date_spans("a" * 50_000) == []
    assert dates.date_spans("1" * 50_000) == []
