"""Helpers for PATCH bodies: a field may be omitted, but only some may be set to null."""

from __future__ import annotations


def reject_null(value: object) -> object:
    """Field validator body: an explicit `null` is refused for fields that cannot be empty."""
    if value is None:
        raise ValueError("may not be null; omit the field to leave it unchanged")
    return value
