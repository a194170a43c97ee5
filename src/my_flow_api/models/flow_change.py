"""Automatic changes a chat turn made to open flows (issue 22), each undoable."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from my_flow_api.models.common import UTCDateTime
from my_flow_api.models.flow import Flow, FlowCreate, FlowPriority


class FlowChangeOp(StrEnum):
    COMPLETE = "complete"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    REPRIORITISE = "reprioritise"
    REFINE = "refine"


class FlowEdit(BaseModel):
    """A vetted operation for the store to apply: what to change on which open flow."""

    op: FlowChangeOp
    flow_id: str
    evidence: str
    due_date: UTCDateTime | None = None
    priority: FlowPriority | None = None
    title: str | None = None


class FlowChange(BaseModel):
    """One automatic change: the flow before and after it (after is null when the flow was
    cancelled, i.e. removed from the open list), the user's sentence that justified it,
    and when it was undone (null while it stands)."""

    id: str
    flow_id: str
    context_id: str
    op: FlowChangeOp
    before: Flow
    after: Flow | None = None
    evidence: str = Field(description="The user's own sentence that states the change")
    created_at: UTCDateTime
    undone_at: UTCDateTime | None = None


class TurnWrite(BaseModel):
    """What one turn stores in one transaction: the flows it created and the changes."""

    created: list[Flow] = Field(default_factory=list)
    changes: list[FlowChange] = Field(default_factory=list)


class TurnPlan(BaseModel):
    """What one turn asks the store to do."""

    create: list[FlowCreate] = Field(default_factory=list)
    edits: list[FlowEdit] = Field(default_factory=list)
