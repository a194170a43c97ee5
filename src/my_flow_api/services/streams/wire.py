"""Reading the log's stored events back: the inverse of `events.encode`.

The log keeps each event only in its SSE wire form (that is what Redis holds too), so a
reader speaking another protocol decodes it here and frames it its own way. Same ids,
same data, whatever the framing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from my_flow_api.services.streams.events import TERMINAL, TOKEN


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event of a stream's log: its id, its name (`""` for a token) and its data."""

    id: int
    name: str
    data: str

    @property
    def is_token(self) -> bool:
        return self.name == TOKEN

    @property
    def terminal(self) -> bool:
        return self.name in TERMINAL

    def payload(self) -> dict[str, Any]:
        """The JSON object of a named event (metadata, done, error)."""
        value = json.loads(self.data)
        return value if isinstance(value, dict) else {}


def decode(wire: bytes) -> StoredEvent:
    """Split an encoded event into id, name and data (the `data:` lines joined by LF)."""
    event_id, name, data = 0, TOKEN, []
    for line in wire.decode().split("\n"):
        if line.startswith("data: "):
            data.append(line[6:])
        elif line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("event: "):
            name = line[7:]
    return StoredEvent(event_id, name, "\n".join(data))
