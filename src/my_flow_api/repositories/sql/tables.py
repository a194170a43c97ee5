"""The SQL schema (SQLAlchemy Core), shared by the repositories and the migrations.

Changing anything here needs a new revision in `my_flow_api/migrations/versions/`
(see `my_flow_api.migrations` for how to autogenerate one).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

ID = 64
USER_ID = 255

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware UTC.

    PostgreSQL keeps it in `timestamptz`; SQLite keeps naive UTC text, so the
    zone is put back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamps() -> list[Column[datetime]]:
    return [
        Column("created_at", UTCDateTime(), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
    ]


def _parent(table: str) -> ForeignKey:
    return ForeignKey(f"{table}.id", ondelete="CASCADE")


contexts = Table(
    "contexts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(USER_ID), nullable=False),
    Column("name", String(100), nullable=False),
    Column("color", String(7), nullable=False),
    Column("icon", String(32), nullable=False),
    *_timestamps(),
    Index("ix_contexts_user_created", "user_id", "created_at"),
)

flows = Table(
    "flows",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(USER_ID), nullable=False),
    Column("context_id", String(ID), _parent("contexts"), nullable=False),
    Column("title", String(200), nullable=False),
    Column("normalized_title", Text(), nullable=False),
    Column("description", Text(), nullable=True),
    Column("priority", String(16), nullable=False),
    Column("due_date", UTCDateTime(), nullable=True),
    Column("reminder_enabled", Boolean(), nullable=False),
    Column("is_completed", Boolean(), nullable=False),
    Column("completed_at", UTCDateTime(), nullable=True),
    *_timestamps(),
    Index("ix_flows_user_context_title", "user_id", "context_id", "normalized_title"),
    Index("ix_flows_user_context_created", "user_id", "context_id", "created_at"),
    Index("ix_flows_context_id", "context_id"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(USER_ID), nullable=False),
    Column("context_id", String(ID), _parent("contexts"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("provider", String(64), nullable=True),
    Column("model", String(200), nullable=True),
    Column("input_tokens", Integer(), nullable=True),
    Column("output_tokens", Integer(), nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("first_token_ms", Integer(), nullable=True),
    Column("duration_ms", Integer(), nullable=True),
    *_timestamps(),
    Index("ix_conversations_user_context_created", "user_id", "context_id", "created_at"),
    Index("ix_conversations_context_id", "context_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(USER_ID), nullable=False),
    Column("conversation_id", String(ID), _parent("conversations"), nullable=False),
    Column("seq", Integer(), nullable=False),
    Column("role", String(16), nullable=False),
    Column("content", Text(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
)

flow_changes = Table(
    "flow_changes",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("user_id", String(USER_ID), nullable=False),
    Column("context_id", String(ID), _parent("contexts"), nullable=False),
    # No foreign key to flows: a cancelled flow is deleted, and its change restores it.
    Column("flow_id", String(ID), nullable=False),
    Column("op", String(16), nullable=False),
    Column("before", Text(), nullable=False),
    Column("after", Text(), nullable=True),
    Column("evidence", Text(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("undone_at", UTCDateTime(), nullable=True),
    Index("ix_flow_changes_user_context_created", "user_id", "context_id", "created_at"),
    Index("ix_flow_changes_context_id", "context_id"),
)

ALL_TABLES = (messages, conversations, flow_changes, flows, contexts)
"""Every table, children first (the order to empty them in)."""
