"""Which conversation and which stream belong to a client's chat id (the AI SDK's `id`).

`useChat` names a chat by an id of its own and resumes "the chat's active stream", so the
service remembers, per user and chat id, the context, the conversation and the latest
stream: in memory, or with `REDIS_URL` in Redis so that every replica knows it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Protocol

from redis.asyncio import Redis

from my_flow_api.services.streams.registry import StreamRegistry
from my_flow_api.services.streams.shared.keys import required

LINK_TTL_SECONDS = 30 * 24 * 3600
"""How long a chat id keeps pointing at its conversation after its last turn."""
MEMORY_LINKS = 10_000
"""Links one process keeps without Redis (the least recently used go first)."""


@dataclass(frozen=True)
class ChatLink:
    context_id: str
    conversation_id: str
    stream_id: str


class ChatLinks(Protocol):
    async def get(self, user_id: str, chat_id: str) -> ChatLink | None: ...

    async def put(self, user_id: str, chat_id: str, link: ChatLink) -> None: ...


class MemoryChatLinks:
    def __init__(self, capacity: int = MEMORY_LINKS) -> None:
        self.capacity = capacity
        self._links: OrderedDict[tuple[str, str], ChatLink] = OrderedDict()

    async def get(self, user_id: str, chat_id: str) -> ChatLink | None:
        link = self._links.get((user_id, chat_id))
        if link is not None:
            self._links.move_to_end((user_id, chat_id))
        return link

    async def put(self, user_id: str, chat_id: str, link: ChatLink) -> None:
        self._links[(user_id, chat_id)] = link
        self._links.move_to_end((user_id, chat_id))
        while len(self._links) > self.capacity:
            self._links.popitem(last=False)


class RedisChatLinks:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, user_id: str, chat_id: str) -> str:
        # A chat id has no ':' (ChatId), so the key cannot be read two ways.
        return f"{self.prefix}chat:{user_id}:{chat_id}"

    async def get(self, user_id: str, chat_id: str) -> ChatLink | None:
        async with required():
            raw = await self.redis.get(self._key(user_id, chat_id))
        if raw is None:
            return None
        return ChatLink(**json.loads(raw))

    async def put(self, user_id: str, chat_id: str, link: ChatLink) -> None:
        async with required():
            await self.redis.set(
                self._key(user_id, chat_id), json.dumps(asdict(link)), ex=LINK_TTL_SECONDS
            )


def chat_links_for(registry: StreamRegistry) -> ChatLinks:
    """Links where the registry keeps its streams: Redis for a shared one, else memory."""
    redis = getattr(registry, "redis", None)
    keys = getattr(registry, "keys", None)
    if isinstance(redis, Redis) and keys is not None:
        return RedisChatLinks(redis, str(keys.prefix))
    return MemoryChatLinks()
