"""Helpers shared by the models: ids, timestamps, pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

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
        # The schema admits any RFC 3339 date-time, so the calendar's ends are held to them.
        end = datetime.min if value.year == 1 else datetime.max
        return end.replace(tzinfo=UTC)


UTCDateTime = Annotated[datetime, AfterValidator(_as_utc)]
"""A datetime that is always timezone-aware UTC (naive input is taken as UTC); one whose
UTC time falls just outside years 1-9999 is held to the calendar's first or last instant."""


def _not_a_number(value: object) -> object:
    if isinstance(value, int | float):
        raise ValueError("a date-time must be a string (RFC 3339), not a number")
    return value


InputDateTime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]
"""A UTCDateTime as a client sends it: a date-time string. Pydantic alone also takes a
number as Unix seconds, which the schema (`type: string`) does not allow."""


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
