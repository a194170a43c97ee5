"""A new due date in a sentence, against the user's today: `dates.due_date` for en, es,
de and fr, plus Italian and Portuguese weekdays (same convention: the next such day
strictly after today)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from my_flow_api.services.extraction.dates import due_date
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
