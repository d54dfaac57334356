"""The error the sandbox's handlers raise to send a client error."""

from __future__ import annotations

from .messages import SandboxResponse, error_text, error_v1, error_v2


class ApiError(Exception):
    """A client error, sent with ``status`` in the route's envelope.

    Args:
        status: the HTTP status.
        code: a short machine-readable code (V1 and V2 envelopes).
        message: the human-readable message.
        envelope: ``"v1"``, ``"v2"`` or ``"text"`` (a bare JSON string).
    """

    def __init__(
        self, status: int, code: str, message: str, *, envelope: str = "v1"
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.envelope = envelope

    def response(self) -> SandboxResponse:
        """Return the response a client sees for this error."""
        if self.envelope == "text":
            return error_text(self.status, self.message)
        if self.envelope == "v2":
            return error_v2(self.status, self.code, self.message)
        return error_v1(self.status, self.code, self.message)


def bad_request(message: str, *, code: str = "invalid-request") -> ApiError:
    """Return a 400 error in the V1 envelope."""
    return ApiError(400, code, message)


def not_found(message: str, *, code: str = "not-found") -> ApiError:
    """Return a 404 error in the V1 envelope."""
    return ApiError(404, code, message)
