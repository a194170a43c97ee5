"""The embedded model's grammar gets bounded arrays and strings; the input is not touched."""

from __future__ import annotations

import copy

from my_flow_api.services.ai.local.schema import MAX_ITEMS, MAX_STRING, bounded
from my_flow_api.services.extraction.model_output import extraction_schema


def test_arrays_and_free_text_get_upper_bounds() -> None:
    schema = extraction_schema()
    original = copy.deepcopy(schema)
    tight = bounded(schema)
    flows = tight["properties"]["flows"]
    item = flows["items"]["properties"]
    assert flows["maxItems"] == MAX_ITEMS
    assert item["title"]["maxLength"] == MAX_STRING
    assert item["description"]["maxLength"] == MAX_STRING  # ["string", "null"]
    assert "maxLength" not in item["priority"]  # an enum keeps its values
    assert schema == original


def test_existing_tighter_bounds_are_kept() -> None:
    schema = {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 8}}
    assert bounded(schema) == {
        "type": "array",
        "maxItems": 2,
        "items": {"type": "string", "maxLength": 8},
    }


def test_formats_are_left_alone() -> None:
    schema = {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}
    assert bounded(schema) == schema
