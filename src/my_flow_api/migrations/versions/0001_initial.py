"""Initial schema: contexts, flows, conversations, messages.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    ]


def _fk(column: str, table: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=f"fk_{table}_{column}_{parent}", ondelete="CASCADE"
    )


def upgrade() -> None:
    """Create the four tables and their indexes."""
    op.create_table(
        "contexts",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("color", sa.String(7), nullable=False),
        sa.Column("icon", sa.String(32), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_contexts"),
    )
    op.create_index("ix_contexts_user_created", "contexts", ["user_id", "created_at"])
    op.create_table(
        "flows",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("normalized_title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("due_date", TS, nullable=True),
        sa.Column("reminder_enabled", sa.Boolean(), nullable=False),
        sa.Column("is_completed", sa.Boolean(), nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_flows"),
        _fk("context_id", "flows", "contexts"),
    )
    op.create_index(
        "ix_flows_user_context_title", "flows", ["user_id", "context_id", "normalized_title"]
    )
    op.create_index(
        "ix_flows_user_context_created", "flows", ["user_id", "context_id", "created_at"]
    )
    op.create_index("ix_flows_context_id", "flows", ["context_id"])
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=True),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("first_token_ms", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        _fk("context_id", "conversations", "contexts"),
    )
    op.create_index(
        "ix_conversations_user_context_created",
        "conversations",
        ["user_id", "context_id", "created_at"],
    )
    op.create_index("ix_conversations_context_id", "conversations", ["context_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        _fk("conversation_id", "messages", "conversations"),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
    )


def downgrade() -> None:
    """Drop everything (data included)."""
    op.drop_table("messages")
    op.drop_index("ix_conversations_context_id", table_name="conversations")
    op.drop_index("ix_conversations_user_context_created", table_name="conversations")
    op.drop_table("conversations")
    op.drop_index("ix_flows_context_id", table_name="flows")
    op.drop_index("ix_flows_user_context_created", table_name="flows")
    op.drop_index("ix_flows_user_context_title", table_name="flows")
    op.drop_table("flows")
    op.drop_index("ix_contexts_user_created", table_name="contexts")
    op.drop_table("contexts")
