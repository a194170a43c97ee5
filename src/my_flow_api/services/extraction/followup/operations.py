"""The operations a turn can apply to an open flow, and the open flows they may target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from my_flow_api.models.flow import FlowPriority
from my_flow_api.models.flow_change import FlowChangeOp as Op

__all__ = ["MAX_OPERATIONS", "Op", "OpenFlow", "Operation"]


@dataclass(frozen=True, slots=True)
class OpenFlow:
    """What extraction may know of an open flow: what the model provider is sent."""

    id: str
    title: str
    due: date | None
    priority: FlowPriority


@dataclass(frozen=True, slots=True)
class Operation:
    """One proposed change to one open flow, with the user's sentence that justifies it."""

    op: Op
    flow_id: str
    evidence: str
    due: date | None = None
    priority: FlowPriority | None = None
    title: str | None = None


MAX_OPERATIONS = 10
"""At most this many operations per turn: a flood of proposals is cut, not applied."""
