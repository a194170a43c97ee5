"""Helpers of the follow-up detection's unit tests: open flows, a user's messages, and
what survives the detection and the vetting every model's proposal goes through."""

from __future__ import annotations

from datetime import date

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.operations import OpenFlow, Operation
from my_flow_api.services.extraction.followup.vetting import vet

TODAY = date(2026, 3, 4)  # a Wednesday


def flow(
    title: str, fid: str = "f1", due: date | None = None, priority: str = "medium"
) -> OpenFlow:
    return OpenFlow(fid, title, due, FlowPriority(priority))


def user(*texts: str) -> list[ChatMessage]:
    return [ChatMessage(MessageRole.USER, t) for t in texts]


def detected(flows: list[OpenFlow], *texts: str) -> list[tuple[str, str]]:
    """(operation, flow id) of what the embedded detection finds and the vetting keeps."""
    chat = user(*texts)
    kept = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
    return sorted((o.op.value, o.flow_id) for o in kept)


def kept(flows: list[OpenFlow], text: str, proposal: Operation) -> bool:
    """Whether the vetting keeps a model's proposal, the user having said `text`."""
    return bool(vet([proposal], user(text), flows, TODAY))
