"""Flows: the actionable tasks a user has, captured by hand or from chat."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from my_flow_api.models.common import InputDateTime, UTCDateTime
from my_flow_api.models.patch import reject_null
from my_flow_api.models.text import DESCRIPTION_MAX as DESCRIPTION_MAX
from my_flow_api.models.text import TITLE_MAX as TITLE_MAX
from my_flow_api.models.text import FlowDescription, FlowTitle, StorableText, no_default


class FlowPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class FlowFields(BaseModel):
    """The user-editable fields of a flow."""

    model_config = ConfigDict(extra="forbid")

    title: FlowTitle
    description: FlowDescription | None = None
    priority: FlowPriority = FlowPriority.MEDIUM
    due_date: InputDateTime | None = None
    reminder_enabled: StrictBool = True


class FlowCreate(FlowFields):
    """A flow to create; `context_id` comes from the path or the extraction call."""

    context_id: StorableText | None = Field(default=None, min_length=1, max_length=64)


class FlowUpdate(BaseModel):
    """Body of `PATCH /flows/{id}`: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: FlowTitle | SkipJsonSchema[None] = Field(default=None, json_schema_extra=no_default)
    description: FlowDescription | None = None
    priority: FlowPriority | SkipJsonSchema[None] = Field(
        default=None, json_schema_extra=no_default
    )
    due_date: InputDateTime | None = None
    reminder_enabled: StrictBool | SkipJsonSchema[None] = Field(
        default=None, json_schema_extra=no_default
    )
    is_completed: StrictBool | SkipJsonSchema[None] = Field(
        default=None, json_schema_extra=no_default
    )

    _not_null = field_validator("title", "priority", "reminder_enabled", "is_completed")(
        reject_null
    )


class Flow(FlowFields):
    """A stored flow."""

    model_config = ConfigDict(extra="ignore")

    id: str
    user_id: str
    context_id: str
    is_completed: bool = False
    completed_at: UTCDateTime | None = None
    created_at: UTCDateTime
    updated_at: UTCDateTime


_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = " .,;:!?-\u2013\u2014\"'`()[]{}"


def normalize_title(title: str) -> str:
    """The key used to spot duplicate flows: case, width, spacing and edge punctuation folded."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return _SPACES.sub(" ", text).strip(_EDGE_PUNCT)
