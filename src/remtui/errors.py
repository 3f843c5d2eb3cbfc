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


class StoreError(DomainError):
    """The store cannot be opened or used as it is (a folder, a damaged or foreign file,
    a server that does not answer, a newer schema...): ``message`` says what, in one
    line, and what to do."""


class DiskFull(StoreError):
    """A write found the disk full; the transaction was rolled back, nothing was saved."""
