"""A lead as the UI holds it (the form, the record, the rows, the documents it may be won
by), the check of a form, and reading leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..errors import DomainError, ValidationError
from ..i18n import _
from ..safetext import clean_input
from ..store.tables.core import Client, Employee
from ..store.tables.crm import Lead, LeadStatusChange
from ..store.tables.documents import Document
from .crm_common import (
    StaleRecord,
    check_length,
    count_for_client,
    employee_names,
    load,
    one_line,
    page,
    version_of,
)
from .lead_status import (
    DEAD_DOCUMENT_STATUSES,
    FINAL,
    WINNING_KINDS,
    LeadStatus,
    can_transition,
    document_label,
    lost_reason_label,
    next_statuses,
    result_text,
    status_label,
)

LIMITS = {"description": 5000, "channel": 100, "lost_note": 500}


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
class CleanForm:
    description: str
    channel: str
    responsible_id: int | None


def clean_form(session: Session, form: LeadForm) -> CleanForm:
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
    return CleanForm(description, channel, form.responsible_id)


def validate(session: Session, form: LeadForm) -> None:
    """Raise ValidationError (field -> message) if anything in the form is wrong."""
    clean_form(session, form)


# --- reading -----------------------------------------------------------------------------


def load_lead(session: Session, lead_id: int) -> Lead:
    return load(session, Lead, lead_id, _("That lead does not exist."))


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
    row = load_lead(session, lead_id)
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
