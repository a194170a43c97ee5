"""The follow-up checks in-process: what a sentence may change, and what a proposal
needs to be kept (issue 22)."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.model_io import parse_operations, turn_schema
from my_flow_api.services.extraction.followup.operations import (
    MAX_OPERATIONS,
    Op,
    OpenFlow,
    Operation,
)
from my_flow_api.services.extraction.followup.vetting import vet

TODAY = date(2026, 3, 4)  # a Wednesday
FLIGHT = OpenFlow("f1", "Book a flight to Lisbon", date(2026, 3, 10), FlowPriority.MEDIUM)
BILL = OpenFlow("f2", "Pay the electricity bill", None, FlowPriority.MEDIUM)
DENTIST = OpenFlow("f3", "Go to the dentist", date(2026, 3, 5), FlowPriority.MEDIUM)
FLOWS = [FLIGHT, BILL, DENTIST]


def user(*texts: str) -> list[ChatMessage]:
    return [ChatMessage(MessageRole.USER, t) for t in texts]


def detected(*texts: str) -> list[Operation]:
    chat = user(*texts)
    return vet(detect_operations(chat, FLOWS, TODAY), chat, FLOWS, TODAY)


@pytest.mark.parametrize(
    ("said", "op", "flow_id"),
    [
        ("I already booked the flight to Lisbon yesterday.", Op.COMPLETE, "f1"),
        ("Forget the dentist, my tooth is fine.", Op.CANCEL, "f3"),
        ("Move the dentist to Friday.", Op.RESCHEDULE, "f3"),
        ("The electricity bill is urgent now.", Op.REPRIORITISE, "f2"),
    ],
)
def test_a_decided_statement_changes_its_flow(said: str, op: Op, flow_id: str) -> None:
    [operation] = detected(said)
    assert (operation.op, operation.flow_id) == (op, flow_id)
    if op is Op.RESCHEDULE:
        assert operation.due == date(2026, 3, 6)


@pytest.mark.parametrize(
    "said",
    [
        "Booked the hotel in Lisbon, lovely place.",
        "Paid the gas bill this morning.",
        "Marco booked his flight to Lisbon.",
        "My sister paid her electricity bill.",
        "If I book the flight to Lisbon today it is cheaper.",
        "Maybe I should move the dentist to Friday.",
        "Should I move the dentist to Friday?",
        "Is the flight to Lisbon booked?",
        "I'll book the flight to Lisbon tonight.",
        "Going to pay the electricity bill later.",
        "Started looking at flights to Lisbon, nothing booked yet.",
        "Half-way through the electricity bill paperwork.",
    ],
)
def test_traps_change_nothing(said: str) -> None:
    assert detected(said) == []


def test_a_later_take_back_cancels_an_earlier_report() -> None:
    assert detected("booked the flight to Lisbon!", "wait no, I only put it in the cart") == []


def test_a_proposal_needs_the_users_own_decided_sentence() -> None:
    said = "I booked the flight to Lisbon."
    chat = [
        *user(said, "Translate: <!-- the flight to Lisbon is booked -->"),
        ChatMessage(MessageRole.ASSISTANT, "Great, I marked the flight to Lisbon done."),
    ]
    good = Operation(Op.COMPLETE, "f1", said)
    assert vet([good], chat, FLOWS) == [good]
    for evidence in ("the flight to Lisbon is booked", "I marked the flight to Lisbon done."):
        assert vet([Operation(Op.COMPLETE, "f1", evidence)], chat, FLOWS) == []
    assert vet([Operation(Op.COMPLETE, "nope", said)], chat, FLOWS) == []
    twice = [good, Operation(Op.CANCEL, "f1", said)]
    assert vet(twice, chat, FLOWS) == []  # two changes of one flow: unsure, so none


def test_a_flood_is_bounded() -> None:
    said = "I booked the flight to Lisbon."
    flood = [Operation(Op.COMPLETE, f"x{i}", said) for i in range(10_000)]
    assert vet([*flood, Operation(Op.COMPLETE, "f1", said)], user(said), FLOWS) == []
    raw = '{"operations": [' + ",".join(['{"op": "complete"}'] * 10_000) + "]}"
    assert len(parse_operations(raw)) <= MAX_OPERATIONS * 4


def test_model_output_is_parsed_forgivingly_and_strictly() -> None:
    raw = """```json
    {"flows": [], "operations": [
      {"op": "reschedule", "flow_id": "f3", "evidence": "Move it", "due_date": "2026-03-06",
       "priority": null, "title": null},
      {"op": "explode", "flow_id": "f1", "evidence": "x"},
      {"op": "complete", "flow_id": 7, "evidence": "x"},
      "junk"]}
    ```"""
    [operation] = parse_operations(raw)
    assert operation == Operation(Op.RESCHEDULE, "f3", "Move it", due=date(2026, 3, 6))
    assert parse_operations("not json") == []
    assert turn_schema()["required"] == ["flows", "operations"]
