"""Flow extraction: deterministic rules over the user's words, and grounding for models."""

from my_flow_api.services.extraction.candidates import same_task
from my_flow_api.services.extraction.conversation import bounded_conversation, transcript
from my_flow_api.services.extraction.grounding import keep_grounded
from my_flow_api.services.extraction.mode import FlowExtractor, default_extractor
from my_flow_api.services.extraction.rules import extract_by_rules

__all__ = [
    "FlowExtractor",
    "bounded_conversation",
    "default_extractor",
    "extract_by_rules",
    "keep_grounded",
    "same_task",
    "transcript",
]
