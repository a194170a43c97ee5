"""NAIVE: the story's own implementation, kept as the baseline.

FastAPI, a Pydantic request body, `StreamingResponse` over an async generator that iterates
the official SDK's `AsyncOpenAI(...).chat.completions.create(stream=True)` and yields
`f"data: {token}\\n\\n"` per token; then, as the story does, one non-streaming call for flow
extraction, `event: metadata` and `event: done`. No auth, no database.

    python bench/servers/naive.py --port 9004 --upstream http://127.0.0.1:9001/v1
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncGenerator

from _common import PATH, serve
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from openai import AsyncOpenAI
from pydantic import BaseModel, Field

app = FastAPI()
CLIENT: dict[str, AsyncOpenAI] = {}
EXTRACTION_PROMPT = 'Extract actionable tasks as JSON: {"flows": [{"title": ...}]}'


class Message(BaseModel):
    role: str
    content: str = Field(min_length=1, max_length=10_000)


class ChatRequest(BaseModel):
    context_id: str
    messages: list[Message] = Field(min_length=1)


@app.post(PATH)
async def stream_chat(body: ChatRequest) -> StreamingResponse:
    client = CLIENT["openai"]
    messages = [{"role": m.role, "content": m.content} for m in body.messages]

    async def generate_sse_stream() -> AsyncGenerator[str, None]:
        full: list[str] = []
        try:
            stream = await client.chat.completions.create(
                model="gpt-bench",
                messages=messages,  # type: ignore[arg-type]
                stream=True,
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    token = chunk.choices[0].delta.content
                    full.append(token)
                    yield f"data: {token}\n\n"
            transcript = "\n".join(m["content"] for m in messages) + "\n" + "".join(full)
            response = await client.chat.completions.create(
                model="gpt-bench",
                messages=[
                    {"role": "system", "content": EXTRACTION_PROMPT},
                    {"role": "user", "content": transcript},
                ],
                response_format={"type": "json_object"},
            )
            flows = json.loads(response.choices[0].message.content or "{}").get("flows", [])
            metadata = json.dumps({"event": "flows_extracted", "flows": flows})
            yield f"event: metadata\ndata: {metadata}\n\n"
            yield "event: done\ndata: {}\n\n"
        except Exception as exc:
            yield f"event: error\ndata: {json.dumps({'error': str(exc)})}\n\n"

    return StreamingResponse(
        generate_sse_stream(),
        media_type="text/event-stream",
        headers={
            "Cache-Control": "no-cache",
            "Connection": "keep-alive",
            "X-Accel-Buffering": "no",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="NAIVE benchmark server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="OpenAI-compatible base URL (…/v1)")
    args = parser.parse_args()
    CLIENT["openai"] = AsyncOpenAI(api_key="sk-bench", base_url=args.upstream, max_retries=0)
    serve(app, args.port)


if __name__ == "__main__":
    main()
