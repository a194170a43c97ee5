"""StartAdmission's bookkeeping: first come first served, bounded queue and wait, and no
slot lost or doubled whatever a waiter's end (time-out, cancellation, client gone)."""

from __future__ import annotations

import asyncio

import pytest

from my_flow_api.errors import ServiceBusyError
from my_flow_api.services.chat.admission import ClientGoneError, StartAdmission


async def test_slots_are_handed_over_in_arrival_order() -> None:
    admission = StartAdmission(1, wait_seconds=5)
    first = await admission.enter()
    order: list[str] = []

    async def wait(name: str) -> None:
        slot = await admission.enter()
        order.append(name)
        slot.release()

    admission.max_waiting = 2
    waiters = [asyncio.create_task(wait("b")), asyncio.create_task(wait("c"))]
    await asyncio.sleep(0)
    assert admission.waiting == 2
    first.release()
    first.release()  # idempotent
    await asyncio.gather(*waiters)
    assert order == ["b", "c"]
    assert (admission.starting, admission.waiting) == (0, 0)


async def test_beyond_the_queue_or_the_wait_a_start_is_busy() -> None:
    admission = StartAdmission(1, wait_seconds=0.05)
    slot = await admission.enter()
    queued = asyncio.create_task(admission.enter())
    await asyncio.sleep(0)
    with pytest.raises(ServiceBusyError) as refused:  # the one waiting place is taken
        await admission.enter()
    assert refused.value.retry_after == 1
    with pytest.raises(ServiceBusyError):
        await queued  # waited 0.05 s
    assert (admission.starting, admission.waiting) == (1, 0)
    slot.release()
    assert admission.starting == 0


async def test_a_cancelled_waiter_that_was_handed_a_slot_passes_it_on() -> None:
    admission = StartAdmission(1, wait_seconds=5)
    admission.max_waiting = 2
    slot = await admission.enter()
    b = asyncio.create_task(admission.enter())
    c = asyncio.create_task(admission.enter())
    await asyncio.sleep(0)
    slot.release()  # handed to b, which is cancelled before it runs
    b.cancel()
    with pytest.raises(asyncio.CancelledError):
        await b
    c_slot = await asyncio.wait_for(c, 1)
    assert admission.starting == 1
    c_slot.release()
    assert (admission.starting, admission.waiting) == (0, 0)


async def test_a_client_gone_while_waiting_leaves_the_queue() -> None:
    admission = StartAdmission(1, wait_seconds=5)
    slot = await admission.enter()
    left = asyncio.Event()
    waiter = asyncio.create_task(admission.enter(left.wait))
    await asyncio.sleep(0)
    left.set()
    with pytest.raises(ClientGoneError):
        await asyncio.wait_for(waiter, 1)
    assert (admission.starting, admission.waiting) == (1, 0)
    slot.release()
    assert admission.starting == 0


async def test_a_failed_disconnect_watcher_is_no_client_gone() -> None:
    admission = StartAdmission(1, wait_seconds=0.05)
    slot = await admission.enter()

    async def broken() -> object:
        raise OSError("receive failed")

    with pytest.raises(ServiceBusyError):  # the wait ran out: busy, not "client gone"
        await admission.enter(broken)
    assert (admission.starting, admission.waiting) == (1, 0)
    slot.release()
    assert admission.starting == 0
