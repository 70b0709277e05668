"""The exception tree. One place renders it per surface (``web/errors.py`` for
the API, the CLI's ``main``), and every message says how to fix the problem.
No message ever contains a raw sensitive value.

::

    GwanmunError                      status  OpenAI type / code
    ├── ConfigError                   500     server_error / config_error
    ├── InvalidRequest                400     invalid_request_error / invalid_request
    │   ├── PayloadTooLarge           413     invalid_request_error / payload_too_large
    │   ├── DocumentRejected          400     invalid_request_error / document_rejected
    │   ├── UnsupportedMediaType      415     invalid_request_error / unsupported_media_type
    │   ├── GuardBlocked              400     invalid_request_error / content_blocked
    │   └── GradeExceeded             400     invalid_request_error / grade_exceeded
    ├── GuardFailure                  400     invalid_request_error / guard_failure
    ├── AuthenticationError           401     authentication_error / invalid_api_key
    ├── PermissionDenied              403     permission_error / permission_denied
    ├── NotFound                      404     invalid_request_error / not_found
    │   └── ModelNotFound             404     invalid_request_error / model_not_found
    ├── RateLimited                   429     rate_limit_error / rate_limited
    ├── BackendError                  502     api_error / backend_error
    │   ├── BackendUnavailable        503     api_error / backend_unavailable
    │   └── BackendTimeout            504     api_error / backend_timeout
    ├── EgressDenied                  500     server_error / egress_denied
    └── ModelFileError                400     invalid_request_error / model_file_error
"""

from __future__ import annotations

from typing import Any, ClassVar

from gwanmun.types import Reason, ReasonCode


class GwanmunError(Exception):
    """Base of every error Gwanmun raises on purpose."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "server_error"
    code: ClassVar[str] = "internal_error"

    def __init__(
        self, message: str, *, param: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.details = details or {}

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI error body: ``{"error": {"message", "type", "param", "code"}}``."""
        body: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "param": self.param,
            "code": self.code,
        }
        if self.details:
            body["gwanmun"] = self.details
        return {"error": body}


class ConfigError(GwanmunError):
    code = "config_error"


class InvalidRequest(GwanmunError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"


class PayloadTooLarge(InvalidRequest):
    status = 413
    code = "payload_too_large"


class DocumentRejected(InvalidRequest):
    """A document is broken, or over one of the ``documents.*`` reading limits.

    ``details["limit"]`` names the setting when a limit was hit.
    """

    code = "document_rejected"


class UnsupportedMediaType(InvalidRequest):
    status = 415
    code = "unsupported_media_type"


class GuardBlocked(InvalidRequest):
    """The input guard found data that policy says must not reach a model."""

    code = "content_blocked"


class GradeExceeded(InvalidRequest):
    """The request's data grade is above what the chosen backend may receive."""

    code = "grade_exceeded"


class OutputBlocked(GwanmunError):
    """An output check stopped the answer (a stream ends with this as its error event)."""

    status = 400
    type = "invalid_request_error"
    code = "output_blocked"


class GuardFailure(GwanmunError):
    """A detector or check crashed: the request is blocked (fail closed).

    ``reason`` says which component failed, for the audit record.
    """

    status = 400
    type = "invalid_request_error"
    code = "guard_failure"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        reason: Reason | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.reason = reason or Reason(ReasonCode.GUARD_FAILED, error="GuardFailure")


class AuthenticationError(GwanmunError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class PermissionDenied(GwanmunError):
    status = 403
    type = "permission_error"
    code = "permission_denied"


class NotFound(GwanmunError):
    status = 404
    type = "invalid_request_error"
    code = "not_found"


class ModelNotFound(NotFound):
    code = "model_not_found"


class RateLimited(GwanmunError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BackendError(GwanmunError):
    """The model backend failed or answered with something unusable."""

    status = 502
    type = "api_error"
    code = "backend_error"


class BackendUnavailable(BackendError):
    status = 503
    code = "backend_unavailable"


class BackendTimeout(BackendError):
    status = 504
    code = "backend_timeout"


class EgressDenied(GwanmunError):
    """A connection to an address outside the allowed networks was refused."""

    code = "egress_denied"


class ModelFileError(GwanmunError):
    status = 400
    type = "invalid_request_error"
    code = "model_file_error"
