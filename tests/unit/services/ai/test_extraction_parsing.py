"""Parsing a model's extraction answer into validated flows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from my_flow_api.models.flow import DESCRIPTION_MAX, TITLE_MAX, FlowPriority
from my_flow_api.services.extraction.model_output import (
    MAX_FLOWS,
    RAW_MAX_CHARS,
    extraction_schema,
    parse_due_date,
    parse_flows,
)

pytestmark = pytest.mark.unit


def _flow(title: str = "Call Mum", **fields: Any) -> dict[str, Any]:
    return {"title": title, "description": None, "priority": "medium", "due_date": None, **fields}


def test_a_valid_answer_becomes_flows_with_the_context() -> None:
    raw = json.dumps({"flows": [_flow(priority="high", description="  weekly  call ")]})
    (flow,) = parse_flows(raw, "ctx-1")
    assert flow.title == "Call Mum"
    assert flow.priority is FlowPriority.HIGH
    assert flow.description == "weekly call"
    assert flow.context_id == "ctx-1"


@pytest.mark.parametrize(
    "raw",
    [
        '```json\n{"flows": [{"title": "Call Mum"}]}\n```',
        '[{"title": "Call Mum"}]',
        'Here you go: {"flows": [{"title": "Call Mum"}]} Hope it helps.',
    ],
)
def test_common_wrappings_are_accepted(raw: str) -> None:
    assert [f.title for f in parse_flows(raw)] == ["Call Mum"]


@pytest.mark.parametrize(
    "raw",
    ["", "null", "{", '{"flows": {"title": "x"}}', '{"tasks": []}', "42", '"flows"', "{oops}"],
)
def test_unusable_answers_give_no_flows(raw: str) -> None:
    assert parse_flows(raw) == []


def test_an_oversized_answer_is_ignored() -> None:
    raw = json.dumps({"flows": [_flow(description="x" * RAW_MAX_CHARS)]})
    assert parse_flows(raw) == []


def test_invalid_items_are_dropped_and_the_rest_kept() -> None:
    items = [_flow("Keep 1"), {"title": "   "}, {"title": 7}, ["x"], None, _flow("Keep 2")]
    assert [f.title for f in parse_flows(json.dumps({"flows": items}))] == ["Keep 1", "Keep 2"]


def test_at_most_ten_flows() -> None:
    raw = json.dumps({"flows": [_flow(f"Task {i}") for i in range(25)]})
    assert len(parse_flows(raw)) == MAX_FLOWS == 10


def test_duplicates_are_merged() -> None:
    raw = json.dumps({"flows": [_flow("Call Mum"), _flow("call mum!"), _flow("CALL  MUM")]})
    assert [f.title for f in parse_flows(raw)] == ["Call Mum"]


def test_field_limits_are_enforced() -> None:
    raw = json.dumps({"flows": [_flow("T" * 500, description="D" * 5000)]})
    (flow,) = parse_flows(raw)
    assert len(flow.title) == TITLE_MAX
    assert flow.title.endswith("\u2026")
    assert flow.description is not None
    assert len(flow.description) == DESCRIPTION_MAX


def test_whitespace_and_control_characters_are_cleaned() -> None:
    raw = json.dumps({"flows": [_flow("  Pay\n\tthe\x00 rent  ", description="  ")]})
    (flow,) = parse_flows(raw)
    assert flow.title == "Pay the rent"
    assert flow.description is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HIGH", FlowPriority.HIGH),
        (" low ", FlowPriority.LOW),
        ("urgent", FlowPriority.MEDIUM),
        (3, FlowPriority.MEDIUM),
        (None, FlowPriority.MEDIUM),
    ],
)
def test_priority_is_normalised(value: object, expected: FlowPriority) -> None:
    (flow,) = parse_flows(json.dumps({"flows": [_flow(priority=value)]}))
    assert flow.priority is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2030-06-02", datetime(2030, 6, 2, tzinfo=UTC)),
        ("2030-06-02T09:30:00Z", datetime(2030, 6, 2, 9, 30, tzinfo=UTC)),
        ("2030-06-02T09:30:00+02:00", datetime(2030, 6, 2, 7, 30, tzinfo=UTC)),
        ("next Friday", None),
        ("1066-10-14", None),
        ("", None),
        (20300602, None),
        (None, None),
    ],
)
def test_due_dates_are_parsed_as_utc_or_dropped(value: object, expected: datetime | None) -> None:
    assert parse_due_date(value) == expected
    (flow,) = parse_flows(json.dumps({"flows": [_flow(due_date=value)]}))
    assert flow.due_date == expected


def test_an_invalid_context_id_drops_everything_rather_than_failing() -> None:
    assert parse_flows(json.dumps({"flows": [_flow()]}), "x" * 100) == []


def _objects(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "object" else []
        for value in node.values():
            found += _objects(value)
        return found
    if isinstance(node, list):
        return [o for item in node for o in _objects(item)]
    return []


def test_schema_is_strict_mode_compatible_and_a_fresh_copy() -> None:
    schema = extraction_schema()
    for obj in _objects(schema):
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])
    schema["properties"].clear()
    assert extraction_schema()["properties"]
