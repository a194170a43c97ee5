"""Fourth-round checks of the follow-up detection (issue 22): claims taken back by a mock
("haha non", "jk"). Real sentences through the embedded detection and through the
vetting a model's proposal goes through."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow, Operation
from my_flow_api.services.extraction.followup.vetting import vet

TODAY = date(2026, 3, 4)


def flow(
    title: str, fid: str = "f1", due: date | None = None, priority: str = "medium"
) -> OpenFlow:
    return OpenFlow(fid, title, due, FlowPriority(priority))


def user(*texts: str) -> list[ChatMessage]:
    return [ChatMessage(MessageRole.USER, t) for t in texts]


def detected(flows: list[OpenFlow], *texts: str) -> list[tuple[str, str]]:
    chat = user(*texts)
    kept = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
    return sorted((o.op.value, o.flow_id) for o in kept)


def kept(flows: list[OpenFlow], text: str, proposal: Operation) -> bool:
    return bool(vet([proposal], user(text), flows, TODAY))


# -- a mocked claim: the clause or sentence after it takes it back ------------------------


@pytest.mark.parametrize(
    ("title", "said", "evidence"),
    [
        (
            "Faire les cartons pour le déménagement",
            "ah oui bien sûr, j'ai fini les cartons, haha non. il en reste genre quarante",
            "j'ai fini les cartons",
        ),
        ("Pay the rent", "paid the rent lol no", "paid the rent"),
        ("File the taxes", "Filed the taxes. Just kidding. Not even started.", "Filed the taxes"),
        (
            "Steuererklärung abgeben",
            "Steuererklärung abgegeben, nur Spaß",
            "Steuererklärung abgegeben",
        ),
        ("Pagar la luz", "Ya pagué la luz, es broma", "Ya pagué la luz"),
    ],
)
def test_a_mocked_claim_changes_nothing(title: str, said: str, evidence: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.COMPLETE, "f1", evidence))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Pay the rent", "haha no worries, I paid the rent"),
        ("Pay the rent", "No, I paid the rent this morning"),
    ],
)
def test_a_laugh_or_no_before_the_claim_does_not_take_it_back(title: str, said: str) -> None:
    assert detected([flow(title)], said) == [("complete", "f1")]
