"""The clause caches keep clauses, not whole messages: 8,192 long texts would hold
megabytes for as long as the process lives."""

from __future__ import annotations

from my_flow_api.services.extraction import cues, dates, priority


def test_a_long_text_is_answered_but_not_cached() -> None:
    long_text = "call the plumber tomorrow, it's urgent " * 100
    assert len(long_text) > 2_000
    before = (
        dates._phrases.cache_info().currsize,
        cues.find_cue.cache_info().currsize,
        priority.stated_priority.cache_info().currsize,
    )
    assert dates.date_spans(long_text)
    cues.find_cue(long_text, "en")
    assert priority.stated_priority(long_text) is not None
    after = (
        dates._phrases.cache_info().currsize,
        cues.find_cue.cache_info().currsize,
        priority.stated_priority.cache_info().currsize,
    )
    assert after == before


def test_a_clause_is_cached_and_answered_the_same() -> None:
    clause = "call the plumber tomorrow, it's urgent"
    assert priority.stated_priority(clause) == priority.stated_priority.uncached(clause)
    assert dates.date_spans(clause) == [m.span() for m, _ in dates._phrases.uncached(clause)]
    assert cues.find_cue(clause, "en") == cues.find_cue.uncached(clause, "en")
    assert dates._phrases.cache_info().currsize > 0
