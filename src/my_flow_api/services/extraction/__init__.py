"""Everything about flows from chat: the prompt, model-output parsing, rules, grounding,
de-duplication and the one input cap; `service.FlowExtraction` is the entry point."""
