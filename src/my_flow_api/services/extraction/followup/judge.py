"""Whether a user sentence states a decided change about one flow: the one judgement the
embedded detection and the vetting of any model's proposal share.

No question anywhere in the sentence; and every clause that names the flow (or, when
its words are spread over clauses, the sentence) is no hypothetical, partial progress,
someone else's act, nor (except for a cancellation) a plan. A completion also needs a
clause naming the flow with its own verb or a generic done-word acting on the flow's
object, nothing under way (`aspect`), and no attempt, part, hearsay, other occasion or
pending rest (`completion`); a cancellation, reschedule or reprioritisation needs its cue
in a decided clause bound to the flow (`binding`).
"""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.services.extraction.followup import aspect, binding, completion, guards
from my_flow_api.services.extraction.followup.linking import MIN_COVERAGE, coverage
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow
from my_flow_api.services.extraction.followup.refine import correction


def naming_segments(sentence: str, flow: OpenFlow, op: Op) -> list[str]:
    """The clauses of the sentence that name the flow; [] when the sentence does not."""
    if op is Op.REFINE and correction(sentence, [flow]) is not None:
        return [sentence]
    naming = [s for s in guards.segments(sentence) if coverage(s, flow) >= MIN_COVERAGE]
    if naming:
        return naming
    return [sentence] if coverage(sentence, flow) >= MIN_COVERAGE else []


def decided_about(sentence: str, flow: OpenFlow, op: Op, flows: Sequence[OpenFlow] = ()) -> bool:
    """See the module docstring (`flows`: all the open flows, so that a clause naming
    another one does not carry this one's change)."""
    if guards.is_question(sentence):
        return False
    naming = naming_segments(sentence, flow, op)
    if not naming or any(binding.owned_by_other(segment, flow) for segment in naming):
        return False  # "Ana's passport is urgent" is not "Renew the passport"
    if op in binding.BOUND_OPS:  # the clauses bound to the change are judged there
        bound = {part for group in binding.bound_groups(sentence, flow, op, flows or [flow])
                 for part in group}  # fmt: skip
        naming = [segment for segment in naming if segment not in bound]
    if not all(_decided(segment, op, flow.title) for segment in naming):
        return False
    if op is Op.COMPLETE:  # a thing done with its own verb or a done-word, not under way
        if aspect.in_progress(sentence) or completion.not_done(sentence, naming, flow, flows):
            return False
        opening = aspect.OPENING_DONE.match(sentence) is not None
        return opening or any(completion.verb_fits(segment, flow) for segment in naming)
    if op is Op.CANCEL and binding.REBOOK.search(sentence):
        return False  # "the dentist cancelled on me, need to rebook"
    if op is Op.REPRIORITISE and binding.NOT_NOW.search(sentence):
        return False  # "the passport renewal is important but not now"
    if op is Op.RESCHEDULE and binding.OBJECTION.search(sentence):
        return False  # "el dentista lo movieron al viernes, pero yo no puedo"
    if op in binding.BOUND_OPS:
        return binding.states_bound(sentence, flow, op, flows or [flow])
    return True


def _decided(segment: str, op: Op, title: str = "") -> bool:
    if not guards.states_decided_change(segment, title):
        return False
    if op is Op.COMPLETE and (guards.LATER.search(segment) or guards.NEGATED.search(segment)):
        return False
    # What a task is may be said in the future ("I'm taking the train, not a flight"): a
    # correction is no plan to change it; a cancellation's cue is a decision of its own.
    return op in (Op.CANCEL, Op.REFINE) or not guards.is_plan(segment)
