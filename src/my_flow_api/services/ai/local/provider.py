"""The `local` provider: SmolLM2-135M-Instruct embedded (or `LOCAL_MODEL_PATH`), no network.

The model is loaded once per process, off the event loop (see `local_loader`). Tokens
come back from the worker thread through an asyncio queue, so the loop is never blocked;
closing or cancelling the consumer stops the worker within one token.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import structlog

from my_flow_api.config import Settings
from my_flow_api.models.conversation import Usage
from my_flow_api.services.ai.base import ChatChunk, ChatMessage
from my_flow_api.services.ai.errors import (
    AIBadOutputError,
    AIConfigurationError,
    AIServiceError,
    AITimeoutError,
    AIUnavailableError,
)
from my_flow_api.services.ai.local.answer import CleanStop, local_system
from my_flow_api.services.ai.local.loader import (
    cached_model,
    load_model,
    locate_model_file,
    model_name,
)
from my_flow_api.services.ai.local.model import (
    Generation,
    GenerationCancelled,
    LocalModel,
    PromptTooLongError,
)
from my_flow_api.services.ai.local.schema import bounded

log = structlog.get_logger(__name__)


def _as_ai_error(exc: BaseException, *, produced_text: bool) -> AIServiceError:
    if isinstance(exc, GenerationCancelled):
        return AIUnavailableError("the local provider was closed", produced_text=produced_text)
    if isinstance(exc, PromptTooLongError):
        return AIConfigurationError(
            str(exc), produced_text=produced_text, code="context_length_exceeded"
        )
    if isinstance(exc, ValueError):
        return AIConfigurationError(
            f"the local model rejected the request ({type(exc).__name__})",
            produced_text=produced_text,
        )
    return AIBadOutputError(
        f"the local model failed ({type(exc).__name__})", produced_text=produced_text
    )


def _to_llama_messages(messages: Sequence[ChatMessage], system: str) -> list[dict[str, str]]:
    out = [{"role": "system", "content": system}] if system else []
    return out + [{"role": m.role.value, "content": m.content} for m in messages]


class LocalProvider:
    """Streaming chat and schema-constrained JSON on the embedded model."""

    name = "local"

    def __init__(self, settings: Settings) -> None:
        """Find the model file (`AIConfigurationError` without it, naming what is missing)."""
        custom = settings.LOCAL_MODEL_PATH
        self.model = model_name(custom)
        self._path = locate_model_file(custom)
        # Only the embedded model gets the short prompt: a model the user chose may well
        # follow the product prompt (`local_answer.local_system` says why SmolLM2 does not).
        self._short_prompt = custom is None
        self._max_output = settings.LOCAL_MAX_OUTPUT_TOKENS
        self._timeout = settings.AI_TIMEOUT_SECONDS
        self._stops: set[threading.Event] = set()

    async def load(self) -> None:
        """Load the model now (in a worker thread) instead of on the first request."""
        await self._model()

    async def _model(self) -> LocalModel:
        model = cached_model(self._path)
        if model is None:
            model = await asyncio.to_thread(load_model, self._path)
        return model

    async def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        max_tokens: int,
        temperature: float,
    ) -> AsyncGenerator[ChatChunk, None]:
        """Stream the answer token by token; the last chunk carries usage and finish reason.

        At most `LOCAL_MAX_OUTPUT_TOKENS` tokens (the caller's `max_tokens` is sized for
        remote models), ending at a sentence end near that cap. `AI_TIMEOUT_SECONDS`
        bounds the wait for each piece (the first one included).
        """
        model = await self._model()
        cap = min(max_tokens, self._max_output)
        prompt = _to_llama_messages(
            messages, local_system(system) if self._short_prompt else system
        )
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | Generation | BaseException] = asyncio.Queue()
        stop = threading.Event()

        def put(item: str | Generation | BaseException) -> None:  # worker thread
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                stop.set()

        def job() -> None:  # worker thread
            if stop.is_set():
                return
            try:
                put(
                    model.generate(
                        prompt,
                        max_tokens=cap,
                        temperature=temperature,
                        on_text=put,
                        stop=stop,
                        ends_answer=CleanStop(cap),
                    )
                )
            except Exception as exc:  # GenerationCancelled too: aclose() may have set `stop`
                put(exc)

        self._stops.add(stop)
        future = model.submit(job)
        produced = False
        try:
            while True:
                try:
                    async with asyncio.timeout(self._timeout):
                        item = await queue.get()
                except TimeoutError:
                    raise AITimeoutError(
                        "the local model did not answer in time", produced_text=produced
                    ) from None
                if isinstance(item, str):
                    produced = True
                    yield ChatChunk(text=item)
                elif isinstance(item, Generation):
                    usage = Usage(
                        input_tokens=item.prompt_tokens, output_tokens=item.completion_tokens
                    )
                    yield ChatChunk(usage=usage, finish_reason=item.finish_reason)
                    return
                else:
                    raise _as_ai_error(item, produced_text=produced) from item
        finally:
            stop.set()
            future.cancel()
            self._stops.discard(stop)

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        schema: dict[str, Any],
        schema_name: str,
        max_tokens: int,
        temperature: float,
    ) -> str:
        """The model's raw JSON text, constrained by a grammar compiled from `schema`.

        The caller validates it: a reply cut short by `max_tokens` is not valid JSON.
        """
        model = await self._model()
        prompt = _to_llama_messages(messages, system)
        schema_json = json.dumps(bounded(schema), sort_keys=True)
        parts: list[str] = []
        stop = threading.Event()

        def job() -> Generation:  # worker thread
            if stop.is_set():
                raise GenerationCancelled
            return model.generate(
                prompt,
                max_tokens=max_tokens,
                temperature=temperature,
                on_text=parts.append,
                stop=stop,
                schema_json=schema_json,
            )

        self._stops.add(stop)
        try:
            async with asyncio.timeout(self._timeout):
                result = await asyncio.wrap_future(model.submit(job))
        except TimeoutError:
            raise AITimeoutError("the local model did not answer in time") from None
        except Exception as exc:
            raise _as_ai_error(exc, produced_text=False) from exc
        finally:
            stop.set()
            self._stops.discard(stop)
        if result.finish_reason == "length":
            log.warning("local_json_truncated", schema=schema_name, max_tokens=max_tokens)
        return "".join(parts)

    async def aclose(self) -> None:
        """Stop this provider's generations; the model stays loaded for the process."""
        for stop in list(self._stops):
            stop.set()
