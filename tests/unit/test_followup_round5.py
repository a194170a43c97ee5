"""Fifth-round checks of the follow-up detection (issue 22): a change made by or for
another party, and a part of the flow's object done. Real sentences through the
embedded detection and through the vetting a model's proposal goes through."""

from __future__ import annotations

from datetime import date

import pytest

from my_flow_api.services.extraction.followup.operations import Op, OpenFlow, Operation
from tests.support.followup import detected, kept
from tests.support.followup import flow as open_flow

DUE = date(2026, 3, 10)
FRIDAY = date(2026, 3, 6)


def flow(title: str, fid: str = "f1") -> OpenFlow:
    return open_flow(title, fid, DUE)


def moved(evidence: str) -> Operation:
    return Operation(Op.RESCHEDULE, "f1", evidence, due=FRIDAY)


# -- a reschedule made by another party: the user decided nothing -------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Book the dentist", "dentist appointment got moved to Friday by the clinic"),
        ("Book the dentist", "the dentist appointment was moved to Friday by the receptionist"),
        ("Write the report", "the report deadline got pushed to Friday by my manager"),
        ("Go to the hairdresser", "the hairdresser appointment was moved to Friday by the salon"),
    ],
)
def test_a_reschedule_by_another_party_changes_nothing(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, moved(said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Ir al dentista", "el dentista lo movieron al viernes, pero yo no puedo"),
        ("Write the report", "the report deadline moved to Friday, but I can't make that"),
        ("Aller chez le dentiste", "le dentiste est déplacé à vendredi, mais je ne peux pas"),
    ],
)
def test_a_reschedule_the_user_objects_to_changes_nothing(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, moved(said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Write the report", "the report deadline moved to Friday for the other team"),
        ("Write the report", "move the report deadline to Friday for the other team"),
        ("Escribir el informe", "el informe se mueve al viernes para el otro equipo"),
    ],
)
def test_a_new_day_for_another_party_changes_nothing(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, moved(said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Write the report", "move the report to Friday"),
        ("Book the dentist", "I can't make it Tuesday, move the dentist to Friday"),
        ("Write the report", "push the report to Friday by the latest"),
    ],
)
def test_the_users_own_reschedule_still_counts(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == [("reschedule", "f1")]
    assert kept(flows, said, moved(said))


# -- a part of the flow's object done: not the whole ---------------------------------------


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Wash the car", "washed the car seats"),
        ("Clean the windows", "cleaned the windows upstairs, downstairs next"),
        ("Clean the fridge", "cleaned the fridge shelves this morning"),
        ("Paint the fence", "painted the fence posts"),
    ],
)
def test_a_part_of_the_object_done_is_no_completion(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == []
    assert not kept(flows, said, Operation(Op.COMPLETE, "f1", said))


@pytest.mark.parametrize(
    ("title", "said"),
    [
        ("Wash the car", "washed the car"),
        ("Wash the car", "washed the car today, finally"),
        ("Clean the windows", "cleaned the windows yesterday"),
        ("Call mum", "called mum back"),
    ],
)
def test_the_whole_object_done_still_completes(title: str, said: str) -> None:
    flows = [flow(title)]
    assert detected(flows, said) == [("complete", "f1")]
    assert kept(flows, said, Operation(Op.COMPLETE, "f1", said))
