"""A line of 100,000 dashes costs little in the rules extractor's note patterns: the
lead `^\\W*` and a possessive of word characters and dashes shared the dashes, and every
split of them was tried (356 s)."""

from __future__ import annotations

from datetime import date
from time import thread_time

from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.rules import extract_by_rules


def test_a_line_of_dashes_costs_little() -> None:
    start = thread_time()
    flows = extract_by_rules([ChatMessage(MessageRole.USER, "-" * 100_000)], date(2026, 3, 4), None)
    assert flows == []
    assert thread_time() - start < 3.0
