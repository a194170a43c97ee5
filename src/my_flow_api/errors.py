"""Domain errors. Services and repositories raise these; one handler maps them to HTTP."""

from __future__ import annotations

CONTEXT_NOT_FOUND = "Context not found"  # one wording wherever a context is missing or foreign


class DomainError(Exception):
    """Base of every error the API reports to clients; its message is a sentence, so the
    first letter is made upper case whoever raised it."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        message = message[:1].upper() + message[1:]  # one casing in every body and event
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFoundError(DomainError):
    """Missing, or owned by someone else: the two are never told apart."""

    status_code = 404
    code = "not_found"


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"


class ConversationBusyError(ConflictError):
    """A turn of the conversation is still being generated: one turn at a time."""

    code = "conversation_busy"

    def __init__(self, message: str, *, stream_id: str | None = None) -> None:
        super().__init__(message)
        self.stream_id = stream_id


class HistoryConflictError(ConflictError):
    """A client history that does not extend the stored conversation."""

    code = "history_conflict"


class AuthenticationError(DomainError):
    status_code = 401
    code = "unauthorized"


class PermissionDeniedError(DomainError):
    status_code = 403
    code = "forbidden"


class PayloadTooLargeError(DomainError):
    status_code = 413
    code = "payload_too_large"


class RateLimitedError(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class StoreUnavailableError(DomainError):
    """The database cannot be reached; nothing was changed."""

    status_code = 503
    code = "store_unavailable"


class AuthUnavailableError(DomainError):
    """The identity provider's key set cannot be fetched."""

    status_code = 503
    code = "auth_unavailable"


class SharedStateUnavailableError(DomainError):
    """Redis, where replicas share their streams, cannot be reached: no new stream."""

    status_code = 503
    code = "redis_unavailable"


class ShuttingDownError(DomainError):
    """The service is draining for shutdown and takes no new streams."""

    status_code = 503
    code = "shutting_down"


class ServiceBusyError(DomainError):
    """The worker is starting as many turns as it can: a new one is refused (`Retry-After`)
    rather than queued without bound; nothing was stored for it."""

    status_code = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnsupportedMediaTypeError(DomainError):
    """A request body that is not JSON in UTF-8."""

    status_code = 415
    code = "unsupported_media_type"
