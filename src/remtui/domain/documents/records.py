"""What reading a document returns (rows of the Documents tab, the dialog's detail, its
history and next statuses) and the errors a change raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ...errors import DomainError
from ...i18n import _
from .lines import LineRecord

if TYPE_CHECKING:
    from ..payments import PaymentRecord


@dataclass(frozen=True)
class StatusOption:
    status: str
    label: str  # the status's name
    action: str  # what the button says ("Close and issue", "Reopen", ...)
    permission: str | None  # the permission it needs, if any
    charges: int  # the signed amount it would put on the balance (0: none)


@dataclass(frozen=True)
class StatusChangeRecord:
    id: int
    at: datetime
    employee: str
    from_status: str
    from_label: str  # "" for the first status
    to_status: str
    to_label: str
    total: int  # the document's total at that moment
    note: str


@dataclass(frozen=True)
class DocumentRow:
    """One row of the Documents tab."""

    id: int
    at: datetime
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    employee: str
    total: int
    paid: int
    due: int
    charged: int  # what it currently charges the balance
    asset_id: int | None
    estimate_id: int | None


@dataclass(frozen=True)
class DocumentDetail:
    """Everything the document dialog shows."""

    id: int
    client_id: int
    client_name: str
    kind: str
    kind_label: str
    number: str
    status: str
    status_label: str
    at: datetime
    employee: str
    updated_at: datetime
    version: int
    comment: str
    asset_id: int | None
    asset_label: str
    lead_id: int | None
    estimate_id: int | None
    estimate_number: str
    converted_to: tuple[tuple[int, str], ...]  # (id, number) of documents made from it
    lines: tuple[LineRecord, ...]
    gross: int
    discount: int
    total: int
    charged: int
    paid: int
    due: int
    payments: tuple[PaymentRecord, ...]
    history: tuple[StatusChangeRecord, ...]
    next_statuses: tuple[StatusOption, ...]
    editable: bool  # lines and asset can be changed
    can_take_payment: bool  # something is due

    @property
    def is_open(self) -> bool:
        return bool(self.next_statuses) or self.editable


class StaleDocument(DomainError):
    """Someone changed the document after this copy was read; nothing was written.
    ``current_version`` and ``current`` (the document as it is now) let the UI offer the
    clerk the newer version."""

    def __init__(self, current: DocumentDetail) -> None:
        super().__init__(_("Another employee changed this document after you opened it."))
        self.current = current
        self.current_version = current.version


class IllegalTransition(DomainError):
    """The document cannot move from its status to the one asked for."""

    def __init__(self, message: str, from_status: str, to_status: str) -> None:
        super().__init__(message, "status")
        self.from_status = from_status
        self.to_status = to_status
