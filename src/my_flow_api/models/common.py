"""Helpers shared by the models: ids, timestamps, pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, Field

ID_LENGTH = 32


def new_id() -> str:
    """A fresh opaque string id, the same shape in every store."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise ValueError("datetime is out of range once converted to UTC") from None


UTCDateTime = Annotated[datetime, AfterValidator(_as_utc)]
"""A datetime that is always timezone-aware UTC (naive input is taken as UTC); one that
falls outside years 1-9999 in UTC is a validation error."""


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total count for paging."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class PageParams(BaseModel):
    """Paging of a list request."""

    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)
