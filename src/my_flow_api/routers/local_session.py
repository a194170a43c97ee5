"""`POST /api/v1/auth/local-token`: the chat page's "Continue as <name>" (local mode only).

`create_app` includes this router only when no Logto endpoint is configured, so under Logto
the path does not exist and answers `404` like any unknown one.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from my_flow_api.dependencies import Sessions
from my_flow_api.models.session import LocalSignIn, LocalToken
from my_flow_api.routers.error_docs import ErrorBody, errors
from my_flow_api.server.json_body import JSONBodyRoute

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=JSONBodyRoute)

RESPONSES = {
    **errors(413, 415, 422),
    403: {
        "model": ErrorBody,
        "description": "`local_sign_in_remote`: the client is not on this machine"
        " (`LOCAL_AUTH_ALLOW_REMOTE` is not set)",
    },
    429: {"model": ErrorBody, "description": "Too many sign-ins from this address"},
}


@router.post("/local-token", responses=RESPONSES)
async def local_token(body: LocalSignIn, request: Request, sessions: Sessions) -> LocalToken:
    """Mint a short-lived local-mode access token for the name given."""
    client = request.client.host if request.client else "unknown"
    return sessions.sign_in(body.name, client)
