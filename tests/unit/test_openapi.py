"""The OpenAPI document tells the truth: the statuses each operation can return with the
one error body, PATCH fields that cannot be null are not nullable, names that must hold a
visible character say so, and the event streams describe their events (issue 15)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from my_flow_api.config import load_settings
from my_flow_api.main import create_app
from my_flow_api.models.context import ContextCreate, ContextUpdate
from my_flow_api.models.flow import FlowFields, FlowUpdate
from my_flow_api.models.text import WHITE_SPACE

STREAM = "/api/v1/conversations/stream"
RESUME = "/api/v1/conversations/streams/{stream_id}"
OPEN = {"/api/v1/health", "/metrics", "/api/v1/auth/local-token"}
"""No token needed: no 401 or 403 to document."""
ERROR_REF = "#/components/schemas/ErrorBody"


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = tmp_path_factory.mktemp("data")
    return create_app(load_settings(_env_file=None, DATA_DIR=data)).openapi()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path not in OPEN
    ]


def error_schema(response: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def test_every_operation_documents_auth_validation_and_outage_errors(
    spec: dict[str, Any],
) -> None:
    for path, method, op in operations(spec):
        responses = op["responses"]
        assert {"401", "403", "422", "503"} <= set(responses), (method, path)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert error_schema(response) == {"$ref": ERROR_REF}, (method, path, status)
        assert "WWW-Authenticate" in responses["401"]["headers"]


def test_bodies_ids_and_streams_document_their_own_errors(spec: dict[str, Any]) -> None:
    for path, method, op in operations(spec):
        statuses = set(op["responses"])
        if "requestBody" in op:
            assert {"413", "415"} <= statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
    started = set(spec["paths"][STREAM]["post"]["responses"])
    assert {"404", "413", "415", "429", "502", "503", "504"} <= started
    assert "Retry-After" in spec["paths"][STREAM]["post"]["responses"]["429"]["headers"]


def test_no_status_is_documented_that_no_code_returns(spec: dict[str, Any]) -> None:
    for path, method, op in operations(spec):
        assert not {"400", "500"} & set(op["responses"]), (method, path)
        if (path, method) != (STREAM, "post"):  # a busy conversation, a stale history
            assert "409" not in op["responses"], (method, path)


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(spec)))
    assert refs <= set(spec["components"]["schemas"])
    assert "ErrorBody" in refs


def nullable(schema: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


@pytest.mark.parametrize(
    ("model", "name"), [(ContextUpdate, "ContextUpdate"), (FlowUpdate, "FlowUpdate")]
)
def test_a_patch_field_is_nullable_exactly_when_null_is_accepted(
    spec: dict[str, Any], model: type[BaseModel], name: str
) -> None:
    properties = spec["components"]["schemas"][name]["properties"]
    for field, schema in properties.items():
        try:
            model.model_validate({field: None})
            accepted = True
        except ValidationError:
            accepted = False
        assert nullable(schema) is accepted, field
        assert "default" not in schema or schema["default"] is not None, field


@pytest.mark.parametrize(
    ("model", "field"),
    [(ContextCreate, "name"), (ContextCreate, "icon"), (FlowFields, "title")],
)
def test_blank_text_fails_the_pattern_and_the_model_alike(
    spec: dict[str, Any], model: type[BaseModel], field: str
) -> None:
    pattern = spec["components"]["schemas"][model.__name__]["properties"][field]["pattern"]
    other = {"name": "n"} if model is ContextCreate else {"title": "t"}
    for blank in (" ", "\t\n", WHITE_SPACE, "\u3000\u00a0"):
        assert re.search(pattern, blank) is None
        with pytest.raises(ValidationError):
            model.model_validate({**other, field: blank})
    for visible in ("x", " x ", "\x1c", "\ufeff", "\u200b"):
        assert re.search(pattern, visible)
        model.model_validate({**other, field: visible})


def test_text_limits_apply_to_the_text_as_sent() -> None:
    with pytest.raises(ValidationError):
        ContextCreate.model_validate({"name": "x" + " " * 100})  # maxLength 100, as sent
    assert ContextCreate.model_validate({"name": "  Work  "}).name == "Work"


def test_the_streams_describe_their_events_and_link_to_resume_and_cancel(
    spec: dict[str, Any],
) -> None:
    started = spec["paths"][STREAM]["post"]["responses"]["200"]
    resumed = spec["paths"][RESUME]["get"]["responses"]["200"]
    for ok in (started, resumed):
        media = ok["content"]["text/event-stream"]
        events = {option["properties"]["event"]["const"] for option in media["itemSchema"]["oneOf"]}
        assert events == {"message", "metadata", "done", "error"}
        assert "X-Stream-Id" in ok["headers"]
        assert ": ping" in ok["description"]
    targets = {link["operationId"] for link in started["links"].values()}
    assert targets == {"resume_stream", "cancel_stream"}
    ids = {op.get("operationId") for _, _, op in operations(spec)}
    assert targets <= ids


def test_the_local_sign_in_documents_its_own_refusals(spec: dict[str, Any]) -> None:
    responses = spec["paths"]["/api/v1/auth/local-token"]["post"]["responses"]
    assert {"403", "413", "415", "422", "429"} <= set(responses)  # 403: a remote peer
    assert "401" not in responses
    for status in ("403", "413", "415", "422", "429"):
        assert error_schema(responses[status]) == {"$ref": ERROR_REF}
