"""Which extractor a provider uses: rules for the embedded model, the model elsewhere."""

from __future__ import annotations

from enum import StrEnum


class FlowExtractor(StrEnum):
    """`rules`: deterministic, local, fast; `model`: the provider, grounded afterwards."""

    RULES = "rules"
    MODEL = "model"


def default_extractor(provider_name: str) -> FlowExtractor:
    """Rules for the embedded 135M model (too small to extract reliably), else the model."""
    return FlowExtractor.RULES if provider_name == "local" else FlowExtractor.MODEL
