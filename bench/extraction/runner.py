"""Run `FlowExtraction.extract` over the cases and score each answer.

The service is the real one (`FlowExtraction` on the settings' provider), built once
for the whole run. For
the `oracle` and `corrupted` providers the repository's fake OpenAI server answers, its
non-streaming answer scripted before each case. Each extraction call is timed with the
wall clock (`perf_counter`). A provider failure (`AIServiceError`) counts as an extraction
with no flows; any other exception is recorded as a crash (a bug) and the run goes on.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from time import perf_counter
from typing import Any

from bench.extraction.cases import Case
from bench.extraction.oracle import corrupted_answer, oracle_answer
from bench.extraction.scoring import CaseResult, Prediction, score_case

from my_flow_api.config import load_settings
from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import AIServiceError
from my_flow_api.services.ai.factory import build_provider
from my_flow_api.services.extraction.service import FlowExtraction

PROVIDERS = ("local", "openai", "oracle", "corrupted")
EXTRACTORS = ("auto", "rules", "model")


@dataclass(frozen=True, slots=True)
class RunConfig:
    """What to run the cases against."""

    provider: str = "local"
    extractor: str = "auto"
    base_url: str | None = None
    model: str | None = None
    api_key: str = "none"
    seed: int = 0
    """Seed of the `corrupted` answers."""


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """The scored cases and facts about the run."""

    results: list[CaseResult]
    provider: str
    model: str
    extractor: str
    fake_requests: int | None = None
    """Extraction requests the fake server received (`oracle` / `corrupted` only)."""


def settings_overrides(config: RunConfig) -> dict[str, str]:
    """`load_settings` arguments for the `local` and `openai` providers."""
    overrides = {"FLOW_EXTRACTOR": config.extractor}
    if config.provider == "local":
        return {**overrides, "AI_PROVIDER": "local"}
    overrides |= {"AI_PROVIDER": "openai", "OPENAI_API_KEY": config.api_key}
    if config.base_url:
        overrides["OPENAI_BASE_URL"] = config.base_url
    if config.model:
        overrides["OPENAI_MODEL"] = config.model
    return overrides


def to_prediction(flow: FlowCreate) -> Prediction:
    """The scored view of an extracted flow (the due date's UTC day)."""
    due = flow.due_date.astimezone(UTC).date() if flow.due_date else None
    return Prediction(flow.title, due, flow.priority.value)


def chat_messages(case: Case) -> list[ChatMessage]:
    """The case's conversation as the service takes it."""
    return [ChatMessage(MessageRole(role), content) for role, content in case.messages]


async def extract_case(
    service: FlowExtraction, case: Case, on_crash: Callable[[Case, BaseException], None]
) -> CaseResult:
    """Extract from one case, timed, and score it."""
    error: str | None = None
    crashed = False
    flows: list[FlowCreate] = []
    start = perf_counter()
    try:
        flows = await service.extract(chat_messages(case), "bench", today=case.today)
    except AIServiceError as exc:
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        error, crashed = f"{type(exc).__name__}: {exc}", True
        on_crash(case, exc)
    latency_ms = (perf_counter() - start) * 1000
    predictions = [to_prediction(f) for f in flows]
    return score_case(case, predictions, latency_ms, error=error, crashed=crashed)


def _print_first_crash() -> Callable[[Case, BaseException], None]:
    seen = False

    def report(case: Case, exc: BaseException) -> None:
        nonlocal seen
        if not seen:
            seen = True
            print(f"!! extraction crashed on {case.id} (later crashes are only counted):")
            traceback.print_exception(exc)

    return report


async def _run_service(
    service: FlowExtraction, cases: Sequence[Case], before: Callable[[Case], None] | None
) -> list[CaseResult]:
    on_crash = _print_first_crash()
    results = []
    try:
        for case in cases:
            if before is not None:
                before(case)
            results.append(await extract_case(service, case, on_crash))
    finally:
        await service.provider.aclose()
    return results


async def run(config: RunConfig, cases: Sequence[Case]) -> RunOutcome:
    """Every case through the service `config` describes."""
    if config.provider not in ("oracle", "corrupted"):
        settings = load_settings(**settings_overrides(config), _env_file=None)
        service = FlowExtraction.for_settings(build_provider(settings), settings)
        results = await _run_service(service, cases, None)
        return RunOutcome(results, config.provider, service.provider.model, config.extractor)
    from tests.fakes.openai_server import FakeOpenAI

    def answer(case: Case) -> dict[str, Any]:
        if config.provider == "oracle":
            return oracle_answer(case)
        return corrupted_answer(case, config.seed)

    with FakeOpenAI() as fake:

        def script(case: Case) -> None:
            fake.script(extraction=answer(case))

        overrides = {**fake.settings_overrides(), "FLOW_EXTRACTOR": config.extractor}
        settings = load_settings(**overrides, _env_file=None)
        service = FlowExtraction.for_settings(build_provider(settings), settings)
        results = await _run_service(service, cases, script)
        requests = len(fake.chat_requests)
        # Let the closed connections reach the fake before it stops (else it logs the
        # cancelled keep-alive reads of its handlers as errors).
        await asyncio.sleep(0.05)
    return RunOutcome(results, config.provider, service.provider.model, config.extractor, requests)
