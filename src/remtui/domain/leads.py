"""Leads: a client's enquiry, from New through In work to Won (a work order or a sale) or
Lost (with a reason).

Statuses and the only moves between them::

    new ──> in_work ──> won_order   (by linking a work order: mark_won)
                    ├─> won_sale    (by linking a sale: mark_won)
                    └─> lost        (with a reason: mark_lost)

Won and Lost are final. Every status change writes a ``lead_status_change`` row (the
profile's history) and an audit record; every change of the lead bumps ``Lead.version``
and is refused with :class:`StaleLead` when the clerk's copy is older.

**"Create a work order / sale from the lead"** is composed by the caller, in ONE write
transaction: create the document with the documents domain, then link it here::

    with store.write() as session:
        doc = <documents domain>.create_...(session, actor, lead.client_id, ...)
        leads.mark_won(session, actor, lead.id, doc.id, lead.version)

If ``mark_won`` refuses (the lead is still New, someone else changed it, ...) its
exception leaves the ``with`` block and the whole transaction, document included, rolls
back: no orphan document is left behind.

This module holds the changes (create, update, the status moves); the statuses and their
labels are in ``lead_status``, the records, the form's check and reading in
``lead_records``. Both are re-exported here: callers write ``leads.get_lead`` and
``leads.LeadStatus`` as before.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from ..errors import DomainError, ValidationError
from ..i18n import _
from ..store.tables.crm import Lead, LeadStatusChange
from ..store.tables.documents import Document
from ..store.types import utcnow
from . import audit
from .actor import Actor
from .crm_common import (
    all_or_nothing,
    check_length,
    claim,
    created_stamps,
    insert,
    one_line,
    require_client,
)
from .lead_records import (
    LIMITS,
    IllegalTransition,
    LeadForm,
    LeadRecord,
    LeadRow,
    LinkableDocument,
    StaleLead,
    StatusChangeRow,
    clean_form,
    count_leads,
    get_lead,
    lead_version,
    linkable_documents,
    list_leads,
    load_lead,
    validate,
)
from .lead_status import (
    DEAD_DOCUMENT_STATUSES,
    FINAL,
    TRANSITIONS,
    WINNING_KINDS,
    LeadStatus,
    LostReason,
    can_transition,
    channel_suggestions,
    document_label,
    lost_reason_choices,
    lost_reason_label,
    next_statuses,
    result_text,
    status_choices,
    status_label,
)
from .numbering import next_number

__all__ = [
    "DEAD_DOCUMENT_STATUSES",
    "FINAL",
    "LIMITS",
    "TRANSITIONS",
    "WINNING_KINDS",
    "IllegalTransition",
    "LeadForm",
    "LeadRecord",
    "LeadRow",
    "LeadStatus",
    "LinkableDocument",
    "LostReason",
    "StaleLead",
    "StatusChangeRow",
    "can_transition",
    "change_status",
    "channel_suggestions",
    "count_leads",
    "create_lead",
    "document_label",
    "get_lead",
    "lead_version",
    "linkable_documents",
    "list_leads",
    "lost_reason_choices",
    "lost_reason_label",
    "mark_lost",
    "mark_won",
    "next_statuses",
    "result_text",
    "start_work",
    "status_choices",
    "status_label",
    "update_lead",
    "validate",
]


# --- writing -----------------------------------------------------------------------------


def create_lead(
    session: Session,
    actor: Actor,
    client_id: int,
    form: LeadForm,
    *,
    prefixes: dict[str, str] | None = None,
) -> LeadRecord:
    """A new lead for the client, status New, numbered in the "lead" sequence
    (``prefixes`` is the configuration's ``document_prefixes``; default "L-")."""
    require_client(session, client_id)
    clean = clean_form(session, form)
    with all_or_nothing(session):
        now = utcnow()
        row = Lead(
            number=next_number(session, "lead", prefixes),
            client_id=client_id,
            channel=clean.channel,
            description=clean.description,
            responsible_id=clean.responsible_id,
            status=LeadStatus.NEW.value,
            **created_stamps(actor.id, now),
        )
        lead_id = insert(session, row)
        session.add(
            LeadStatusChange(
                lead_id=lead_id,
                at=now,
                employee_id=actor.id,
                from_status="",
                to_status=LeadStatus.NEW.value,
            )
        )
        audit.record(
            session,
            actor.id,
            "lead.create",
            "lead",
            lead_id,
            number=row.number,
            client_id=client_id,
            channel=clean.channel,
            responsible_id=clean.responsible_id,
        )
    return get_lead(session, lead_id)


def _claim(session: Session, lead_id: int, expected_version: int, mine: LeadForm | None) -> Lead:
    """Compare-and-set on the version: of two clerks saving the same version only one
    wins; the other gets StaleLead with the lead as it is now."""
    return claim(
        session,
        Lead,
        lead_id,
        expected_version,
        lambda: StaleLead(get_lead(session, lead_id), mine),
    )


def _check_version(
    session: Session, row: Lead, expected_version: int, mine: LeadForm | None
) -> None:
    if row.version != expected_version:
        raise StaleLead(get_lead(session, row.id or 0), mine)


def update_lead(
    session: Session, actor: Actor, lead_id: int, form: LeadForm, expected_version: int
) -> LeadRecord:
    """Save description, channel and responsible employee (allowed in every status) if
    nobody changed the lead since ``expected_version``."""
    row = load_lead(session, lead_id)
    _check_version(session, row, expected_version, form)
    clean = clean_form(session, form)
    before = (row.description, row.channel, row.responsible_id)
    with all_or_nothing(session):
        row = _claim(session, lead_id, expected_version, form)
        row.description = clean.description
        row.channel = clean.channel
        row.responsible_id = clean.responsible_id
        row.updated_at = utcnow()
        row.updated_by = actor.id
        session.add(row)
        session.flush()
        after = (clean.description, clean.channel, clean.responsible_id)
        changed = [
            name
            for name, a, b in zip(
                ("description", "channel", "responsible_id"), before, after, strict=True
            )
            if a != b
        ]
        audit.record(
            session, actor.id, "lead.update", "lead", lead_id, version=row.version, fields=changed
        )
    return get_lead(session, lead_id)


def _refuse(from_status: str, to_status: str) -> IllegalTransition:
    if from_status in FINAL:
        message = _("This lead is closed ({status}); its status cannot change.").format(
            status=status_label(from_status)
        )
    elif from_status == to_status:
        message = _("The lead is already {status}.").format(status=status_label(to_status))
    elif from_status == LeadStatus.NEW:
        message = _("Take the lead into work first.")
    else:
        message = _("A lead cannot go from {old} to {new}.").format(
            old=status_label(from_status), new=status_label(to_status)
        )
    return IllegalTransition(message, from_status, to_status)


def _set_status(
    session: Session,
    actor: Actor,
    lead_id: int,
    expected_version: int,
    to_status: LeadStatus,
    *,
    lost_reason: str = "",
    note: str = "",
    document_id: int | None = None,
) -> Lead:
    """Claim the version and write the status, its history row and the audit record. The
    caller has checked the transition and runs this inside ``all_or_nothing``."""
    row = _claim(session, lead_id, expected_version, None)
    from_status = row.status
    now = utcnow()
    row.status = to_status.value
    if to_status == LeadStatus.LOST:
        row.lost_reason = lost_reason
    if document_id is not None:
        row.document_id = document_id
    row.updated_at = now
    row.updated_by = actor.id
    session.add(row)
    session.add(
        LeadStatusChange(
            lead_id=lead_id,
            at=now,
            employee_id=actor.id,
            from_status=from_status,
            to_status=to_status.value,
            note=note,
        )
    )
    session.flush()
    detail: dict[str, object] = {"old": from_status, "new": to_status.value}
    if lost_reason:
        detail["reason"] = lost_reason
    if note:
        detail["note"] = note
    if document_id is not None:
        detail["document_id"] = document_id
    audit.record(session, actor.id, "lead.status", "lead", lead_id, **detail)
    return row


def start_work(session: Session, actor: Actor, lead_id: int, expected_version: int) -> LeadRecord:
    """New -> In work."""
    row = load_lead(session, lead_id)
    _check_version(session, row, expected_version, None)
    if not can_transition(row.status, LeadStatus.IN_WORK):
        raise _refuse(row.status, LeadStatus.IN_WORK)
    with all_or_nothing(session):
        _set_status(session, actor, lead_id, expected_version, LeadStatus.IN_WORK)
    return get_lead(session, lead_id)


def mark_lost(
    session: Session,
    actor: Actor,
    lead_id: int,
    reason: str,
    expected_version: int,
    note: str = "",
) -> LeadRecord:
    """In work -> Lost, with a reason from :class:`LostReason`; "other" needs ``note``
    (free text, optional for the other reasons). The result shows "Price", "Other: ..."."""
    row = load_lead(session, lead_id)
    _check_version(session, row, expected_version, None)
    if not can_transition(row.status, LeadStatus.LOST):
        raise _refuse(row.status, LeadStatus.LOST)
    errors: dict[str, str] = {}
    if reason not in {r.value for r in LostReason}:
        errors["lost_reason"] = _("Choose why the lead was lost.")
    clean_note = one_line(note)
    check_length(errors, "lost_note", clean_note, LIMITS["lost_note"])
    if reason == LostReason.OTHER and not clean_note:
        errors["lost_note"] = _("Say why the lead was lost.")
    if errors:
        raise ValidationError(errors)
    with all_or_nothing(session):
        _set_status(
            session,
            actor,
            lead_id,
            expected_version,
            LeadStatus.LOST,
            lost_reason=reason,
            note=clean_note,
        )
    return get_lead(session, lead_id)


def mark_won(
    session: Session, actor: Actor, lead_id: int, document_id: int, expected_version: int
) -> LeadRecord:
    """In work -> Won, by linking the work order (won_order) or sale (won_sale) the lead
    became. The document must belong to the lead's client, not be cancelled, and not be
    the result of another lead. Sets ``lead.document_id`` and ``document.lead_id`` in the
    caller's transaction. To create the document from the lead, create it first in the
    same transaction and then call this (see the module's docstring)."""
    row = load_lead(session, lead_id)
    _check_version(session, row, expected_version, None)
    if not can_transition(row.status, LeadStatus.WON_ORDER):
        raise _refuse(row.status, LeadStatus.WON_ORDER)
    session.flush()  # a document the caller just created is in the store before we look
    doc = session.get(Document, document_id, populate_existing=True)
    if doc is None:
        raise DomainError(_("That document does not exist."), "document")
    won = WINNING_KINDS.get(doc.kind)
    if won is None:
        raise DomainError(
            _("Only a work order or a sale can win a lead, not {document}.").format(
                document=document_label(doc.kind, doc.number)
            ),
            "document",
        )
    if doc.client_id != row.client_id:
        raise DomainError(
            _("{document} belongs to another client.").format(
                document=document_label(doc.kind, doc.number)
            ),
            "document",
        )
    if doc.status in DEAD_DOCUMENT_STATUSES:
        raise DomainError(
            _("{document} is cancelled.").format(document=document_label(doc.kind, doc.number)),
            "document",
        )
    if doc.lead_id is not None and doc.lead_id != lead_id:
        other = session.get(Lead, doc.lead_id)
        raise DomainError(
            _("{document} is already the result of lead {lead}.").format(
                document=document_label(doc.kind, doc.number),
                lead=other.number if other else "?",
            ),
            "document",
        )
    with all_or_nothing(session):
        # Conditional, so two leads racing for one document cannot both have it.
        linked = (
            session.connection()
            .execute(
                update(Document)
                .where(
                    col(Document.id) == document_id,
                    (col(Document.lead_id).is_(None)) | (col(Document.lead_id) == lead_id),
                )
                .values(lead_id=lead_id)
            )
            .rowcount
        )
        if linked != 1:
            raise DomainError(_("Another lead has just taken this document."), "document")
        session.get(Document, document_id, populate_existing=True)
        _set_status(
            session,
            actor,
            lead_id,
            expected_version,
            won,
            note=doc.number,
            document_id=document_id,
        )
    return get_lead(session, lead_id)


def change_status(
    session: Session,
    actor: Actor,
    lead_id: int,
    status: str,
    expected_version: int,
    *,
    lost_reason: str = "",
    lost_note: str = "",
    document_id: int | None = None,
) -> LeadRecord:
    """One entry point for a status picker: dispatches to start_work, mark_lost or
    mark_won (won_* needs ``document_id``, and its kind decides which Won it is)."""
    row = load_lead(session, lead_id)
    _check_version(session, row, expected_version, None)
    if status not in {s.value for s in LeadStatus}:
        raise DomainError(_("Choose a status."), "status")
    if not can_transition(row.status, status):
        raise _refuse(row.status, status)
    if status == LeadStatus.IN_WORK:
        return start_work(session, actor, lead_id, expected_version)
    if status == LeadStatus.LOST:
        return mark_lost(session, actor, lead_id, lost_reason, expected_version, lost_note)
    if document_id is None:
        raise DomainError(
            _("A lead is won by linking the work order or sale it became."), "document"
        )
    wanted = LeadStatus(status)
    doc = session.get(Document, document_id)
    if doc is not None and WINNING_KINDS.get(doc.kind) not in (None, wanted):
        raise DomainError(
            _("{document} does not match the status {status}.").format(
                document=document_label(doc.kind, doc.number), status=status_label(status)
            ),
            "document",
        )
    return mark_won(session, actor, lead_id, document_id, expected_version)
