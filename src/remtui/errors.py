"""The one exception the domain raises: a message a clerk can read, and which field."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """Several fields are wrong at once: ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.items()))
        super().__init__(first[1], first[0])
        self.errors = errors


class PermissionDenied(DomainError):
    pass
