"""The registry a process uses: in memory, or with `REDIS_URL` shared through Redis."""

from __future__ import annotations

from my_flow_api.config import Settings
from my_flow_api.services.streams.registry import LostHandler, StreamRegistry
from my_flow_api.services.streams.shared.keys import Keys, connect
from my_flow_api.services.streams.shared.registry import SharedStreamRegistry


def build_registry(settings: Settings, on_lost: LostHandler) -> StreamRegistry:
    """The memory registry, or with `REDIS_URL` the shared one (its loops started);
    `on_lost` records the streams of a replica that died."""
    if settings.REDIS_URL is None:
        return StreamRegistry(
            settings.STREAM_RETENTION_SECONDS,
            settings.STREAM_RETENTION_MAX_BYTES,
            settings.STREAM_MAX_PER_USER,
        )
    registry = SharedStreamRegistry(
        connect(settings.REDIS_URL.get_secret_value()),
        Keys(settings.REDIS_KEY_PREFIX),
        on_lost,
        retention_seconds=settings.STREAM_RETENTION_SECONDS,
        retention_max_bytes=settings.STREAM_RETENTION_MAX_BYTES,
        max_per_user=settings.STREAM_MAX_PER_USER,
        max_duration_seconds=settings.STREAM_MAX_DURATION_SECONDS,
    )
    registry.begin()
    return registry
