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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..errors import DomainError, ValidationError
from ..i18n import _
from ..safetext import clean_input
from ..store.tables.core import Client, Employee
from ..store.tables.crm import Lead, LeadStatusChange
from ..store.tables.documents import Document
from ..store.types import utcnow
from . import audit
from .actor import Actor
from .crm_common import (
    StaleRecord,
    all_or_nothing,
    check_length,
    claim,
    count_for_client,
    created_stamps,
    employee_names,
    insert,
    load,
    one_line,
    page,
    require_client,
    version_of,
)
from .numbering import next_number

LIMITS = {"description": 5000, "channel": 100, "lost_note": 500}


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


# --- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadForm:
    """The editable fields, as the clerk typed them (validated on save)."""

    description: str = ""
    channel: str = ""
    responsible_id: int | None = None


@dataclass(frozen=True)
class StatusChangeRow:
    """One line of a lead's status history (the creation is the first, from "")."""

    id: int
    at: datetime
    employee_id: int | None
    employee_name: str
    from_status: str
    from_label: str
    to_status: str
    to_label: str
    note: str  # lost: the clerk's note; won: the document number


@dataclass(frozen=True)
class LeadRecord:
    """Everything the lead's profile shows."""

    id: int
    number: str
    client_id: int
    client_name: str
    channel: str
    description: str
    responsible_id: int | None
    responsible_name: str
    status: str
    status_label: str
    lost_reason: str
    lost_reason_label: str
    lost_note: str
    document_id: int | None
    document_kind: str
    document_number: str
    result: str
    version: int
    created_at: datetime
    created_by: int | None
    created_by_name: str
    updated_at: datetime
    updated_by: int | None
    updated_by_name: str
    history: tuple[StatusChangeRow, ...]  # oldest first

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return next_statuses(self.status)

    @property
    def can_start_work(self) -> bool:
        return can_transition(self.status, LeadStatus.IN_WORK)

    @property
    def can_win(self) -> bool:
        return can_transition(self.status, LeadStatus.WON_ORDER)

    @property
    def can_lose(self) -> bool:
        return can_transition(self.status, LeadStatus.LOST)

    def as_form(self) -> LeadForm:
        return LeadForm(self.description, self.channel, self.responsible_id)


@dataclass(frozen=True)
class LeadRow:
    """One line of the Leads tab."""

    id: int
    number: str
    created_at: datetime
    status: str
    status_label: str
    result: str
    description: str
    channel: str
    responsible_name: str
    version: int


@dataclass(frozen=True)
class LinkableDocument:
    """A work order or sale that may win a lead (for a "link document" picker)."""

    id: int
    kind: str
    number: str
    status: str
    created_at: datetime
    total: int
    label: str  # "Work order WO-000123"


class StaleLead(StaleRecord[LeadRecord, LeadForm]):
    """Someone changed the lead after this copy was read. ``current`` is the lead as it is
    now; ``mine`` the form the clerk tried to save (None for a status change)."""

    def __init__(self, current: LeadRecord, mine: LeadForm | None = None) -> None:
        super().__init__(
            _("Another employee changed this lead after you opened it."), current, mine
        )


class IllegalTransition(DomainError):
    """The status change is not allowed from the lead's current status."""

    def __init__(self, message: str, from_status: str, to_status: str) -> None:
        super().__init__(message, "status")
        self.from_status = from_status
        self.to_status = to_status


# --- validation --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clean:
    description: str
    channel: str
    responsible_id: int | None


def _validate(session: Session, form: LeadForm) -> _Clean:
    errors: dict[str, str] = {}
    description = clean_input(form.description or "")
    if not description:
        errors["description"] = _("Describe what the client wants.")
    else:
        check_length(errors, "description", description, LIMITS["description"])
    channel = one_line(form.channel)
    check_length(errors, "channel", channel, LIMITS["channel"])
    if form.responsible_id is not None:
        emp = session.get(Employee, form.responsible_id)
        if emp is None or not emp.active:
            errors["responsible"] = _("Choose an active employee.")
    if errors:
        raise ValidationError(errors)
    return _Clean(description, channel, form.responsible_id)


def validate(session: Session, form: LeadForm) -> None:
    """Raise ValidationError (field -> message) if anything in the form is wrong."""
    _validate(session, form)


# --- reading -----------------------------------------------------------------------------


def _lost_note(session: Session, lead_id: int) -> str:
    note = session.exec(
        select(LeadStatusChange.note)
        .where(LeadStatusChange.lead_id == lead_id, LeadStatusChange.to_status == LeadStatus.LOST)
        .order_by(col(LeadStatusChange.id).desc())
        .limit(1)
    ).first()
    return note or ""


