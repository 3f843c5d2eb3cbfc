"""Document kinds and statuses: the only moves between them, the permission a move
needs, the ledger entry it writes, and the labels a clerk reads (see the package's
docstring for the table)."""

from __future__ import annotations

from ...i18n import N_, _
from ...permissions import Perm
from .. import ledger
from ..settlement import (
    DocKind,
    Status,
)

INITIAL_STATUS: dict[DocKind, Status] = {
    DocKind.WORK_ORDER: Status.NEW,
    DocKind.ESTIMATE: Status.DRAFT,
    DocKind.SALE: Status.COMPLETED,
}

OPEN_WORK_ORDER = frozenset({Status.NEW, Status.IN_PROGRESS, Status.WAITING_PARTS, Status.READY})

TRANSITIONS: dict[DocKind, dict[Status, tuple[Status, ...]]] = {
    DocKind.WORK_ORDER: {
        Status.NEW: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.WAITING_PARTS, Status.READY, Status.CANCELLED),
        Status.WAITING_PARTS: (Status.IN_PROGRESS, Status.CANCELLED),
        Status.READY: (Status.CLOSED, Status.IN_PROGRESS, Status.CANCELLED),
        Status.CLOSED: (Status.IN_PROGRESS,),
        Status.CANCELLED: (),
    },
    DocKind.ESTIMATE: {
        Status.DRAFT: (Status.SENT, Status.ACCEPTED, Status.REJECTED),
        Status.SENT: (Status.ACCEPTED, Status.REJECTED),
        Status.ACCEPTED: (),
        Status.REJECTED: (),
    },
    DocKind.SALE: {
        Status.COMPLETED: (Status.REFUNDED,),
        Status.REFUNDED: (),
    },
}

# Moves that take money off what the client owes without money changing hands.
PERMISSIONS: dict[tuple[DocKind, Status, Status], Perm] = {
    (DocKind.WORK_ORDER, Status.CLOSED, Status.IN_PROGRESS): Perm.CORRECTIONS,
    (DocKind.SALE, Status.COMPLETED, Status.REFUNDED): Perm.REFUND,
}

# (kind, from, to) -> the ledger entry it writes: kind and sign of the total.
EFFECTS: dict[tuple[DocKind, str, Status], tuple[ledger.Kind, int]] = {
    (DocKind.SALE, "", Status.COMPLETED): (ledger.Kind.SALE, 1),
    (DocKind.SALE, Status.COMPLETED, Status.REFUNDED): (ledger.Kind.SALE_REFUND, -1),
    (DocKind.WORK_ORDER, Status.READY, Status.CLOSED): (ledger.Kind.WORK_ORDER, 1),
    (DocKind.WORK_ORDER, Status.CLOSED, Status.IN_PROGRESS): (
        ledger.Kind.WORK_ORDER_REOPEN,
        -1,
    ),
}


def ledger_effect(kind: str, from_status: str, to_status: str) -> tuple[ledger.Kind, int] | None:
    """The ledger entry a status change writes (its kind and the sign of the total)."""
    try:
        return EFFECTS.get((DocKind(kind), from_status, Status(to_status)))
    except ValueError:
        return None


# --- labels ------------------------------------------------------------------------------


_KIND_LABELS = {
    DocKind.WORK_ORDER.value: N_("Work order"),
    DocKind.ESTIMATE.value: N_("Estimate"),
    DocKind.SALE.value: N_("Sale"),
}
_STATUS_LABELS = {
    Status.NEW.value: N_("New"),
    Status.IN_PROGRESS.value: N_("In progress"),
    Status.WAITING_PARTS.value: N_("Waiting for parts"),
    Status.READY.value: N_("Ready"),
    Status.CLOSED.value: N_("Closed"),
    Status.CANCELLED.value: N_("Cancelled"),
    Status.DRAFT.value: N_("Draft"),
    Status.SENT.value: N_("Sent"),
    Status.ACCEPTED.value: N_("Accepted"),
    Status.REJECTED.value: N_("Rejected"),
    Status.COMPLETED.value: N_("Completed"),
    Status.REFUNDED.value: N_("Refunded"),
}


def kind_label(kind: str) -> str:
    """The kind as a clerk reads it (translated when called)."""
    message = _KIND_LABELS.get(kind)
    return _(message) if message is not None else str(kind)


def status_label(status: str) -> str:
    """The status as a clerk reads it (translated when called)."""
    message = _STATUS_LABELS.get(status)
    return _(message) if message is not None else str(status)


def action_label(kind: str, from_status: str, to_status: str) -> str:
    """What a status button says ("Close", "Reopen", "Refund", ...)."""
    if (kind, from_status, to_status) == (DocKind.WORK_ORDER, Status.CLOSED, Status.IN_PROGRESS):
        return _("Reopen")
    actions = {
        Status.IN_PROGRESS: _("Start work"),
        Status.WAITING_PARTS: _("Wait for parts"),
        Status.READY: _("Mark ready"),
        Status.CLOSED: _("Close and issue"),
        Status.CANCELLED: _("Cancel"),
        Status.SENT: _("Mark sent"),
        Status.ACCEPTED: _("Accept"),
        Status.REJECTED: _("Reject"),
        Status.REFUNDED: _("Refund the sale"),
    }
    try:
        return actions.get(Status(to_status), status_label(to_status))
    except ValueError:
        return str(to_status)


def kind_choices() -> list[tuple[str, str]]:
    """(value, label) of every document kind."""
    return [(k.value, kind_label(k)) for k in DocKind]


def status_choices(kind: str) -> list[tuple[str, str]]:
    """(value, label) of every status of a kind, in workflow order."""
    return [(s.value, status_label(s)) for s in TRANSITIONS[DocKind(kind)]]


def allowed_next(kind: str, status: str) -> tuple[str, ...]:
    """The statuses a document of ``kind`` may move to from ``status``."""
    try:
        return tuple(s.value for s in TRANSITIONS[DocKind(kind)].get(Status(status), ()))
    except ValueError:
        return ()


def lines_editable(kind: str, status: str) -> bool:
    if kind == DocKind.WORK_ORDER:
        return status in OPEN_WORK_ORDER
    if kind == DocKind.ESTIMATE:
        return status in (Status.DRAFT, Status.SENT)
    return False
