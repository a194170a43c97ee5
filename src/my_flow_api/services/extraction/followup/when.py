"""A new due date in a sentence, against the user's today: the extraction's date
resolver (`extraction/dates.py`, all six languages), so a follow-up reads a day exactly
as extraction does."""

from __future__ import annotations

import re
from datetime import date

from my_flow_api.services.extraction.dates import due_date, find_dates


def new_due(sentence: str, today: date) -> date | None:
    """The day the sentence moves something to, or None."""
    return due_date(sentence, today)


def days_in(text: str, today: date) -> list[date]:
    """Every day the text names, in order (a self-correction, "el viernes... no, el 14",
    names two)."""
    return [m.day for m in find_dates(text, today) if m.day is not None]


DATEISH = re.compile(
    r"\d|\b(?:jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|ago|sep|set|o[ck]t|nov|d[eiz][cz]|"
    r"ene|fev|avr|juil|gen|giu|lug|out|okt|dez|dic)\w*|"
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)\w*|\b(?:lun|mar|mi[eé]r|jue|vie|s[aá]b|dom|seg|ter|"
    r"qua|qui|sex|mer|jeu|ven|sam|gio|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonntag)\w*|\b(?:week|month|year|weekend|semana|mes|m[eê]s|a[nñ]o|woche|monat|jahr|"
    r"semaine|mois|an|ann[ée]e|settimana|mese|anno|tomorrow|ma[nñ]ana|morgen|demain|domani|"
    r"amanh[aã]|next|pr[oó]xim\w*|prochain\w*|prossim\w*|n[aä]chst\w*|que viene|end|fin|fim|"
    r"fine|ende)\b",
    re.IGNORECASE,
)
"""Something that may name a day, though the date rules cannot read it ("fim do mês",
"le 1er mars"): what a model's reschedule needs in its bound clause when no day is read."""
