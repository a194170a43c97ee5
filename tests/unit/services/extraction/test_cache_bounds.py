"""The clause caches keep clauses, not whole messages: 8,192 long texts would hold
megabytes for as long as the process lives."""

from __future__ import annotations

from my_flow_api.services.extraction import cues, dates, priority


def test_a_long_text_is_answered_but_not_cached() -> None:
    long_text = "call the plumber tomorrow, it's urgent " * 100
    assert len(long_text) > 2_000
    before = (
        dates._cached_spans.cache_info().currsize,
        cues._cached_find_cue.cache_info().currsize,
        priority._cached_priority.cache_info().currsize,
    )
    assert dates.date_spans(long_text)
    cues.find_cue(long_text, "en")
    assert priority.stated_priority(long_text) is not None
    after = (
        dates._cached_spans.cache_info().currsize,
        cues._cached_find_cue.cache_info().currsize,
        priority._cached_priority.cache_info().currsize,
    )
    assert after == before


def test_a_clause_is_cached_and_answered_the_same() -> None:
    clause = "call the plumber tomorrow, it's urgent"
    assert priority.stated_priority(clause) == priority._stated_priority(clause)
    assert dates.date_spans(clause) == list(dates._spans(clause))
    assert cues.find_cue(clause, "en") == cues._find_cue(clause, "en")
    assert dates._cached_spans.cache_info().currsize > 0
