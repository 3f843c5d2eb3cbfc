"""A lead's statuses and the only moves between them, the reasons a lead is lost, and
the labels a clerk reads (see ``leads`` for the picture)."""

from __future__ import annotations

from enum import StrEnum

from ..i18n import _


class LeadStatus(StrEnum):
    NEW = "new"
    IN_WORK = "in_work"
    WON_ORDER = "won_order"
    WON_SALE = "won_sale"
    LOST = "lost"


FINAL = frozenset({LeadStatus.WON_ORDER, LeadStatus.WON_SALE, LeadStatus.LOST})
TRANSITIONS: dict[str, frozenset[LeadStatus]] = {
    LeadStatus.NEW: frozenset({LeadStatus.IN_WORK}),
    LeadStatus.IN_WORK: frozenset({LeadStatus.WON_ORDER, LeadStatus.WON_SALE, LeadStatus.LOST}),
    LeadStatus.WON_ORDER: frozenset(),
    LeadStatus.WON_SALE: frozenset(),
    LeadStatus.LOST: frozenset(),
}
# The document kind that wins a lead, and the status it wins.
WINNING_KINDS = {"work_order": LeadStatus.WON_ORDER, "sale": LeadStatus.WON_SALE}
# Document statuses that can never win a lead (the documents domain spells it "cancelled").
DEAD_DOCUMENT_STATUSES = frozenset({"cancelled", "canceled"})


class LostReason(StrEnum):
    PRICE = "price"
    QUALITY = "quality"
    TERMS = "terms"
    NO_ANSWER = "no_answer"
    OTHER = "other"  # needs a free-text note


# --- labels (translated at call time) ----------------------------------------------------


def status_label(status: str) -> str:
    """ "in_work" -> "In work" in the clerk's language (an unknown value as it is)."""
    labels: dict[str, str] = {
        LeadStatus.NEW: _("New"),
        LeadStatus.IN_WORK: _("In work"),
        LeadStatus.WON_ORDER: _("Won (order)"),
        LeadStatus.WON_SALE: _("Won (sale)"),
        LeadStatus.LOST: _("Lost"),
    }
    return labels.get(status, status)


def lost_reason_label(reason: str) -> str:
    labels: dict[str, str] = {
        LostReason.PRICE: _("Price"),
        LostReason.QUALITY: _("Quality"),
        LostReason.TERMS: _("Terms"),
        LostReason.NO_ANSWER: _("No answer"),
        LostReason.OTHER: _("Other"),
    }
    return labels.get(reason, reason)


def status_choices() -> list[tuple[str, str]]:
    """Every status as (value, label), in workflow order."""
    return [(s.value, status_label(s)) for s in LeadStatus]


def lost_reason_choices() -> list[tuple[str, str]]:
    """The fixed list of reasons a lead is lost, as (value, label)."""
    return [(r.value, lost_reason_label(r)) for r in LostReason]


def channel_suggestions() -> list[str]:
    """Usual channels, to offer while typing (the channel itself is free text)."""
    return [
        _("Phone call"),
        _("Walk-in"),
        _("Website"),
        _("E-mail"),
        _("Chat"),
        _("Recommendation"),
    ]


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a lead in ``status`` may go to (empty when final), workflow order."""
    allowed = TRANSITIONS.get(status, frozenset())
    return tuple(s.value for s in LeadStatus if s in allowed)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def document_label(kind: str, number: str) -> str:
    """ "Work order WO-000123" / "Sale S-000045" / "Estimate E-000001"."""
    if kind == "work_order":
        return _("Work order {number}").format(number=number)
    if kind == "sale":
        return _("Sale {number}").format(number=number)
    if kind == "estimate":
        return _("Estimate {number}").format(number=number)
    return number


def result_text(
    status: str,
    *,
    document_kind: str = "",
    document_number: str = "",
    lost_reason: str = "",
    lost_note: str = "",
) -> str:
    """What the lead came to: the document it became, or why it was lost ("" while open)."""
    if status in (LeadStatus.WON_ORDER, LeadStatus.WON_SALE) and document_number:
        return document_label(document_kind, document_number)
    if status == LeadStatus.LOST:
        reason = lost_reason_label(lost_reason) if lost_reason else _("Lost")
        if lost_note:
            return _("{reason}: {note}").format(reason=reason, note=lost_note)
        return reason
    return ""
