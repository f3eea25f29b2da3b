"""One exception family for rule violations raised by services.

Views show ``message`` to the user (already in Vietnamese and translated);
the API maps it once to a 400 response with ``{"detail": message, "code": code}``.
"""

from __future__ import annotations


class ServiceError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        if code:
            self.code = code


class ConflictError(ServiceError):
    """The record changed since it was read (optimistic locking)."""

    code = "conflict"
