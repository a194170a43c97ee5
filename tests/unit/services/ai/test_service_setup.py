"""Setting the service up: the retry policy, the factory, the provider summary."""

from __future__ import annotations

import pytest

from my_flow_api.config import load_settings
from my_flow_api.services.ai.anthropic_provider import AnthropicProvider
from my_flow_api.services.ai.factory import build_provider, provider_summary
from my_flow_api.services.ai.local.provider import LocalProvider
from my_flow_api.services.ai.openai_provider import OpenAIProvider
from my_flow_api.services.ai.service import AIService, RetryPolicy, build_ai_service

pytestmark = pytest.mark.unit


def test_attempts_are_bounded() -> None:
    policy = RetryPolicy(attempts=3)
    assert policy.delay(1, None) is not None
    assert policy.delay(2, None) is not None
    assert policy.delay(3, None) is None


def test_backoff_grows_with_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(attempts=10, base_delay=1.0, max_delay=3.0)
    for _ in range(50):
        first, second, late = policy.delay(1, None), policy.delay(2, None), policy.delay(8, None)
        assert first is not None
        assert 0.5 <= first <= 1.0
        assert second is not None
        assert 1.0 <= second <= 2.0
        assert late is not None
        assert 1.5 <= late <= 3.0


def test_retry_after_is_honoured_up_to_a_limit() -> None:
    policy = RetryPolicy(attempts=3, max_retry_after=10)
    assert policy.delay(1, 4.0) == 4.0
    assert policy.delay(1, 0.0) == 0.0
    assert policy.delay(1, 60.0) is None


@pytest.mark.parametrize(
    ("overrides", "provider_type"),
    [
        ({"AI_PROVIDER": "openai", "OPENAI_API_KEY": "sk-x"}, OpenAIProvider),
        ({"AI_PROVIDER": "anthropic", "ANTHROPIC_API_KEY": "sk-ant-x"}, AnthropicProvider),
        ({"AI_PROVIDER": "local"}, LocalProvider),
    ],
)
async def test_the_factory_builds_the_configured_provider(
    overrides: dict[str, str], provider_type: type[object]
) -> None:
    settings = load_settings(**overrides, AI_MAX_OUTPUT_TOKENS=77, _env_file=None)
    provider = build_provider(settings)
    assert isinstance(provider, provider_type)
    await provider.aclose()
    service = build_ai_service(settings)
    assert isinstance(service, AIService)
    assert service.provider_name == settings.AI_PROVIDER.value
    assert service.model == provider.model
    assert service.max_output_tokens == 77
    await service.aclose()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"AI_PROVIDER": "openai", "OPENAI_API_KEY": "sk-x"},
            {"provider": "openai", "endpoint": "https://api.openai.com"},
        ),
        (
            {
                "AI_PROVIDER": "openai",
                "OPENAI_API_KEY": "sk-x",
                "OPENAI_BASE_URL": "http://user:hunter2@vllm.internal:8000/v1?key=abc",
            },
            {"provider": "openai", "endpoint": "http://vllm.internal:8000"},
        ),
        (
            {"AI_PROVIDER": "anthropic", "ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "nope"},
            {"provider": "anthropic", "endpoint": "(invalid URL)"},
        ),
        (
            {"AI_PROVIDER": "openai", "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://h:port/"},
            {"provider": "openai", "endpoint": "(invalid URL)"},
        ),
        ({"AI_PROVIDER": "local"}, {"provider": "local", "endpoint": "in-process"}),
    ],
)
def test_provider_summary_never_shows_credentials(
    overrides: dict[str, str], expected: dict[str, str]
) -> None:
    summary = provider_summary(load_settings(**overrides, _env_file=None))
    assert {k: summary[k] for k in expected} == expected
    assert "hunter2" not in str(summary)
    assert "key=abc" not in str(summary)
