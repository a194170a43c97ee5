"""Contexts: the areas of life (Work, Personal, …) a user chats and plans in."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from my_flow_api.models.common import UTCDateTime
from my_flow_api.models.patch import reject_null
from my_flow_api.models.text import ContextIcon, ContextName, no_default

HEX_COLOR = r"^#[0-9A-Fa-f]{6}$"
HexColor = Annotated[str, StringConstraints(pattern=HEX_COLOR)]


class ContextBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ContextName
    color: HexColor = "#3B82F6"
    icon: ContextIcon = "📁"


class ContextCreate(ContextBase):
    """Body of `POST /contexts`."""


class ContextUpdate(BaseModel):
    """Body of `PATCH /contexts/{id}`: only the fields sent are changed; none may be null."""

    model_config = ConfigDict(extra="forbid")

    name: ContextName | SkipJsonSchema[None] = Field(default=None, json_schema_extra=no_default)
    color: HexColor | SkipJsonSchema[None] = Field(default=None, json_schema_extra=no_default)
    icon: ContextIcon | SkipJsonSchema[None] = Field(default=None, json_schema_extra=no_default)

    _not_null = field_validator("name", "color", "icon")(reject_null)


class Context(ContextBase):
    """A stored context."""

    model_config = ConfigDict(extra="ignore")

    id: str
    user_id: str
    created_at: UTCDateTime
    updated_at: UTCDateTime
