"""A new due date in a sentence, against the user's today: `dates.due_date` for en, es,
de and fr, plus Italian and Portuguese weekdays (same convention: the next such day
strictly after today), day-and-month dates, the month's end and next week."""

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
    if extra := _it_pt_days(text, today):
        return extra[0]
    if m := _RELATIVE_WORD.search(text):
        return today + timedelta(days=_RELATIVE[m.group(1)])
    if m := _WEEKDAY.search(text):
        ahead = (_WEEKDAYS[m.group(1)] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


_MONTHS_IT_PT = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    "janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
}  # fmt: skip
_DAY_MONTH = re.compile(r"\b([0-3]?\d)(?:º|°|o)?\s+(?:de\s+)?(" + "|".join(_MONTHS_IT_PT) + r")\b")
_MONTH_END = re.compile(r"\b(?:fine (?:del )?mese|fim d[oe] mes|final d[oe] mes)\b")
_NEXT_WEEK = re.compile(r"\b(?:settimana prossima|prossima settimana|semana que vem)\b")


def _it_pt_days(folded: str, today: date) -> list[date]:
    """Italian and Portuguese days the shared date rules do not read: "12 de junho",
    "3 giugno", "fim do mês", "fine mese", "semana que vem"."""
    days: list[date] = []
    for m in _DAY_MONTH.finditer(folded):
        try:
            day = date(today.year, _MONTHS_IT_PT[m.group(2)], int(m.group(1)))
        except ValueError:
            continue
        if day < today:
            try:
                day = day.replace(year=today.year + 1)
            except ValueError:  # 29 February, next year has none
                continue
        days.append(day)
    if _MONTH_END.search(folded):
        first_next = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        days.append(first_next - timedelta(days=1))
    if _NEXT_WEEK.search(folded):
        days.append(today + timedelta(days=7 - today.weekday()))
    return days


def days_in(text: str, today: date) -> list[date]:
    """Every day the text names, in order (a self-correction, "el viernes... no, el 14",
    names two)."""
    days = [m.day for m in find_dates(text, today) if m.day is not None]
    folded = fold(text)
    days += _it_pt_days(folded, today)
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
