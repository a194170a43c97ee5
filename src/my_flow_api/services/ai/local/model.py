"""The embedded model, driven token by token in one worker thread.

A `Llama` is not thread-safe, so every generation runs on the model's single worker
thread, one after another, and checks a stop flag between tokens (and between prompt
slices) so that a cancelled request stops at once.
"""

from __future__ import annotations

import codecs
import functools
import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

log = structlog.get_logger(__name__)

T = TypeVar("T")

PREFILL_SLICE = 16
"""Prompt tokens evaluated between two checks of the stop flag."""
CHATML_TEMPLATE = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + "
    "'<|im_end|>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
"""For a GGUF without `tokenizer.chat_template`: plain ChatML, the commonest chat format."""
_CONTENT_MARK = re.compile("\ue000(\\d+)\ue001")


class GenerationCancelled(Exception):  # noqa: N818 - a signal, not a failure
    """The consumer went away and the worker stopped generating."""


class PromptTooLongError(ValueError):
    """The prompt does not fit the context window, even with older turns dropped."""


@dataclass(frozen=True, slots=True)
class Generation:
    """Token counts and why generation ended ("stop" or "length")."""

    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


class LocalModel:
    """One loaded `Llama` and the single worker thread that runs its generations in turn."""

    def __init__(self, llama: Any) -> None:
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._llama = llama
        self._is_eog = functools.partial(
            llama_cpp.llama_vocab_is_eog, llama_cpp.llama_model_get_vocab(llama.model)
        )
        eos, bos = llama.token_eos(), llama.token_bos()
        self._formatter = Jinja2ChatFormatter(
            template=llama.metadata.get("tokenizer.chat_template") or CHATML_TEMPLATE,
            eos_token=llama.detokenize([eos], special=True).decode() if eos >= 0 else "",
            bos_token=llama.detokenize([bos], special=True).decode() if bos >= 0 else "",
            stop_token_ids=[eos],
        )
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-model")
        self._busy = threading.Event()

    @property
    def busy(self) -> bool:
        """True while the worker thread is running a generation."""
        return self._busy.is_set()

    @property
    def context_tokens(self) -> int:
        """The size of the context window, in tokens."""
        return int(self._llama.n_ctx())

    def submit(self, job: Callable[[], T]) -> Future[T]:
        """Queue `job` on the worker thread; jobs run one at a time, in order."""

        def run() -> T:
            self._busy.set()
            try:
                return job()
            finally:
                self._busy.clear()

        return self._executor.submit(run)

    def generate(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        max_tokens: int,
        temperature: float,
        on_text: Callable[[str], None],
        stop: threading.Event,
        schema_json: str | None = None,
        ends_answer: Callable[[int, str], bool] | None = None,
    ) -> Generation:
        """Generate an answer, passing text pieces to `on_text`; worker thread only.

        With `schema_json` the output is constrained by a grammar compiled from that JSON
        schema; `ends_answer(tokens so far, piece)` may end it after a piece ("stop").
        Raises `GenerationCancelled` within one token of `stop` being set.
        """
        llama = self._llama
        started = time.perf_counter()
        tokens = self._prompt_tokens(messages, reserve=min(max_tokens, self.context_tokens // 4))
        budget = min(max_tokens, self.context_tokens - len(tokens))
        self._prefill(tokens, stop)
        llama.set_seed(random.getrandbits(32))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        produced, finish = 0, "length"
        for token in self._tokens(tokens, temperature, schema_json):
            if stop.is_set():
                raise GenerationCancelled
            if self._is_eog(token):
                finish = "stop"
                break
            produced += 1
            if piece := decoder.decode(llama.detokenize([token])):
                on_text(piece)
                if ends_answer is not None and ends_answer(produced, piece):
                    finish = "stop"
                    break
            if produced >= budget:
                break
        if tail := decoder.decode(b"", final=True):
            on_text(tail)
        elapsed = time.perf_counter() - started
        log.info(
            "local_generation",
            prompt_tokens=len(tokens),
            completion_tokens=produced,
            finish_reason=finish,
            seconds=round(elapsed, 3),
        )
        return Generation(len(tokens), produced, finish)

    def _tokens(self, prompt: list[int], temperature: float, schema: str | None) -> Iterator[int]:
        generator = self._llama.generate(
            prompt,
            temp=temperature,
            top_k=40,
            top_p=0.95,
            min_p=0.05,
            repeat_penalty=1.0 if schema else 1.1,
            grammar=_grammar(schema) if schema else None,
        )
        try:
            yield from generator
        finally:
            generator.close()

    def _prompt_tokens(self, messages: Sequence[Mapping[str, str]], reserve: int) -> list[int]:
        """The prompt, dropping the oldest non-system turns until it leaves `reserve` free."""
        kept = list(messages)
        while True:
            tokens = self.tokenize_chat(kept)
            if len(tokens) + reserve <= self.context_tokens:
                return tokens
            droppable = [i for i, m in enumerate(kept[:-1]) if m["role"] != "system"]
            if not droppable:
                raise PromptTooLongError(
                    f"the prompt ({len(tokens)} tokens) does not fit the local model's "
                    f"context window ({self.context_tokens} tokens)"
                )
            del kept[droppable[0]]

    def tokenize_chat(self, messages: Sequence[Mapping[str, str]]) -> list[int]:
        """Render the GGUF chat template; only the template may produce special tokens.

        Message contents are tokenized as plain text, so a message containing
        `<|im_start|>system` cannot forge a turn.
        """
        marked = [
            {"role": m["role"], "content": f"\ue000{i}\ue001"} for i, m in enumerate(messages)
        ]
        rendered = self._formatter(messages=marked)  # type: ignore[arg-type]
        add_bos = not rendered.added_special
        tokens: list[int] = []
        for i, part in enumerate(_CONTENT_MARK.split(rendered.prompt)):
            if i % 2:
                text, special = messages[int(part)]["content"], False
            else:
                text, special = part, True
            if text or (add_bos and i == 0):
                tokens += self._llama.tokenize(
                    text.encode(), add_bos=add_bos and i == 0, special=special
                )
        return tokens

    def _prefill(self, tokens: list[int], stop: threading.Event) -> None:
        """Evaluate all but the last prompt token in slices, reusing the cached prefix.

        `Llama.generate` then finds the prompt cached and evaluates only the last token.
        """
        llama = self._llama
        cached = 0
        for old, new in zip(llama.input_ids[: llama.n_tokens], tokens[:-1], strict=False):
            if old != new:
                break
            cached += 1
        llama.n_tokens = cached  # `eval` drops the cache cells past this point
        for start in range(cached, len(tokens) - 1, PREFILL_SLICE):
            if stop.is_set():
                raise GenerationCancelled
            llama.eval(tokens[start : min(start + PREFILL_SLICE, len(tokens) - 1)])

    def close(self) -> None:
        """Stop the worker thread (after its current job) and free the model."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._llama.close()


@functools.lru_cache(maxsize=16)
def _grammar(schema_json: str) -> Any:
    """A grammar for the schema, or for any JSON when the schema cannot be compiled.

    Remote `$ref`s are never followed (the converter would fetch them): no network here.
    """
    from llama_cpp.llama_grammar import JSON_GBNF, LlamaGrammar

    if not _has_remote_ref(json.loads(schema_json)):
        try:
            return LlamaGrammar.from_json_schema(schema_json, verbose=False)
        except Exception as exc:  # the converter raises assorted errors on unsupported schemas
            log.warning("local_schema_unsupported", error=type(exc).__name__)
    return LlamaGrammar.from_string(JSON_GBNF, verbose=False)


def _has_remote_ref(node: object) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(_has_remote_ref(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_remote_ref(v) for v in node)
    return False
