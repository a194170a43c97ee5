"""Domain errors: one casing for every message a client reads."""

from __future__ import annotations

from my_flow_api.errors import DomainError, NotFoundError, StoreUnavailableError
from my_flow_api.services.ai.errors import AITimeoutError


def test_messages_are_in_sentence_case_whoever_raises_them() -> None:
    assert NotFoundError("context not found").message == "Context not found"
    assert str(AITimeoutError("the local model did not answer in time")) == (
        "The local model did not answer in time"
    )
    assert DomainError("").message == ""


def test_the_store_unavailable_message_is_a_sentence() -> None:
    from my_flow_api.repositories.mongo.errors import UNAVAILABLE_MESSAGE as MONGO
    from my_flow_api.repositories.sql.guard import UNAVAILABLE_MESSAGE as SQL

    assert SQL == MONGO == StoreUnavailableError(SQL).message
    assert SQL == "The database is unavailable; try again later"
