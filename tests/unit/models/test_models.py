"""Model rules the API relies on: title keys, null handling in PATCH, UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from my_flow_api.models.context import ContextUpdate
from my_flow_api.models.flow import Flow, FlowUpdate, normalize_title


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Book a flight", "book a flight"),
        ("Book a flight.", "  Book   a flight  "),
        ("Call the client!", "call the client"),
        ("ＣＡＬＬ client", "call client"),
        ("Straße", "STRASSE"),
    ],
)
def test_titles_that_mean_the_same_share_a_key(a: str, b: str) -> None:
    assert normalize_title(a) == normalize_title(b)


def test_different_titles_keep_different_keys() -> None:
    assert normalize_title("Call the client") != normalize_title("Call the clients")


@pytest.mark.parametrize("field", ["title", "priority", "reminder_enabled", "is_completed"])
def test_patch_refuses_null_for_required_flow_fields(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FlowUpdate.model_validate({field: None})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_patch_may_clear_optional_fields_and_omit_others() -> None:
    update = FlowUpdate.model_validate({"description": None, "due_date": None})
    assert update.model_dump(exclude_unset=True) == {"description": None, "due_date": None}


@pytest.mark.parametrize("field", ["name", "color", "icon"])
def test_context_patch_refuses_null(field: str) -> None:
    with pytest.raises(ValidationError):
        ContextUpdate.model_validate({field: None})


def test_timestamps_become_aware_utc() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    plus_two = datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    flow = Flow(
        id="f", user_id="u", context_id="c", title="t", created_at=naive, updated_at=plus_two
    )
    assert flow.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert flow.updated_at.tzinfo is UTC
    assert flow.updated_at == flow.created_at
