"""Due dates: find the date phrases of a clause and resolve them against today.

The conventions are the evaluation's (bench/extraction/README.md): a weekday is its next
occurrence after today ("next Friday" too), "next week" is next week's Monday, "end of the
month" its last day, "before March" the last day of February. Times of day are found (so
titles can drop them) but do not move the date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from my_flow_api.services.extraction.clause_cache import clause_cached
from my_flow_api.services.extraction.datewords import (
    LEADING_MONTHS,
    MONTHS,
    NUMBERS,
    WEEKDAYS,
    month_number,
    number,
    weekday_number,
)

Resolver = Callable[["re.Match[str]", date], "date | None"]
_PREP = (
    r"(?:(?<!\w)(?:by|on|before|until|till|due|for|this|next|coming|at\s+the\s+latest|no\s+later\s+than|"
    r"para\s+el|para|el|antes\s+del?|hasta\s+el|hasta|este|esta|el\s+pr[oó]ximo|pr[oó]ximo|"
    r"bis\s+(?:zum|spätestens)?|bis|am|vor\s+dem|vor|diesen|nächsten|kommenden|spätestens|"
    r"d['’]ici|avant|pour|ce|le|jusqu['’]à|au\s+plus\s+tard|"
    r"entro(?:\s+(?:il|la))?|per\s+il|per|prima\s+d[ie]l?|fino\s+a|questo|questa|il|"
    r"pr[oó]ssim[oa]|at[eé](?:\s+[ao])?|para\s+[ao]|antes\s+d[eoa]|n[oa]|nest[ea])\s+)*"
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date phrase's span in the text, and its day when it names one."""

    start: int
    end: int
    day: date | None


def _days(n: int) -> Resolver:
    return lambda _m, today: today + timedelta(days=n)


