"""Turn a conversation into stored flows: extract, then create each one on its own."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from my_flow_api.models.common import PageParams
from my_flow_api.models.conversation import Message
from my_flow_api.models.flow import Flow, FlowCreate
from my_flow_api.repositories.protocols import FlowRepository
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import AIServiceError
from my_flow_api.services.extraction.dedup import not_open
from my_flow_api.services.extraction.service import FlowExtraction

log = structlog.get_logger(__name__)

OPEN_FLOWS = PageParams(limit=200)
"""The newest open flows a new one is compared with."""


async def capture_flows(
    extraction: FlowExtraction,
    flows: FlowRepository,
    user_id: str,
    context_id: str,
    conversation: Sequence[Message | ChatMessage],
) -> list[Flow]:
    """The flows this conversation adds to the context.

    Extraction failing is not an error (a WARNING, and no flows). One flow failing to be
    stored does not stop the others. A flow that names the same task as an open flow of
    the context (an earlier turn's "Call the bank" and this turn's "Ring the bank about
    the card"), or whose normalised title matches one, is not created again.
    """
    try:
        candidates = await extraction.extract(conversation, context_id)
    except AIServiceError as exc:
        log.warning("Flow extraction failed (non-fatal)", code=exc.code)
        return []
    if candidates:
        try:
            candidates = await _new_tasks(flows, user_id, context_id, candidates)
        except Exception as exc:  # the exact-title check in create_unique still holds
            log.warning("Could not compare with open flows", error_type=type(exc).__name__)
    created: list[Flow] = []
    for candidate in candidates:
        try:
            flow = await flows.create_unique(user_id, context_id, candidate)
        except Exception as exc:  # one bad flow must not block the others
            log.warning("Failed to create flow (non-fatal)", error_type=type(exc).__name__)
            continue
        if flow is not None:
            created.append(flow)
    log.debug(
        "Extracted flows from conversation",
        flow_count=len(created),
        candidate_count=len(candidates),
    )
    return created


async def _new_tasks(
    flows: FlowRepository, user_id: str, context_id: str, candidates: list[FlowCreate]
) -> list[FlowCreate]:
    page = await flows.list_by_context(user_id, context_id, OPEN_FLOWS, completed=False)
    return not_open(candidates, (f.title for f in page.items))
