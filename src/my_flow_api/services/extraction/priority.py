"""Stated priority: "urgent", "ASAP", "important" are high; "no rush", "low priority",
"whenever" are low; anything else is medium. Dates alone never raise a priority."""

from __future__ import annotations

import re

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.alternation import word_led
from my_flow_api.services.extraction.clause_cache import clause_cached

_LOW = (
    r"\bno\s+(?:rush|hurry|pressure)\b|\bnot\s+(?:urgent|important|a\s+priority|pressing)\b|"
    r"\blow[\s-]+priority\b|\bwhenever\b|\bsome\s*day\b|\bnice\s+to\s+have\b|\beventually\b|"
    r"\bif\s+i\s+(?:get|have|find)\s+(?:a\s+chance|around\s+to\s+it|(?:the\s+)?time)\b|"
    r"\bwhen\s+i\s+(?:have|get|find)\s+(?:the\s+)?(?:time|a\s+chance)\b|\bat\s+some\s+point\b|"
    r"\bno\s+big\s+deal\b|\bkeine\s+eile\b|\bnicht\s+(?:dringend|eilig|wichtig)\b|"
    r"\bniedrige\s+priorität\b|\birgendwann(?:\s+mal)?\b|\bwenn\s+ich\s+zeit\s+habe\b|"
    r"\bsin\s+prisa\b|\bno\s+es\s+urgente\b|\bbaja\s+prioridad\b|\bcuando\s+pueda\b|"
    r"\bcuando\s+tenga\s+tiempo\b|\balg[uú]n\s+d[ií]a\b|\bpas\s+(?:press[ée]e?|urgent)\b|"
    r"\brien\s+ne\s+presse\b|\bpriorit[ée]\s+basse\b|\bquand\s+j['’]ai(?:\s+le)?\s+temps\b|"
    r"\bun\s+de\s+ces\s+jours\b"
)
_HIGH = (
    r"\burgent(?:ly)?\b|\basap\b|\ba\.s\.a\.p\b|\bas\s+soon\s+as\s+possible\b|"
    r"\bhigh[\s-]+priority\b|\btop[\s-]+priority\b|\bimportant\b|\bcritical\b|\bcrucial\b|\bimmediately\b|"
    r"\bright\s+away\b|\bpriority\s+one\b|\bdringend\b|\bwichtig\b|\bsofort\b|"
    r"\bhohe\s+priorität\b|\bso\s+schnell\s+wie\s+möglich\b|\burgente(?:mente)?\b|"
    r"\bimportante\b|\bcuanto\s+antes\b|\blo\s+antes\s+posible\b|\balta\s+prioridad\b|"
    r"\bprioridad\s+alta\b|\burgence\b|\bimportante?\b|\bau\s+plus\s+vite\b|"
    r"\bdès\s+que\s+possible\b|\bpriorit[ée]\s+(?:haute|élevée)\b|\bau\s+plus\s+tôt\b"
)
# Asked of every clause, phrase and sentence: the alternatives grouped by first letter
# (`word_led`) find the same matches with a fraction of the tries.
LOW = re.compile(word_led(_LOW), re.IGNORECASE)
HIGH = re.compile(word_led(_HIGH), re.IGNORECASE)


@clause_cached  # asked of each clause and again of its sentence
def stated_priority(text: str) -> FlowPriority | None:
    """The priority `text` states, or None (low wins: "not urgent" is low)."""
    if LOW.search(text):
        return FlowPriority.LOW
    if HIGH.search(text):
        return FlowPriority.HIGH
    return None


def priority_spans(text: str) -> list[tuple[int, int]]:
    """Where priority words stand, so that titles can leave them out."""
    return [m.span() for pattern in (LOW, HIGH) for m in pattern.finditer(text)]
