"""A flow due on the calendar's last day pushed by a week moves nowhere and raises
nothing: `date` overflowed and failed the turn's follow-up."""

from __future__ import annotations

from datetime import date

from tests.support.followup import detected, flow


def test_a_push_past_the_calendars_end_changes_nothing() -> None:
    flows = [flow("Send the audit report", due=date(9999, 12, 30))]
    assert detected(flows, "push the audit report a week") == []


def test_a_push_within_the_calendar_still_reschedules() -> None:
    flows = [flow("Send the audit report", due=date(2026, 3, 10))]
    assert detected(flows, "push the audit report a week") == [("reschedule", "f1")]
