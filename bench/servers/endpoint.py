"""THIS ENDPOINT: the real app, run as `my-flow serve` runs it (one uvicorn worker).

Settings come from the environment (the harness sets `AI_PROVIDER=openai`,
`OPENAI_BASE_URL`, a temporary `DATA_DIR` with SQLite, local auth). `--profile FILE` runs
the server under cProfile and writes the stats when it stops (SIGINT/SIGTERM).

`--ablate` switches one piece off *in this process only* (monkeypatching at start-up, never
touching `src/`), for `bench/endpoint_splits.py` to attribute the endpoint's CPU by
difference; the benchmark proper never uses it:

- `extraction`: flow extraction returns no flows without calling the upstream;
- `jwt-signature`: the ES384 signature check of the bearer token is skipped (claims are
  still decoded and checked);
- `access-log`: uvicorn's access log is off;
- `raw-stream`: a *prototype* of the proposed lean streaming path: the streamed
  `chat/completions` call goes over a raw asyncio connection with its own chunked/SSE
  parsing (as RELAY-FLOOR does) instead of httpx2/httpcore2/h11/anyio; plain `http://`
  base URLs only, errors reduced to one kind. It shows what the change would buy.

    python bench/servers/endpoint.py --port 9005 [--profile endpoint.prof] [--ablate extraction]
"""

from __future__ import annotations

import argparse
import cProfile
from typing import Any

import uvicorn

ABLATIONS = ("extraction", "jwt-signature", "access-log", "raw-stream")


def _raw_stream_chat() -> Any:
    """OpenAIProvider.stream_chat over a raw asyncio HTTP/1.1 connection (prototype)."""
    import asyncio
    import json
    from urllib.parse import urlsplit

    from my_flow_api.models.conversation import Usage
    from my_flow_api.services.ai.base import ChatChunk
    from my_flow_api.services.ai.conversion import to_openai_messages
    from my_flow_api.services.ai.errors import AIUnavailableError

    async def stream_chat(
        self: Any, messages: Any, *, system: str, max_tokens: int, temperature: float
    ) -> Any:
        url = urlsplit(str(self._client.base_url))
        host, port = url.hostname or "127.0.0.1", url.port or 80
        body = json.dumps(
            {
                "model": self.model,
                "messages": to_openai_messages(messages, system),
                "stream": True,
                "stream_options": {"include_usage": True},
                "temperature": temperature,
                self._limit_field: max_tokens,
            }
        ).encode()
        head = (
            f"POST {url.path.rstrip('/')}/chat/completions HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {self._client.api_key}\r\n"
            f"Content-Type: application/json\r\nAccept: text/event-stream\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            raise AIUnavailableError("upstream unreachable", produced_text=False) from exc
        produced, finish, usage = False, None, None
        try:
            writer.write(head + body)
            response = await reader.readuntil(b"\r\n\r\n")
            if response[9:12] != b"200":
                raise AIUnavailableError("upstream failed", produced_text=False)
            chunked = b"transfer-encoding: chunked" in response.lower()
            buf, pending, remaining, ended = b"", b"", 0, False
            while not ended:
                data = await reader.read(65536)
                if not data:
                    break
                if chunked:  # minimal chunked decoding
                    buf += data
                    out = []
                    while True:
                        if remaining:
                            piece = buf[:remaining]
                            out.append(piece)
                            buf = buf[len(piece) :]
                            remaining -= len(piece)
                            if remaining:
                                break
                            buf = buf[2:]
                        end = buf.find(b"\r\n")
                        if end < 0:
                            break
                        remaining = int(buf[:end].split(b";", 1)[0], 16)
                        buf = buf[end + 2 :]
                        if remaining == 0:
                            ended = True
                            break
                    data = b"".join(out)
                pending += data
                *events, pending = pending.split(b"\n\n")
                for raw in events:
                    if not raw.startswith(b"data: "):
                        continue
                    payload = raw[6:]
                    if payload == b"[DONE]":
                        ended = True
                        break
                    event = json.loads(payload)
                    choices = event.get("choices")
                    if choices:
                        choice = choices[0]
                        delta = choice.get("delta")
                        text = delta.get("content") if delta else None
                        if text:
                            produced = True
                            yield ChatChunk(text)
                        if choice.get("finish_reason"):
                            finish = choice["finish_reason"]
                    u = event.get("usage")
                    if u:
                        usage = Usage(
                            input_tokens=u["prompt_tokens"], output_tokens=u["completion_tokens"]
                        )
        finally:
            writer.close()
        if finish is None and usage is None:
            raise AIUnavailableError("ended early", produced_text=produced)
        yield ChatChunk(usage=usage, finish_reason=finish)

    return stream_chat


def _ablate(names: set[str]) -> None:
    if "extraction" in names:
        from my_flow_api.services.ai_service import AIService

        async def no_flows(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
            return []

        AIService.extract_flows_from_text = no_flows  # type: ignore[method-assign]
    if "raw-stream" in names:
        from my_flow_api.services.ai.openai_provider import OpenAIProvider

        OpenAIProvider.stream_chat = _raw_stream_chat()  # type: ignore[method-assign]
    if "jwt-signature" in names:
        from jwt.api_jws import PyJWS

        def unchecked(self: Any, *args: Any, **kwargs: Any) -> None:
            return None

        PyJWS._verify_signature = unchecked  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description="the real endpoint for the benchmark")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--profile", help="write cProfile stats here on shutdown")
    parser.add_argument(
        "--ablate", action="append", default=[], choices=ABLATIONS, help="repeatable"
    )
    args = parser.parse_args()
    ablations = set(args.ablate)
    _ablate(ablations)
    options: dict[str, Any] = {}
    if "access-log" in ablations:
        options["access_log"] = False
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    try:
        # Exactly what `my-flow serve` does (src/my_flow_api/cli.py), minus --reload.
        uvicorn.run(
            "my_flow_api.main:app",
            host="127.0.0.1",
            port=args.port,
            log_config=None,
            timeout_graceful_shutdown=10,
            **options,
        )
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
