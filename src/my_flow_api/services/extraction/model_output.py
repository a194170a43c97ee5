"""The extraction result: its JSON schema, and its parsing into validated `FlowCreate`s.

Models do not always follow a schema, so parsing is forgiving about the shape (code
fences, a bare list, prose around the object) and strict about the content: at most
`MAX_FLOWS` flows, field limits from the models, invalid items dropped, duplicates merged.
Anything unusable gives an empty list, never an exception.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from my_flow_api.models.flow import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    FlowCreate,
    FlowPriority,
)
from my_flow_api.services.extraction.dedup import unique_flows

MAX_FLOWS = 10
SCHEMA_NAME = "extracted_flows"
RAW_MAX_CHARS = 200_000

# Only keywords that OpenAI strict structured outputs and Anthropic strict tools both
# accept: the limits are stated in descriptions and enforced while parsing.
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "flows": {
            "type": "array",
            "description": f"At most {MAX_FLOWS} actionable tasks; empty when there are none.",
            "items": {
                "type": "object",
                "properties": {
                    "title": {
                        "type": "string",
                        "description": f"Short imperative phrase, at most {TITLE_MAX} characters.",
                    },
                    "description": {
                        "type": ["string", "null"],
                        "description": f"Detail, at most {DESCRIPTION_MAX} characters, or null.",
                    },
                    "priority": {"type": "string", "enum": [p.value for p in FlowPriority]},
                    "due_date": {
                        "type": ["string", "null"],
                        "description": "ISO 8601 date (YYYY-MM-DD) when one is stated, or null.",
                    },
                },
                "required": ["title", "description", "priority", "due_date"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["flows"],
    "additionalProperties": False,
}

_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*|\s*```\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PRIORITIES = {p.value: p for p in FlowPriority}


def extraction_schema() -> dict[str, Any]:
    """A fresh copy of the JSON schema the extraction answer must match."""
    return copy.deepcopy(_SCHEMA)


def parse_flows(raw: str, context_id: str | None = None) -> list[FlowCreate]:
    """The valid flows in a model's JSON answer (at most `MAX_FLOWS`); `[]` when unusable."""
    items = _items(_load(raw))[: MAX_FLOWS * 4]  # a flood of items is cut before any work
    flows = (_to_flow(item, context_id) for item in items)
    return unique_flows(flow for flow in flows if flow is not None)[:MAX_FLOWS]


def _load(raw: str) -> object:
    if not raw or len(raw) > RAW_MAX_CHARS:
        return None
    text = _FENCE.sub("", raw).strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(text[start : end + 1])
        except ValueError:
            return None
    return None


def _items(data: object) -> list[object]:
    if isinstance(data, dict):
        data = data.get("flows")
    return data if isinstance(data, list) else []


def _clean(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub("", value).split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _to_flow(item: object, context_id: str | None) -> FlowCreate | None:
    if not isinstance(item, dict):
        return None
    title = _clean(item.get("title"), TITLE_MAX)
    if title is None:
        return None
    raw_priority = item.get("priority")
    priority = FlowPriority.MEDIUM
    if isinstance(raw_priority, str):
        priority = _PRIORITIES.get(raw_priority.strip().lower(), FlowPriority.MEDIUM)
    try:
        return FlowCreate(
            title=title,
            description=_clean(item.get("description"), DESCRIPTION_MAX),
            priority=priority,
            due_date=parse_due_date(item.get("due_date")),
            context_id=context_id,
        )
    except ValidationError:
        return None


def parse_due_date(value: object) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime; None when absent or odd."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 2000 <= parsed.year <= 2200:
        return None
    return parsed.astimezone(UTC)