def _weekday(m: re.Match[str], today: date) -> date | None:
    target = weekday_number(m.group("wd"))
    if target is None:
        return None
    ahead = (target - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _in_days(m: re.Match[str], today: date) -> date | None:
    count = number(m.group("n"))
    if count is None:
        return None
    unit = m.group("unit").casefold()
    weeks = unit.startswith(("week", "semana", "woche", "semaine", "settiman"))
    days = count * (7 if weeks else 1)
    # "in 99999999 days" is no due day (and past year 9999 `date` overflows).
    return today + timedelta(days=days) if days <= _HORIZON_DAYS else None


_HORIZON_DAYS = 3660
"""Ten years: the furthest "in N days / weeks" read as a due day."""


def _next_week(_m: re.Match[str], today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _month_end(_m: re.Match[str], today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _before_month(m: re.Match[str], today: date) -> date | None:
    month = month_number(m.group("mon"))
    if month is None:
        return None
    year = today.year if month > today.month else today.year + 1
    return date(year, month, 1) - timedelta(days=1)


def _absolute(m: re.Match[str], today: date) -> date | None:
    month = month_number(m.group("mon")) if m.group("mon") else None
    day = int(m.group("d"))
    candidates = [(today.year, month)] if month else [(today.year, today.month)]
    candidates.append((today.year + 1, month) if month else _month_after(today))
    for year, mon in candidates:
        try:
            found = date(year, mon or today.month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    return None


def _month_after(today: date) -> tuple[int, int]:
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


def _iso(m: re.Match[str], _today: date) -> date | None:
    try:
        return date.fromisoformat(m.group(0)[-10:])
    except ValueError:
        return None


_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º|\.)?"
_MON = rf"(?P<mon>{MONTHS})"
_LEADING_MON = rf"(?P<mon>{LEADING_MONTHS})"
# The part of the day after a day ("tomorrow morning", "viernes por la tarde", "morgen
# früh", "demain matin", "domani mattina", "amanhã de manhã") belongs to the date phrase:
# left behind, it stayed in the title ("Call the auditor morning").
_PART_OF_DAY = (
    r"(?:\s+(?:(?:in|during)\s+the\s+|at\s+)?(?:morning|afternoon|evening|night|noon|lunchtime)"
    r"|\s+(?:por|en|a)\s+la\s+(?:mañana|tarde|noche)|\s+a\s+mediod[ií]a"
    r"|\s+(?:früh|vormittag|nachmittag|abend|mittag|nacht)"
    r"|\s+(?:matin|après-midi|soir|midi)"
    r"|\s+(?:mattina|mattino|pomeriggio|sera|notte)"
    r"|\s+(?:de\s+manh[ãa]|(?:à|de)\s+(?:tarde|noite)|ao\s+meio-dia))?\b"
)
_RULES: list[tuple[str, Resolver | None]] = [
    (r"\b\d{4}-\d{2}-\d{2}\b", _iso),
    (
        r"\b(?:day\s+after\s+tomorrow|pasado\s+mañana|übermorgen|après-demain|dopodomani|"
        r"depois\s+de\s+amanh[ãa])\b" + _PART_OF_DAY,
        _days(2),
    ),
    (
        r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|end\s+of\s+(?:the\s+)?day|eod|"
        r"hoy|esta\s+(?:noche|tarde)|heute(?:\s+abend)?|aujourd['’]hui|ce\s+soir|oggi|stasera|"
        r"stamattina|stanotte|fine\s+giornata|hoje(?:\s+à\s+noite)?|esta\s+noite|"
        r"fim\s+do\s+dia)\b" + _PART_OF_DAY,
        _days(0),
    ),
    (r"\b(?:tomorrow|tmrw|tmr|mañana|morgen|demain|domani|amanh[ãa])\b" + _PART_OF_DAY, _days(1)),
    (
        rf"\b(?:in|within|en|dentro\s+de|dans|innerhalb\s+von|tra|fra|entro|em|"
        rf"daqui\s+a)\s+(?P<n>\d+|{NUMBERS})\s+"
        r"(?P<unit>days?|weeks?|d[ií]as|semanas?|tagen?|wochen?|jours|"
        r"semaines?|giorni|settiman[ae]|dias?)\b",
        _in_days,
    ),
    (
        r"\b(?:next\s+week|(?:la\s+)?(?:semana\s+que\s+viene|pr[oó]xima\s+semana)|"
        r"(?:nächste|kommende)\s+woche|(?:la\s+)?semaine\s+prochaine|"
        r"(?:la\s+)?(?:settimana\s+prossima|prossima\s+settimana)|(?:a\s+)?semana\s+que\s+vem)\b",
        _next_week,
    ),
    (
        r"\b(?:(?:the\s+)?end\s+of\s+(?:the|this)\s+month|fin(?:al)?\s+de(?:l)?\s+mes|"
        r"ende\s+des\s+monats|monatsende|(?:la\s+)?fin\s+du\s+mois|fine\s+(?:del\s+)?mese|"
        r"f(?:im|inal)\s+do\s+m[eê]s)\b",
        _month_end,
    ),
    (rf"\b(?:before|antes\s+de|vor|avant|prima\s+di)\s+{_LEADING_MON}\b(?!\s*\d)", _before_month),
    (rf"\b{_LEADING_MON}\s+(?:the\s+)?{_DAY}(?!\d)", _absolute),
    (rf"\b{_DAY}\s*(?:of\s+|de\s+|di\s+)?{_MON}\b", _absolute),
    (r"\bthe\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b(?P<mon>)", _absolute),
    (
        r"\b(?:avant\s+le|d['’]ici\s+le|jusqu['’]au|pour\s+le|antes\s+del?|para\s+el|"
        r"hasta\s+el|bis\s+zum|by\s+the|before\s+the|until\s+the|entro\s+il|per\s+il|"
        r"prima\s+del|at[eé]\s+o|at[eé]|para\s+o)\s+(?:d[ií]a\s+|giorno\s+)?"
        r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º|\.)?(?!\s*(?:h\b|:|uhr|%|€|\$|\d))(?P<mon>)",
        _absolute,
    ),
    (r"\b(?:am|zum)\s+(?P<d>[0-3]?\d)\.(?!\d)(?P<mon>)", _absolute),
    (rf"\b(?P<wd>{WEEKDAYS})\b" + _PART_OF_DAY, _weekday),
    (
        r"\b(?:na|at[eé](?:\s+a)?|para\s+a|pr[oó]xima|nesta|esta)\s+"
        r"(?P<wd>segunda|ter[cç]a|quarta|quinta|sexta)\b(?!\s+(?:vez|parte|feira))",
        _weekday,
    ),
    (
        r"\b(?:at\s+|um\s+|à\s+|a\s+las\s+|alle\s+|às\s+)?\d{1,2}(?::\d{2})?\s*"
        r"(?:am|pm|a\.m\.|p\.m\.|h|uhr)\b|\b(?:at\s+|um\s+|à\s+|alle\s+|às\s+)?\d{1,2}:\d{2}\b",
        None,
    ),
]
_COMPILED = [(re.compile(_PREP + rule, re.IGNORECASE), fn) for rule, fn in _RULES]
# Each rule's match holds a match of the rule without its prepositions (the same text at
# the same place): when the bare rule finds nothing, neither does the full one. Four
# clauses in five name no date, and one scan for any bare rule costs a quarter of the
# sixteen scans `_PREP` makes slow (a long chat reads ~130 clauses and phrases).
# Every rule opens with `\b` and a word character (a digit, a month, "in", "à", ...):
# led by `(?=\w)`, a search skips the other characters quickly (half the time).
_WORD_LED = r"(?=\w)"
_BARE = [re.compile(_WORD_LED + rule, re.IGNORECASE) for rule, _ in _RULES]
_GROUP_NAME = re.compile(r"\(\?P<\w+>")
"""A named group: one name may stand once in a pattern, the rules share theirs."""
_ANY = re.compile(
    _WORD_LED + "(?:" + "|".join("(?:" + _GROUP_NAME.sub("(?:", r) + ")" for r, _ in _RULES) + ")",
    re.IGNORECASE,
)


def find_dates(text: str, today: date) -> list[DateMention]:
    """Every date or time phrase in `text` (non-overlapping, in order), resolved."""
    return [
        DateMention(m.start(), m.end(), _resolved(resolve, m, today) if resolve else None)
        for m, resolve in _phrases(text)
    ]


def _resolved(resolve: Resolver, m: re.Match[str], today: date) -> date | None:
    """The phrase's day, or None past the calendar's ends ("tomorrow" on 9999-12-31)."""
    try:
        return resolve(m, today)
    except OverflowError:
        return None


# Where the phrases stand does not depend on `today` (only their days do): a candidate's
# due date, its title's date spans and its cue gate read the same text, and share this.
@clause_cached
def _phrases(text: str) -> tuple[tuple[re.Match[str], Resolver | None], ...]:
    """The date and time phrases of `text` (non-overlapping, in order) and their resolvers."""
    found: list[tuple[re.Match[str], Resolver | None]] = []
    if not _ANY.search(text):
        return ()
    for (pattern, resolve), bare in zip(_COMPILED, _BARE, strict=True):
        if not bare.search(text):
            continue
        for m in pattern.finditer(text):
            if any(m.start() < other.end() and other.start() < m.end() for other, _ in found):
                continue
            found.append((m, resolve))
    return tuple(sorted(found, key=lambda phrase: phrase[0].start()))


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where the date and time phrases of `text` stand (their days left unresolved)."""
    return [m.span() for m, _ in _phrases(text)]


def due_date(text: str, today: date) -> date | None:
    """The first day named in `text`, or None."""
    return next((m.day for m in find_dates(text, today) if m.day is not None), None)
