"""A new due date in a sentence, against the user's today: `dates.due_date` for en, es,
de and fr, plus Italian and Portuguese weekdays (same convention: the next such day
strictly after today)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from my_flow_api.services.extraction.dates import due_date, find_dates
from my_flow_api.services.extraction.text import fold

_WEEKDAYS = {
    "lunedi": 0, "martedi": 1, "mercoledi": 2, "giovedi": 3, "venerdi": 4, "sabato": 5,
    "domenica": 6, "segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4,
    "sabado": 5, "domingo": 6,
}  # fmt: skip
_RELATIVE = {"domani": 1, "amanha": 1, "dopodomani": 2, "depois de amanha": 2}
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")
_RELATIVE_WORD = re.compile(r"\b(" + "|".join(_RELATIVE) + r")\b")


def new_due(sentence: str, today: date) -> date | None:
    """The day the sentence moves something to, or None."""
    found = due_date(sentence, today)
    if found is not None:
        return found
    text = fold(sentence)
    if m := _RELATIVE_WORD.search(text):
        return today + timedelta(days=_RELATIVE[m.group(1)])
    if m := _WEEKDAY.search(text):
        ahead = (_WEEKDAYS[m.group(1)] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


def days_in(text: str, today: date) -> list[date]:
    """Every day the text names, in order (a self-correction, "el viernes... no, el 14",
    names two)."""
    days = [m.day for m in find_dates(text, today) if m.day is not None]
    folded = fold(text)
    days += [today + timedelta(days=_RELATIVE[m.group(1)]) for m in _RELATIVE_WORD.finditer(folded)]
    for m in _WEEKDAY.finditer(folded):
        days.append(today + timedelta(days=(_WEEKDAYS[m.group(1)] - today.weekday()) % 7 or 7))
    return days


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
