"""One error hierarchy for every AI provider.

Each error records whether any text had been produced before it happened: before the
first token the endpoint answers with an HTTP error, after it with an SSE `error` event.
"""

from __future__ import annotations

from my_flow_api.errors import DomainError


class AIServiceError(DomainError):
    """The AI provider failed."""

    status_code = 502
    code = "ai_error"

    def __init__(
        self,
        message: str,
        *,
        produced_text: bool = False,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.produced_text = produced_text
        self.retry_after = retry_after


class AIConfigurationError(AIServiceError):
    """Rejected credentials, unknown model or a bad request: retrying will not help."""

    status_code = 502
    code = "provider_configuration"


class AIRateLimitedError(AIServiceError):
    """The provider is rate-limiting or out of quota."""

    status_code = 503
    code = "provider_rate_limited"


class AIUnavailableError(AIServiceError):
    """The provider could not be reached, failed, or dropped the connection."""

    status_code = 503
    code = "provider_unavailable"


class AITLSError(AIServiceError):
    """The provider's TLS certificate failed verification: retrying will not help."""

    status_code = 502
    code = "provider_tls_error"


class AITimeoutError(AIServiceError):
    """The provider did not answer in time."""

    status_code = 504
    code = "provider_timeout"


class AIBadOutputError(AIServiceError):
    """The provider answered with something unusable."""

    status_code = 502
    code = "provider_bad_output"
