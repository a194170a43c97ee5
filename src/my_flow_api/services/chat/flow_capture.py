"""Turn a conversation into stored flows: extract, then apply the turn's new flows and
its changes to open flows together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import structlog

from my_flow_api.models.conversation import Message
from my_flow_api.models.flow import Flow, FlowCreate
from my_flow_api.models.flow_change import FlowEdit, TurnPlan, TurnWrite
from my_flow_api.repositories.protocols import FlowRepository
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import AIServiceError
from my_flow_api.services.extraction.dedup import not_open
from my_flow_api.services.extraction.followup.operations import OpenFlow, Operation
from my_flow_api.services.extraction.followup.turn import TurnExtraction, extract_turn
from my_flow_api.services.extraction.service import FlowExtraction

log = structlog.get_logger(__name__)

OPEN_FLOWS = 200
"""The newest open flows a new one is compared with, and a turn may change."""


async def capture_turn(
    extraction: FlowExtraction,
    flows: FlowRepository,
    user_id: str,
    context_id: str,
    conversation: Sequence[Message | ChatMessage],
    *,
    today: date | None = None,
    read_open: bool = True,
) -> TurnWrite:
    """The flows this conversation adds to the context and the changes it makes to open ones.

    Extraction failing is not an error (a WARNING, and nothing changes); neither is the
    store failing to take the turn (its new flows and changes are applied together, or
    not at all). A new flow naming the same task as an open flow is not created again.

    `read_open=False` (the context had no open flows as the turn began) skips reading
    them: nothing to change, and the store itself refuses a new flow that an open one
    created meanwhile already names (`apply_turn`).
    """
    open_flows: list[Flow] = []
    try:
        if read_open:
            open_flows = await _open_flows(flows, user_id, context_id)
    except Exception as exc:  # without the open list, nothing can be compared or changed
        log.warning("Could not read open flows", error_type=type(exc).__name__)
    refs = [_ref(f) for f in open_flows]
    try:
        found = await extract_turn(extraction, conversation, context_id, refs, today=today)
    except AIServiceError as exc:
        log.warning("Flow extraction failed (non-fatal)", code=exc.code)
        return TurnWrite()
    plan = _plan(found, open_flows)
    if not plan.create and not plan.edits:
        return TurnWrite()
    try:
        written = await flows.apply_turn(user_id, context_id, plan)
    except Exception as exc:  # the answer stands; the turn's flows are lost, never half-kept
        log.warning("Failed to store the turn's flows (non-fatal)", error_type=type(exc).__name__)
        return TurnWrite()
    log.debug(
        "Captured flows from conversation",
        flow_count=len(written.created),
        change_count=len(written.changes),
        candidate_count=len(plan.create),
    )
    return written


async def _open_flows(flows: FlowRepository, user_id: str, context_id: str) -> list[Flow]:
    return await flows.list_open(user_id, context_id, OPEN_FLOWS)


def _ref(flow: Flow) -> OpenFlow:
    due = flow.due_date.astimezone(UTC).date() if flow.due_date else None
    return OpenFlow(flow.id, flow.title, due, flow.priority)


def _plan(found: TurnExtraction, open_flows: list[Flow]) -> TurnPlan:
    create: list[FlowCreate] = not_open(found.flows, (f.title for f in open_flows))
    return TurnPlan(create=create, edits=[_edit(op) for op in found.operations])


def _edit(op: Operation) -> FlowEdit:
    due = datetime(op.due.year, op.due.month, op.due.day, tzinfo=UTC) if op.due else None
    return FlowEdit(
        op=op.op,
        flow_id=op.flow_id,
        evidence=op.evidence,
        due_date=due,
        priority=op.priority,
        title=op.title,
    )
