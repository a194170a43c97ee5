"""A day count past any to-do list's horizon names no due day, and never raises: "in
99999999 days" overflowed `date` and failed the whole turn's extraction."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.services.extraction.dates import due_date

TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(
    "text",
    ["call mum in 99999999 days", "llamar a mamá en 99999999 días", "in 600 weeks pay rent"],
)
def test_a_count_past_the_horizon_is_no_due_day(text: str) -> None:
    assert due_date(text, TODAY) is None


def test_a_count_within_the_horizon_is_still_read() -> None:
    assert due_date("renew the passport in 400 days", TODAY) == date(2027, 2, 5)
    assert due_date("in 3 weeks pay rent", TODAY) == date(2026, 1, 22)


def test_a_run_of_thousands_of_digits_is_no_count() -> None:
    assert due_date("in " + "9" * 5000 + " days call mum", TODAY) is None


def test_a_day_past_the_calendars_end_is_none() -> None:
    assert due_date("call mum tomorrow", date(9999, 12, 31)) is None
    assert due_date("pay rent next week", date(9999, 12, 30)) is None
