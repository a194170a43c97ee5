"""Fixtures: a fake upstream server (OpenAI-compatible or Anthropic) and a service using it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from my_flow_api.services.ai.factory import build_provider
from my_flow_api.services.ai.local.model import LocalModel
from my_flow_api.services.ai.local.provider import LocalProvider
from my_flow_api.services.ai.service import AIService
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.services.local_support import open_provider, shared_model
from tests.integration.services.support import FAST_RETRY, Upstream, settings_for


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server for one test."""
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    """A fake Anthropic server for one test."""
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture(params=["openai", "anthropic"])
async def upstream(request: pytest.FixtureRequest) -> AsyncIterator[Upstream]:
    """Each test using this runs once against each provider, over real HTTP."""
    fake = FakeOpenAI() if request.param == "openai" else FakeAnthropic()
    with fake:
        service = AIService(build_provider(settings_for(fake)), retry=FAST_RETRY)
        try:
            yield Upstream(request.param, fake, service)
        finally:
            await service.aclose()


@pytest.fixture(scope="session")
def local_model() -> LocalModel:
    """The embedded model, loaded once for the whole test session."""
    return shared_model()


@pytest.fixture
async def provider(local_model: LocalModel) -> AsyncIterator[LocalProvider]:
    """A `local` provider on the shared model, closed after the test."""
    async with open_provider(local_model) as local:
        yield local
