"""Contexts: the areas of life (Work, Personal, …) a user chats and plans in."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from my_flow_api.models.common import UTCDateTime
from my_flow_api.models.patch import reject_null

HEX_COLOR = r"^#[0-9A-Fa-f]{6}$"


class ContextBase(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    color: str = Field(default="#3B82F6", pattern=HEX_COLOR)
    icon: str = Field(default="📁", min_length=1, max_length=32)


class ContextCreate(ContextBase):
    """Body of `POST /contexts`."""


class ContextUpdate(BaseModel):
    """Body of `PATCH /contexts/{id}`: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100)
    color: str | None = Field(default=None, pattern=HEX_COLOR)
    icon: str | None = Field(default=None, min_length=1, max_length=32)

    _not_null = field_validator("name", "color", "icon")(reject_null)


class Context(ContextBase):
    """A stored context."""

    model_config = ConfigDict(extra="ignore")

    id: str
    user_id: str
    created_at: UTCDateTime
    updated_at: UTCDateTime
