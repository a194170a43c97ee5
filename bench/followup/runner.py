"""Run follow-up cases through the real pipeline: a real SQLite store (migrated as the
app does), the open flows seeded through the repository, then `capture_turn` (the code
the chat turn runs after the answer: open flows read, extraction, vetting, one
`apply_turn`), then the flows read back. `oracle` and `corrupted` run against the
repository's fake OpenAI server answering in the structured output."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from bench.followup.oracle import chat_of, corrupted_answer, oracle_answer
from bench.followup.scoring import CaseScore, score_case

from my_flow_api.config import load_settings
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.flow import Flow, FlowCreate, FlowPriority
from my_flow_api.repositories.factory import create_store
from my_flow_api.repositories.protocols import Store
from my_flow_api.services.ai.factory import build_provider
from my_flow_api.services.chat.flow_capture import capture_turn
from my_flow_api.services.extraction.followup.operations import OpenFlow
from my_flow_api.services.extraction.followup.turn import extract_turn
from my_flow_api.services.extraction.service import FlowExtraction

USER = "bench-user"
PROVIDERS = ("local", "oracle", "corrupted")


def _due(value: str | None) -> datetime | None:
    if value is None:
        return None
    day = date.fromisoformat(value)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


async def _seed(store: Store, case: dict[str, Any]) -> tuple[str, dict[str, str]]:
    ctx = await store.contexts.create(USER, ContextCreate(name=case["id"][:100]))
    ids: dict[str, str] = {}
    for seed in case["open_flows"]:
        data = FlowCreate(
            title=seed["title"], due_date=_due(seed["due_date"]),
            priority=FlowPriority(seed["priority"]),
        )  # fmt: skip
        ids[seed["id"]] = (await store.flows.create(USER, ctx.id, data)).id
    return ctx.id, ids


async def run_case(
    store: Store, extraction: FlowExtraction, case: dict[str, Any], script: Any = None
) -> CaseScore:
    """One case: seed, capture the turn (timed), read back, score."""
    context_id, ids = await _seed(store, case)
    if script is not None:
        script(case, ids)
    start = perf_counter()
    today = date.fromisoformat(case["today"])
    written = await capture_turn(
        extraction, store.flows, USER, context_id, chat_of(case), today=today
    )
    latency = (perf_counter() - start) * 1000
    # The extraction alone (open flows as the turn saw them; no store), timed apart from
    # the capture so the store's writes and the extraction's cost can be told apart.
    refs = [_ref(seed, ids[seed["id"]]) for seed in case["open_flows"]]
    start = perf_counter()
    await extract_turn(extraction, chat_of(case), context_id, refs, today=today)
    extraction_ms = (perf_counter() - start) * 1000
    finals: dict[str, Flow | None] = {
        key: await store.flows.get_by_id(flow_id, USER) for key, flow_id in ids.items()
    }
    score = score_case(case, finals, written.created, latency)
    score.extraction_ms = extraction_ms
    return score


def _ref(seed: dict[str, Any], flow_id: str) -> OpenFlow:
    due = date.fromisoformat(seed["due_date"]) if seed["due_date"] else None
    return OpenFlow(flow_id, seed["title"], due, FlowPriority(seed["priority"]))


async def run(provider: str, cases: list[dict[str, Any]], seed: int = 0) -> list[CaseScore]:
    """Every case against `provider`, on a fresh SQLite store."""
    with tempfile.TemporaryDirectory() as tmp:
        base = {"DATA_DIR": Path(tmp), "DATABASE_URL": None, "MONGODB_URI": None}
        if provider == "local":
            settings = load_settings(**base, AI_PROVIDER="local", _env_file=None)
            return await _run(settings, cases, None)
        from tests.fakes.openai_server import FakeOpenAI

        with FakeOpenAI() as fake:

            def script(case: dict[str, Any], ids: dict[str, str]) -> None:
                if provider == "oracle":
                    answer = oracle_answer(case, ids)
                else:
                    answer = corrupted_answer(case, ids, seed)
                fake.script(extraction=answer)

            settings = load_settings(**base, **fake.settings_overrides(), _env_file=None)
            scores = await _run(settings, cases, script)
            await asyncio.sleep(0.05)
            return scores


async def _run(settings: Any, cases: list[dict[str, Any]], script: Any) -> list[CaseScore]:
    store = await create_store(settings)
    extraction = FlowExtraction.for_settings(build_provider(settings), settings)
    try:
        return [await run_case(store, extraction, case, script) for case in cases]
    finally:
        await extraction.provider.aclose()
        await store.close()
