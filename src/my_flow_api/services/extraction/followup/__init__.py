"""Follow-up: what a chat turn does to the context's open flows (issue 22).

The embedded default detects operations in the user's own sentences (`detect`); model
providers propose them in their structured answer (`model_io`). Either way `vetting`
keeps an operation only when its evidence is the user's own, decided statement about
the task the flow names: when unsure, nothing changes.
"""
