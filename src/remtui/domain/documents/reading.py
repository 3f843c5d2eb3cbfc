"""Reading documents: the Documents tab a page at a time, what \"+ Advance\" may pay
against, the asset picker, and one document with its lines, payments and history."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...errors import DomainError
from ...i18n import _
from ...store.tables import Client, Employee
from ...store.tables.crm import Asset
from ...store.tables.documents import (
    Document,
    DocumentLine,
    DocumentStatusChange,
    Payment,
)
from ..payments import document_payments
from ..settlement import (
    DocKind,
    Status,
    charged,
    due_amount,
    paid_by_document,
    signed_payment,
)
from .lines import LineAmounts, LineRecord, compute_line, totals_of
from .records import DocumentDetail, DocumentRow, StatusChangeRecord, StatusOption
from .workflow import (
    PERMISSIONS,
    action_label,
    allowed_next,
    kind_label,
    ledger_effect,
    lines_editable,
    status_label,
)

PAGE = 100


def document_version(session: Session, document_id: int) -> int:
    version = session.exec(select(Document.version).where(Document.id == document_id)).first()
    if version is None:
        raise DomainError(_("That document does not exist."))
    return int(version)


@cache
def _row_base() -> tuple[Any, Any]:
    """The columns of a Documents tab row and the money paid against each document (a
    correlated sum over the payment index: it reads only the page's documents' payments,
    however long the client's history). Built once; callers add WHERE and LIMIT."""
    paid = (
        sa_select(func.coalesce(func.sum(signed_payment()), 0))
        .where(col(Payment.document_id) == col(Document.id))
        .scalar_subquery()
    )
    query = (
        sa_select(
            col(Document.id),
            col(Document.created_at),
            col(Document.number),
            col(Document.kind),
            col(Document.status),
            col(Document.total),
            col(Document.asset_id),
            col(Document.estimate_id),
            col(Employee.name),
            paid,
        )
        .select_from(Document)
        .join(Employee, col(Employee.id) == col(Document.created_by), isouter=True)
        .order_by(col(Document.id).desc())
    )
    return query, paid


def _rows(session: Session, query: Any) -> list[DocumentRow]:
    """DocumentRows from a ``_row_base`` query; each label is translated once a call."""
    kinds: dict[str, str] = {}
    statuses: dict[str, str] = {}
    out = []
    for (
        doc_id,
        at,
        number,
        kind,
        status,
        total,
        asset_id,
        estimate_id,
        employee,
        paid,
    ) in session.connection().execute(query).all():
        kind_text = kinds.get(kind)
        if kind_text is None:
            kind_text = kinds[kind] = kind_label(kind)
        status_text = statuses.get(status)
        if status_text is None:
            status_text = statuses[status] = status_label(status)
        out.append(
            DocumentRow(
                id=doc_id,
                at=at,
                number=number,
                kind=kind,
                kind_label=kind_text,
                status=status,
                status_label=status_text,
                employee=employee or "",
                total=total,
                paid=int(paid),
                due=due_amount(kind, status, total, int(paid)),
                charged=charged(kind, status, total),
                asset_id=asset_id,
                estimate_id=estimate_id,
            )
        )
    return out


def list_documents(
    session: Session, client_id: int, *, before_id: int | None = None, limit: int = PAGE
) -> list[DocumentRow]:
    """The client's documents, newest first, a page at a time (keyset: pass the last
    row's id as ``before_id`` for the next page). One query, on the (client, id) index:
    a page costs the same for a client with 2,000 documents as for one with 5."""
    query = _row_base()[0].where(col(Document.client_id) == client_id)
    if before_id is not None:
        query = query.where(col(Document.id) < before_id)
    return _rows(session, query.limit(max(1, min(limit, 500))))


def payable_documents(session: Session, client_id: int, *, limit: int = 50) -> list[DocumentRow]:
    """The client's work orders and sales with something due, newest first (what "+
    Advance" offers to pay against)."""
    base, paid = _row_base()
    query = base.where(
        col(Document.client_id) == client_id,
        (
            (col(Document.kind) == DocKind.WORK_ORDER.value)
            & (col(Document.status) != Status.CANCELLED.value)
        )
        | (
            (col(Document.kind) == DocKind.SALE.value)
            & (col(Document.status) == Status.COMPLETED.value)
        ),
        col(Document.total) > paid,
    ).limit(max(1, min(limit, 500)))
    return _rows(session, query)


def _asset_label(asset: Asset | None) -> str:
    if asset is None:
        return ""
    name = " ".join(p for p in (asset.kind, asset.brand, asset.model) if p)
    return f"{name} ({asset.serial})" if name else asset.serial


def asset_choices(session: Session, client_id: int) -> list[tuple[int, str]]:
    """(id, label) of the client's assets, for a work order's asset picker."""
    rows = session.exec(
        select(Asset).where(Asset.client_id == client_id).order_by(col(Asset.id).desc())
    )
    return [(a.id or 0, _asset_label(a)) for a in rows]


def _lines(session: Session, document_id: int) -> tuple[LineRecord, ...]:
    rows = session.exec(
        select(DocumentLine)
        .where(DocumentLine.document_id == document_id)
        .order_by(col(DocumentLine.position), col(DocumentLine.id))
    ).all()
    out = []
    for r in rows:
        amounts = compute_line(r.quantity_milli, r.unit_price, r.discount_kind, r.discount_value)
        out.append(
            LineRecord(
                id=r.id or 0,
                position=r.position,
                item_id=r.item_id,
                description=r.description,
                quantity_milli=r.quantity_milli,
                unit_price=r.unit_price,
                discount_kind=r.discount_kind,
                discount_value=r.discount_value,
                gross=amounts.gross,
                discount=amounts.discount,
                line_total=r.line_total,
            )
        )
    return tuple(out)


def _history(session: Session, document_id: int) -> tuple[StatusChangeRecord, ...]:
    rows = session.exec(
        select(DocumentStatusChange, Employee.name)
        .join(Employee, col(Employee.id) == col(DocumentStatusChange.employee_id), isouter=True)
        .where(DocumentStatusChange.document_id == document_id)
        .order_by(col(DocumentStatusChange.id))
    ).all()
    return tuple(
        StatusChangeRecord(
            id=c.id or 0,
            at=c.at,
            employee=name or "",
            from_status=c.from_status,
            from_label=status_label(c.from_status) if c.from_status else "",
            to_status=c.to_status,
            to_label=status_label(c.to_status),
            total=c.total,
            note=c.note,
        )
        for c, name in rows
    )


def _options(doc: Document) -> tuple[StatusOption, ...]:
    out = []
    for nxt in allowed_next(doc.kind, doc.status):
        perm = PERMISSIONS.get((DocKind(doc.kind), Status(doc.status), Status(nxt)))
        effect = ledger_effect(doc.kind, doc.status, nxt)
        out.append(
            StatusOption(
                status=nxt,
                label=status_label(nxt),
                action=action_label(doc.kind, doc.status, nxt),
                permission=perm.value if perm is not None else None,
                charges=effect[1] * doc.total if effect is not None else 0,
            )
        )
    return tuple(out)


def get_document(session: Session, document_id: int) -> DocumentDetail:
    """The document with its lines, totals, payments, due, history and next statuses."""
    maker = aliased(Employee)
    row = session.exec(
        select(Document, Client.name, maker.name)
        .join(Client, col(Client.id) == col(Document.client_id))
        .join(maker, col(maker.id) == col(Document.created_by), isouter=True)
        .where(Document.id == document_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise DomainError(_("That document does not exist."))
    doc, client_name, employee = row
    lines = _lines(session, document_id)
    totals = totals_of(LineAmounts(x.gross, x.discount, x.line_total) for x in lines)
    paid = paid_by_document(session, [document_id]).get(document_id, 0)
    due = due_amount(doc.kind, doc.status, doc.total, paid)
    estimate_number = ""
    if doc.estimate_id is not None:
        estimate_number = (
            session.exec(select(Document.number).where(Document.id == doc.estimate_id)).first()
            or ""
        )
    converted = tuple(
        (int(i or 0), n)
        for i, n in session.exec(
            select(Document.id, Document.number)
            .where(Document.estimate_id == document_id)
            .order_by(col(Document.id))
        )
    )
    asset = session.get(Asset, doc.asset_id) if doc.asset_id is not None else None
    return DocumentDetail(
        id=document_id,
        client_id=doc.client_id,
        client_name=client_name,
        kind=doc.kind,
        kind_label=kind_label(doc.kind),
        number=doc.number,
        status=doc.status,
        status_label=status_label(doc.status),
        at=doc.created_at,
        employee=employee or "",
        updated_at=doc.updated_at,
        version=doc.version,
        comment=doc.comment,
        asset_id=doc.asset_id,
        asset_label=_asset_label(asset),
        lead_id=doc.lead_id,
        estimate_id=doc.estimate_id,
        estimate_number=estimate_number,
        converted_to=converted,
        lines=lines,
        gross=totals.gross,
        discount=totals.discount,
        total=doc.total,
        charged=charged(doc.kind, doc.status, doc.total),
        paid=paid,
        due=due,
        payments=tuple(document_payments(session, document_id)),
        history=_history(session, document_id),
        next_statuses=_options(doc),
        editable=lines_editable(doc.kind, doc.status),
        can_take_payment=due > 0,
    )
