"""The audit log: who did what, when. Append-only (the store refuses edits).

A change made without a signed-in employee (the server's command line, an import, the SMS
gateway, a failed sign-in with an unknown login) records the Unix account that ran it as
``os_user`` in its detail, so every row says who.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from ..permissions import Perm
from ..store.tables import AuditEntry, Employee
from ..store.types import utcnow
from .actor import Actor, require

PAGE = 100
MAX_PAGE = 1000


@cache
def os_user() -> str:
    """The Unix account this process runs as (who is at the server's command line)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):
        import getpass

        try:
            return getpass.getuser()
        except Exception:
            return ""


def record(
    session: Session,
    employee_id: int | None,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    **detail: Any,
) -> None:
    if employee_id is None:
        detail.setdefault("os_user", os_user())
    session.add(
        AuditEntry(
            at=utcnow(),
            employee_id=employee_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
            if detail
            else "",
        )
    )
    session.flush()


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    employee: str
    action: str
    entity: str
    entity_id: int | None
    detail: str


def recent(
    session: Session, *, limit: int = 100, entity: str | None = None, entity_id: int | None = None
) -> list[AuditRow]:
    query = (
        select(AuditEntry, Employee.login)
        .join(Employee, col(Employee.id) == col(AuditEntry.employee_id), isouter=True)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return [
        AuditRow(e.id or 0, e.at, login or "", e.action, e.entity, e.entity_id, e.detail)
        for e, login in session.exec(query)
    ]


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    has_more: bool  # older entries match too: ask again with before_id=rows[-1].id


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _about_client(client_id: int) -> Any:
    """Entries about the client: the client itself, the records it owns (documents,
    payments, leads, assets, calls, SMS, chats), or any detail naming it."""
    from ..store.tables.comms import Chat, PhoneCall, SmsMessage
    from ..store.tables.crm import Asset, Lead
    from ..store.tables.documents import Document, Payment

    entity, entity_id = col(AuditEntry.entity), col(AuditEntry.entity_id)
    named = _like_escape(f'"client_id": {client_id}')
    conditions = [
        (entity == "client") & (entity_id == client_id),
        col(AuditEntry.detail).like(f"%{named},%", escape="\\"),
        col(AuditEntry.detail).like(f"%{named}}}%", escape="\\"),
    ]
    owned: dict[str, Any] = {
        "document": Document,
        "payment": Payment,
        "lead": Lead,
        "asset": Asset,
        "phone_call": PhoneCall,
        "sms_message": SmsMessage,
        "chat": Chat,
    }
    for name, table in owned.items():
        ids = select(col(table.id)).where(col(table.client_id) == client_id)
        conditions.append((entity == name) & entity_id.in_(ids))
    return or_(*conditions)


def entries(
    session: Session,
    actor: Actor | None,
    *,
    limit: int = PAGE,
    before_id: int | None = None,
    client_id: int | None = None,
    employee: str | None = None,
    text: str | None = None,
) -> AuditPage:
    """The audit log, newest first, a page at a time (keyset: ``before_id``).

    ``client_id``: entries about that client (the client itself, or anything whose detail
    names it: payments, documents, corrections, ...). ``employee``: entries by that login.
    ``text``: any part of the action, entity, detail or employee (case-insensitive; a
    number also matches the entity's id). ``actor`` None is the server's command line;
    an employee needs the "manage employees" permission."""
    if actor is not None:
        require(actor, Perm.MANAGE_EMPLOYEES)
    limit = max(1, min(int(limit), MAX_PAGE))
    query = (
        select(AuditEntry, Employee.login)
        .join(Employee, col(Employee.id) == col(AuditEntry.employee_id), isouter=True)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    if client_id is not None:
        query = query.where(_about_client(int(client_id)))
    if employee is not None:
        query = query.where(col(Employee.login) == employee.strip())
    term = (text or "").strip()
    if term:
        pattern = f"%{_like_escape(term[:100])}%"
        matches: list[Any] = [
            col(column).ilike(pattern, escape="\\")
            for column in (
                AuditEntry.action,
                AuditEntry.entity,
                AuditEntry.detail,
                Employee.login,
                Employee.name,
            )
        ]
        if term.isascii() and term.isdigit() and len(term) < 19:
            matches.append(col(AuditEntry.entity_id) == int(term))
        query = query.where(or_(*matches))
    found = [
        AuditRow(e.id or 0, e.at, login or "", e.action, e.entity, e.entity_id, e.detail)
        for e, login in session.exec(query)
    ]
    return AuditPage(tuple(found[:limit]), len(found) > limit)


def detail_text(detail: str) -> str:
    """An entry's detail in one line of ``key=value`` pairs (strings quoted when they hold
    spaces). Still outside text: show it through ``safe_text``."""
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return detail
    parts = []
    for key, value in data.items():
        if isinstance(value, str) and value and not any(c.isspace() or c in '"=' for c in value):
            shown = value
        else:
            shown = json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={shown}")
    return " ".join(parts)
