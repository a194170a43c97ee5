"""Tighter JSON schemas for the embedded model's grammar.

A 135M-parameter model under a JSON grammar tends to repeat itself until the token limit:
the same flow ten times over, or a string that never closes. Bounding arrays and strings in
the grammar ends such output early, which keeps extraction within seconds on two cores.
Hosted providers get the schema unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

MAX_ITEMS = 5
"""Items per array: the contract allows up to 10 flows; a tiny model rarely finds more."""
MAX_STRING = 160
"""Characters per free-text string (enums and formats are left alone)."""


def bounded(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` whose arrays and free-text strings have upper bounds."""
    tightened = copy.deepcopy(schema)
    _tighten(tightened)
    return tightened


def _tighten(node: object) -> None:
    if isinstance(node, list):
        for item in node:
            _tighten(item)
        return
    if not isinstance(node, dict):
        return
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "array" in kinds:
        node["maxItems"] = min(int(node.get("maxItems", MAX_ITEMS)), MAX_ITEMS)
    if "string" in kinds and "enum" not in node and "format" not in node:
        node["maxLength"] = min(int(node.get("maxLength", MAX_STRING)), MAX_STRING)
    for value in node.values():
        _tighten(value)
