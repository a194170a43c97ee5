"""A new flow that restates an open one is not new: "Call the agency right after my
meeting" while "Call the agency about the claim" is open names the same task. Stricter
than `dedup.not_open` (titles as wholes): the candidate only has to name what the open
flow's verb acts on (`linking.coverage`), which a different task with the same place or
person does not ("Book a hotel in Lisbon" beside "Book a flight to Lisbon").

Applied to the rules' candidates, whose titles come from any sentence that mentions a
task; a model provider is sent the open flows and told not to restate them, and its
flows still pass `dedup.not_open`."""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.extraction.followup.linking import coverage
from my_flow_api.services.extraction.followup.operations import OpenFlow

RESTATES = 0.5


def not_restating(candidates: Sequence[FlowCreate], flows: Sequence[OpenFlow]) -> list[FlowCreate]:
    """The candidates that name no open flow's task."""
    return [c for c in candidates if not any(coverage(c.title, f) >= RESTATES for f in flows)]
