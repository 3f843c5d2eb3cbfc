"""The audit log: who did what, when. Append-only (the store refuses edits)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ..store.tables import AuditEntry, Employee
from ..store.types import utcnow


def record(
    session: Session,
    employee_id: int | None,
    action: str,
    entity: str = "",
    entity_id: int | None = None,
    **detail: Any,
) -> None:
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
