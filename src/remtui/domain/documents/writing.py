"""Changing documents: create, save the line editor, move the status (with its ledger
entry), reopen, refund a sale, turn an accepted estimate into a work order or a sale."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel import Session, col, delete, select

from ...errors import DomainError, ValidationError
from ...i18n import _
from ...safetext import clean_input
from ...store.tables import Client
from ...store.tables.crm import Asset, Lead
from ...store.tables.documents import (
    Document,
    DocumentLine,
    DocumentStatusChange,
)
from ...store.types import utcnow
from .. import audit, ledger, numbering
from ..actor import Actor, require
from ..settlement import (
    DOCUMENT_SOURCE_TYPE,
    DocKind,
    Status,
    lock_for_write,
)
from .lines import LineInput, LineRecord, check_lines, is_int
from .reading import get_document
from .records import DocumentDetail, IllegalTransition, StaleDocument
from .workflow import (
    INITIAL_STATUS,
    PERMISSIONS,
    allowed_next,
    ledger_effect,
    lines_editable,
    status_label,
)

MAX_COMMENT = 2000
MAX_NOTE = 500


def _check_comment(comment: str, errors: dict[str, str]) -> str:
    value = clean_input(comment or "")
    if len(value) > MAX_COMMENT:
        errors["comment"] = _("At most {n} characters.").format(n=MAX_COMMENT)
    return value


def _check_asset(
    session: Session, client_id: int, kind: str, asset_id: int | None, errors: dict[str, str]
) -> None:
    if asset_id is None:
        return
    if kind == DocKind.SALE:
        errors["asset"] = _("Only work orders and estimates are linked to an asset.")
        return
    asset = session.get(Asset, asset_id) if is_int(asset_id) else None
    if asset is None:
        errors["asset"] = _("That asset does not exist.")
    elif asset.client_id != client_id:
        errors["asset"] = _("That asset belongs to another client.")


def _check_note(note: str) -> str:
    value = clean_input(note or "")
    if len(value) > MAX_NOTE:
        raise DomainError(_("At most {n} characters.").format(n=MAX_NOTE), "note")
    return value


# --- writing -------------------------------------------------------------------------------


def _write_lines(session: Session, document_id: int, lines: Sequence[LineRecord]) -> None:
    for position, ln in enumerate(lines):
        session.add(
            DocumentLine(
                document_id=document_id,
                position=position,
                item_id=ln.item_id,
                description=ln.description,
                quantity_milli=ln.quantity_milli,
                unit_price=ln.unit_price,
                discount_kind=ln.discount_kind,
                discount_value=ln.discount_value,
                line_total=ln.line_total,
            )
        )


def _record_status(
    session: Session,
    actor: Actor,
    doc: Document,
    from_status: str,
    to_status: str,
    note: str,
) -> None:
    """The history row, and the ledger entry the change writes, if any."""
    assert doc.id is not None
    session.add(
        DocumentStatusChange(
            document_id=doc.id,
            at=utcnow(),
            employee_id=actor.id,
            from_status=from_status,
            to_status=to_status,
            total=doc.total,
            note=note,
        )
    )
    effect = ledger_effect(doc.kind, from_status, to_status)
    if effect is not None and doc.total != 0:
        ledger_kind, sign = effect
        ledger.post(
            session,
            client_id=doc.client_id,
            employee_id=actor.id,
            kind=ledger_kind,
            amount=sign * doc.total,
            source_type=DOCUMENT_SOURCE_TYPE,
            source_id=doc.id,
            reference=doc.number,
            comment=note,
        )
    session.flush()


def _insert(
    session: Session,
    actor: Actor,
    client_id: int,
    kind: DocKind,
    lines: Sequence[LineRecord],
    *,
    comment: str,
    asset_id: int | None,
    lead_id: int | None,
    estimate_id: int | None,
    prefixes: dict[str, str] | None,
) -> int:
    now = utcnow()
    total = sum(x.line_total for x in lines)
    doc = Document(
        kind=kind.value,
        number=numbering.next_number(session, kind.value, prefixes),
        client_id=client_id,
        status=INITIAL_STATUS[kind].value,
        asset_id=asset_id,
        lead_id=lead_id,
        estimate_id=estimate_id,
        total=total,
        comment=comment,
        version=1,
        created_at=now,
        created_by=actor.id,
        updated_at=now,
        updated_by=actor.id,
    )
    session.add(doc)
    session.flush()
    assert doc.id is not None
    _write_lines(session, doc.id, lines)
    _record_status(session, actor, doc, "", doc.status, "")
    audit.record(
        session,
        actor.id,
        "document.create",
        "document",
        doc.id,
        client_id=client_id,
        kind=kind.value,
        number=doc.number,
        total=total,
        lines=len(lines),
        estimate_id=estimate_id,
    )
    return doc.id


def create_document(
    session: Session,
    actor: Actor,
    client_id: int,
    kind: str,
    lines: Sequence[LineInput],
    *,
    comment: str = "",
    asset_id: int | None = None,
    lead_id: int | None = None,
    apply_client_discount: bool = True,
    prefixes: dict[str, str] | None = None,
) -> DocumentDetail:
    """A new work order (status new), estimate (draft) or sale (completed: charges the
    client at once). Raises ValidationError (keys "kind", "lines", "line.N.<field>",
    "asset", "lead", "comment") and writes nothing when anything is wrong."""
    client = session.get(Client, client_id, populate_existing=True)
    if client is None:
        raise DomainError(_("That client does not exist."), "client")
    errors: dict[str, str] = {}
    try:
        doc_kind = DocKind(kind)
    except ValueError:
        raise ValidationError({"kind": _("Choose a work order, an estimate or a sale.")}) from None
    lock_for_write(session, client_id)
    clean = check_lines(session, lines, client.discount_bp, apply_client_discount, errors)
    text_ = _check_comment(comment, errors)
    _check_asset(session, client_id, doc_kind, asset_id, errors)
    if lead_id is not None:
        lead = session.get(Lead, lead_id) if is_int(lead_id) else None
        if lead is None or lead.client_id != client_id:
            errors["lead"] = _("That lead is not this client's.")
    if errors:
        raise ValidationError(errors)
    doc_id = _insert(
        session,
        actor,
        client_id,
        doc_kind,
        clean,
        comment=text_,
        asset_id=asset_id,
        lead_id=lead_id,
        estimate_id=None,
        prefixes=prefixes,
    )
    return get_document(session, doc_id)


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # "leave as it is" for update_document's asset_id


def _load(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id, populate_existing=True)
    if doc is None:
        raise DomainError(_("That document does not exist."))
    return doc


def _bump(session: Session, doc: Document, expected_version: int) -> None:
    """Compare-and-set the version (the caller has checked it under the lock)."""
    claimed = (
        session.connection()
        .execute(
            text("UPDATE document SET version = version + 1 WHERE id = :id AND version = :v"),
            {"id": doc.id, "v": expected_version},
        )
        .rowcount
    )
    if claimed != 1:
        raise StaleDocument(get_document(session, doc.id or 0))
    session.refresh(doc)


def _frozen_message(kind: str, status: str) -> str:
    if kind == DocKind.SALE:
        return _("A sale cannot be changed; refund it instead.")
    if kind == DocKind.WORK_ORDER and status == Status.CLOSED:
        return _("Reopen the work order to change its lines.")
    if status == Status.CANCELLED:
        return _("A cancelled document cannot be changed.")
    return _("An accepted or rejected estimate cannot be changed.")


def update_document(
    session: Session,
    actor: Actor,
    document_id: int,
    expected_version: int,
    *,
    lines: Sequence[LineInput] | None = None,
    comment: str | None = None,
    asset_id: int | _Keep | None = KEEP,
    apply_client_discount: bool = True,
) -> DocumentDetail:
    """Save the line editor (``lines`` replaces every line; None keeps them), the comment
    and the asset. Lines and asset only while the document is editable (see the
    package's docstring). Raises StaleDocument if someone saved since ``expected_version``."""
    doc = _load(session, document_id)
    lock_for_write(session, doc.client_id, document_id)
    doc = _load(session, document_id)
    if doc.version != expected_version:
        raise StaleDocument(get_document(session, document_id))
    changing_lines = lines is not None or not isinstance(asset_id, _Keep)
    if changing_lines and not lines_editable(doc.kind, doc.status):
        raise DomainError(_frozen_message(doc.kind, doc.status), "lines")
    client = session.get(Client, doc.client_id, populate_existing=True)
    assert client is not None
    errors: dict[str, str] = {}
    clean = (
        check_lines(session, lines, client.discount_bp, apply_client_discount, errors)
        if lines is not None
        else None
    )
    new_comment = _check_comment(comment, errors) if comment is not None else doc.comment
    if not isinstance(asset_id, _Keep):
        _check_asset(session, doc.client_id, doc.kind, asset_id, errors)
    if errors:
        raise ValidationError(errors)
    _bump(session, doc, expected_version)
    changed: dict[str, object] = {}
    if clean is not None:
        session.exec(delete(DocumentLine).where(col(DocumentLine.document_id) == document_id))
        session.flush()
        _write_lines(session, document_id, clean)
        new_total = sum(x.line_total for x in clean)
        changed.update(lines=len(clean), total_before=doc.total, total=new_total)
        doc.total = new_total
    if new_comment != doc.comment:
        changed["comment"] = True
        doc.comment = new_comment
    if not isinstance(asset_id, _Keep) and asset_id != doc.asset_id:
        changed.update(asset_before=doc.asset_id, asset=asset_id)
        doc.asset_id = asset_id
    doc.updated_at = utcnow()
    doc.updated_by = actor.id
    session.add(doc)
    session.flush()
    audit.record(
        session,
        actor.id,
        "document.update",
        "document",
        document_id,
        number=doc.number,
        version=doc.version,
        **changed,
    )
    return get_document(session, document_id)


def change_status(
    session: Session,
    actor: Actor,
    document_id: int,
    status: str,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> DocumentDetail:
    """Move the document to ``status`` if ``TRANSITIONS`` allows it, writing the history
    row, the ledger entry it causes (see the package's docstring) and an audit record.
    Raises IllegalTransition, PermissionDenied or StaleDocument and writes nothing."""
    doc = _load(session, document_id)
    lock_for_write(session, doc.client_id, document_id)
    doc = _load(session, document_id)
    if expected_version is not None and doc.version != expected_version:
        raise StaleDocument(get_document(session, document_id))
    current = doc.status
    if status not in allowed_next(doc.kind, current):
        if status == current:
            message = _("The document already is {status}.").format(status=status_label(status))
        else:
            message = _("The status cannot go from {old} to {new}.").format(
                old=status_label(current), new=status_label(status)
            )
        raise IllegalTransition(message, current, str(status))
    status = Status(status).value
    permission = PERMISSIONS.get((DocKind(doc.kind), Status(current), Status(status)))
    if permission is not None:
        require(actor, permission)
    clean_note = _check_note(note)
    _bump(session, doc, doc.version)
    doc.status = status
    doc.updated_at = utcnow()
    doc.updated_by = actor.id
    session.add(doc)
    session.flush()
    _record_status(session, actor, doc, current, status, clean_note)
    audit.record(
        session,
        actor.id,
        "document.status",
        "document",
        document_id,
        number=doc.number,
        from_status=current,
        to_status=status,
        total=doc.total,
        note=clean_note,
    )
    return get_document(session, document_id)


def reopen(
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> DocumentDetail:
    """A closed work order back to in progress; its charge is reversed by a new entry."""
    return change_status(
        session,
        actor,
        document_id,
        Status.IN_PROGRESS,
        expected_version=expected_version,
        note=note,
    )


def refund_sale(
    session: Session,
    actor: Actor,
    document_id: int,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> DocumentDetail:
    """A completed sale refunded: the client owes its total less (money back to the
    client is a separate refund payment)."""
    return change_status(
        session, actor, document_id, Status.REFUNDED, expected_version=expected_version, note=note
    )


def convert_estimate(
    session: Session,
    actor: Actor,
    estimate_id: int,
    kind: str,
    *,
    prefixes: dict[str, str] | None = None,
) -> DocumentDetail:
    """A new work order or sale with an accepted estimate's lines (discounts as they are),
    comment and (work orders) asset; ``estimate_id`` points back. An estimate becomes at
    most one document that is not cancelled."""
    est = _load(session, estimate_id)
    if est.kind != DocKind.ESTIMATE:
        raise DomainError(_("Only an estimate can be turned into another document."))
    try:
        target = DocKind(kind)
    except ValueError:
        target = DocKind.ESTIMATE
    if target == DocKind.ESTIMATE:
        raise ValidationError({"kind": _("Choose a work order or a sale.")})
    lock_for_write(session, est.client_id, estimate_id)
    est = _load(session, estimate_id)
    if est.status != Status.ACCEPTED:
        raise DomainError(_("Only an accepted estimate can be turned into a work order or a sale."))
    existing = session.exec(
        select(Document.number).where(
            Document.estimate_id == estimate_id, Document.status != Status.CANCELLED.value
        )
    ).first()
    if existing is not None:
        raise DomainError(
            _("This estimate already became {number}.").format(number=existing), "estimate"
        )
    detail = get_document(session, estimate_id)
    asset_id = est.asset_id if target == DocKind.WORK_ORDER else None
    if asset_id is not None:
        asset = session.get(Asset, asset_id)
        if asset is None or asset.client_id != est.client_id:
            asset_id = None  # the device has changed hands since the estimate
    doc_id = _insert(
        session,
        actor,
        est.client_id,
        target,
        detail.lines,
        comment=est.comment,
        asset_id=asset_id,
        lead_id=est.lead_id,
        estimate_id=estimate_id,
        prefixes=prefixes,
    )
    audit.record(
        session,
        actor.id,
        "document.convert",
        "document",
        estimate_id,
        number=est.number,
        into=doc_id,
        kind=target.value,
    )
    return get_document(session, doc_id)