def get_lead(session: Session, lead_id: int) -> LeadRecord:
    """Every field of the lead, its result and its status history (oldest first)."""
    row = _load(session, lead_id)
    client = session.get(Client, row.client_id)
    doc = session.get(Document, row.document_id) if row.document_id is not None else None
    changes = session.exec(
        select(LeadStatusChange)
        .where(LeadStatusChange.lead_id == lead_id)
        .order_by(col(LeadStatusChange.id))
    ).all()
    names = employee_names(
        session,
        {row.responsible_id, row.created_by, row.updated_by} | {c.employee_id for c in changes},
    )
    lost_note = _lost_note(session, lead_id) if row.status == LeadStatus.LOST else ""
    doc_kind = doc.kind if doc else ""
    doc_number = doc.number if doc else ""
    history = tuple(
        StatusChangeRow(
            id=c.id or 0,
            at=c.at,
            employee_id=c.employee_id,
            employee_name=names.get(c.employee_id or 0, ""),
            from_status=c.from_status,
            from_label=status_label(c.from_status) if c.from_status else "",
            to_status=c.to_status,
            to_label=status_label(c.to_status),
            note=c.note,
        )
        for c in changes
    )
    return LeadRecord(
        id=lead_id,
        number=row.number,
        client_id=row.client_id,
        client_name=client.name if client else "",
        channel=row.channel,
        description=row.description,
        responsible_id=row.responsible_id,
        responsible_name=names.get(row.responsible_id or 0, ""),
        status=row.status,
        status_label=status_label(row.status),
        lost_reason=row.lost_reason,
        lost_reason_label=lost_reason_label(row.lost_reason) if row.lost_reason else "",
        lost_note=lost_note,
        document_id=row.document_id,
        document_kind=doc_kind,
        document_number=doc_number,
        result=result_text(
            row.status,
            document_kind=doc_kind,
            document_number=doc_number,
            lost_reason=row.lost_reason,
            lost_note=lost_note,
        ),
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        created_by_name=names.get(row.created_by or 0, ""),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        updated_by_name=names.get(row.updated_by or 0, ""),
        history=history,
    )


def lead_version(session: Session, lead_id: int) -> int:
    return version_of(session, Lead, lead_id, _("That lead does not exist."))


def list_leads(
    session: Session, client_id: int, *, limit: int | None = None, offset: int = 0
) -> list[LeadRow]:
    """The client's leads, newest first (a page of them when ``limit`` is given)."""
    responsible = aliased(Employee)
    lost = aliased(LeadStatusChange)
    query = page(
        select(Lead, Document, responsible, lost)
        .join(Document, col(Document.id) == col(Lead.document_id), isouter=True)
        .join(responsible, col(responsible.id) == col(Lead.responsible_id), isouter=True)
        .join(
            lost,
            and_(col(lost.lead_id) == col(Lead.id), col(lost.to_status) == LeadStatus.LOST.value),
            isouter=True,
        )
        .where(Lead.client_id == client_id)
        .order_by(col(Lead.id).desc()),
        limit,
        offset,
    )
    rows: list[LeadRow] = []
    for lead, doc, resp, lost_change in session.exec(query):
        rows.append(
            LeadRow(
                id=lead.id or 0,
                number=lead.number,
                created_at=lead.created_at,
                status=lead.status,
                status_label=status_label(lead.status),
                result=result_text(
                    lead.status,
                    document_kind=doc.kind if doc else "",
                    document_number=doc.number if doc else "",
                    lost_reason=lead.lost_reason,
                    lost_note=lost_change.note if lost_change else "",
                ),
                description=lead.description,
                channel=lead.channel,
                responsible_name=resp.name if resp else "",
                version=lead.version,
            )
        )
    return rows


def count_leads(session: Session, client_id: int) -> int:
    return count_for_client(session, Lead, client_id)


def linkable_documents(session: Session, lead_id: int) -> list[LinkableDocument]:
    """The client's work orders and sales that could win this lead, newest first: not
    cancelled and not already the result of another lead."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise DomainError(_("That lead does not exist."))
    query = (
        select(Document)
        .where(
            Document.client_id == lead.client_id,
            col(Document.kind).in_(tuple(WINNING_KINDS)),
            col(Document.status).not_in(tuple(DEAD_DOCUMENT_STATUSES)),
            (col(Document.lead_id).is_(None)) | (col(Document.lead_id) == lead_id),
        )
        .order_by(col(Document.id).desc())
    )
    return [
        LinkableDocument(
            d.id or 0,
            d.kind,
            d.number,
            d.status,
            d.created_at,
            d.total,
            document_label(d.kind, d.number),
        )
        for d in session.exec(query)
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
    clean = _validate(session, form)
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


def _load(session: Session, lead_id: int) -> Lead:
    return load(session, Lead, lead_id, _("That lead does not exist."))


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
    row = _load(session, lead_id)
    _check_version(session, row, expected_version, form)
    clean = _validate(session, form)
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
    row = _load(session, lead_id)
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
    row = _load(session, lead_id)
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
    row = _load(session, lead_id)
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
    row = _load(session, lead_id)
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
