"""Employees, roles and sign-in: argon2 hashes, lockout, permissions per role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select

from ..errors import DomainError
from ..i18n import _
from ..permissions import Perm as Perm  # re-exported: callers write staff.Perm
from ..safetext import clean_input
from ..store.tables import AuditEntry, Cashbox, Employee, Role, Warehouse
from ..store.types import utcnow
from . import audit
from .actor import Actor as Actor  # re-exported: callers write staff.Actor
from .actor import require as require

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MAX_FAILED = 5
LOCKOUT = timedelta(minutes=5)
MIN_PASSWORD = 8


DEFAULT_ROLES: dict[str, frozenset[Perm]] = {
    "admin": frozenset(Perm),
    "manager": frozenset(
        {Perm.EDIT_CLIENTS, Perm.CORRECTIONS, Perm.REFUND, Perm.EXPORT, Perm.VIEW_CHATS}
    ),
    "clerk": frozenset({Perm.EDIT_CLIENTS, Perm.EXPORT, Perm.VIEW_CHATS}),
    "technician": frozenset(),
}


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise DomainError(
            _("The password needs at least {n} characters.").format(n=MIN_PASSWORD), "password"
        )
    return str(_hasher().hash(password))


def _verify(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher().hash("not-a-real-password"))
    return _DUMMY_HASH[0]


def needs_first_admin(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Employee)).one() == 0


def _ensure_roles(session: Session) -> dict[str, Role]:
    roles = {r.name: r for r in session.exec(select(Role))}
    for name, perms in DEFAULT_ROLES.items():
        if name not in roles:
            role = Role(name=name, permissions=" ".join(sorted(p.value for p in perms)))
            session.add(role)
            roles[name] = role
    session.flush()
    return roles


def _ensure_places(session: Session) -> None:
    if session.exec(select(func.count()).select_from(Cashbox)).one() == 0:
        session.add(Cashbox(name=_("Main cash desk")))
        session.add(Cashbox(name=_("Card terminal")))
    if session.exec(select(func.count()).select_from(Warehouse)).one() == 0:
        session.add(Warehouse(name=_("Front desk"), kind="shop"))
        session.add(Warehouse(name=_("Workshop"), kind="shop"))
        session.add(Warehouse(name=_("With the client"), kind="client"))
    session.flush()


def _check_login(login: str) -> str:
    login = clean_input(login)
    if not login:
        raise DomainError(_("Enter a login."), "login")
    if len(login) > 64 or any(ch.isspace() for ch in login):
        raise DomainError(_("A login is one word of at most 64 characters."), "login")
    return login


def _check_name(name: str) -> str:
    name = " ".join(clean_input(name).split())
    if not name:
        raise DomainError(_("Enter a name."), "name")
    if len(name) > 200:
        raise DomainError(_("At most {n} characters.").format(n=200), "name")
    return name


def create_first_admin(session: Session, login: str, name: str, password: str) -> Actor:
    """The first employee of an empty store: an administrator."""
    if not needs_first_admin(session):
        raise DomainError(_("This store already has an administrator."))
    roles = _ensure_roles(session)
    _ensure_places(session)
    emp = Employee(
        login=_check_login(login),
        name=_check_name(name),
        password_hash=hash_password(password),
        role_id=roles["admin"].id or 0,
    )
    session.add(emp)
    session.flush()
    audit.record(session, emp.id, "employee.create", "employee", emp.id, login=emp.login)
    return _actor(session, emp)


def add_employee(
    session: Session,
    actor: Actor | None,
    login: str,
    name: str,
    password: str,
    role: str = "clerk",
) -> Actor:
    """A new employee. ``actor`` None means the server's command line (trusted)."""
    if actor is not None:
        require(actor, Perm.MANAGE_EMPLOYEES)
    roles = _ensure_roles(session)
    if role not in roles:
        raise DomainError(
            _("No such role: {role}. Roles: {roles}.").format(
                role=role, roles=", ".join(sorted(roles))
            ),
            "role",
        )
    login = _check_login(login)
    if session.exec(select(Employee).where(Employee.login == login)).first():
        raise DomainError(_("That login is taken."), "login")
    _ensure_places(session)
    emp = Employee(
        login=login,
        name=_check_name(name),
        password_hash=hash_password(password),
        role_id=roles[role].id or 0,
    )
    session.add(emp)
    session.flush()
    audit.record(
        session,
        actor.id if actor else None,
        "employee.create",
        "employee",
        emp.id,
        login=login,
        role=role,
    )
    return _actor(session, emp)


def _find(session: Session, login: str) -> Employee:
    emp = session.exec(select(Employee).where(Employee.login == login.strip())).first()
    if emp is None:
        raise DomainError(_("No employee with that login."), "login")
    return emp


def set_password(session: Session, actor: Actor | None, login: str, password: str) -> None:
    emp = _find(session, login)
    if actor is not None and actor.id != emp.id:
        require(actor, Perm.MANAGE_EMPLOYEES)
    emp.password_hash = hash_password(password)
    emp.failed_attempts = 0
    emp.locked_until = None
    session.add(emp)
    audit.record(session, actor.id if actor else None, "employee.password", "employee", emp.id)


def set_active(session: Session, actor: Actor | None, login: str, active: bool) -> None:
    emp = _find(session, login)
    if actor is not None:
        require(actor, Perm.MANAGE_EMPLOYEES)
    emp.active = active
    session.add(emp)
    audit.record(
        session,
        actor.id if actor else None,
        "employee.enable" if active else "employee.disable",
        "employee",
        emp.id,
    )


def set_role_permissions(
    session: Session, actor: Actor | None, role: str, permissions: set[str]
) -> None:
    if actor is not None:
        require(actor, Perm.MANAGE_EMPLOYEES)
    unknown = permissions - {p.value for p in Perm}
    if unknown:
        raise DomainError(_("Unknown permission: {p}.").format(p=", ".join(sorted(unknown))))
    roles = _ensure_roles(session)
    if role not in roles:
        raise DomainError(
            _("No such role: {role}. Roles: {roles}.").format(
                role=role, roles=", ".join(sorted(roles))
            )
        )
    roles[role].permissions = " ".join(sorted(permissions))
    session.add(roles[role])
    audit.record(
        session,
        actor.id if actor else None,
        "role.permissions",
        "role",
        roles[role].id,
        role=role,
        permissions=sorted(permissions),
    )


def _actor(session: Session, emp: Employee) -> Actor:
    role = session.get(Role, emp.role_id)
    perms = frozenset((role.permissions if role else "").split())
    return Actor(emp.id or 0, emp.login, emp.name, role.name if role else "", perms)


def actor_for(session: Session, login: str) -> Actor:
    """The employee as an Actor without a password (demo mode, command line, tests)."""
    emp = _find(session, login)
    if not emp.active:
        raise DomainError(_("This employee is disabled."), "login")
    return _actor(session, emp)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt; failures are committed too (they count)."""

    actor: Actor | None
    error: str = ""

    def actor_or_raise(self) -> Actor:
        if self.actor is None:
            raise DomainError(self.error, "password")
        return self.actor


def sign_in(session: Session, login: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a password, with lockout after repeated failures. Slow (argon2): call it from
    a worker, in a write session that is committed whatever the outcome.

    A login no employee has is answered exactly like a real one, in words and in time: it
    is locked the same way after MAX_FAILED failures (its count is replayed from the audit
    log, so no other data changes), and every path runs one argon2 verification and the
    same audit query, so neither the answer nor its delay tells which logins exist."""
    now = now or utcnow()
    key = login.strip()
    dummy = _dummy_hash()  # made before the lookup: the first attempt costs the same too
    unknown = _unknown_login_lock(session, key[:64])
    emp = session.exec(select(Employee).where(Employee.login == key)).first()
    if emp is None:
        failed, locked_until = unknown
        if locked_until is not None and locked_until > now:
            _verify(dummy, password)
            audit.record(session, None, "sign_in.refused_locked", "employee", None, login=key[:64])
            return SignIn(None, _locked_message(_minutes_left(locked_until, now)))
        _verify(dummy, password)  # same time as a real check: logins stay secret
        audit.record(session, None, "sign_in.failed", "employee", None, login=key[:64])
        if failed + 1 >= MAX_FAILED:
            until = now + LOCKOUT
            audit.record(
                session,
                None,
                "sign_in.locked",
                "employee",
                None,
                login=key[:64],
                minutes=int(LOCKOUT.total_seconds() // 60),
                until=until.isoformat(),
            )
            return SignIn(None, _locked_message(int(LOCKOUT.total_seconds() // 60)))
        return SignIn(None, _("Wrong login or password."))
    if emp.locked_until is not None and emp.locked_until > now:
        _verify(dummy, password)  # the same delay as any other answer
        audit.record(session, emp.id, "sign_in.refused_locked", "employee", emp.id)
        return SignIn(None, _locked_message(_minutes_left(emp.locked_until, now)))
    if not _verify(emp.password_hash, password):
        emp.failed_attempts += 1
        locked = emp.failed_attempts >= MAX_FAILED
        if locked:
            emp.locked_until = now + LOCKOUT
            emp.failed_attempts = 0
        session.add(emp)
        audit.record(session, emp.id, "sign_in.failed", "employee", emp.id)
        if locked:
            audit.record(
                session,
                emp.id,
                "sign_in.locked",
                "employee",
                emp.id,
                minutes=int(LOCKOUT.total_seconds() // 60),
                until=(now + LOCKOUT).isoformat(),
            )
            return SignIn(None, _locked_message(int(LOCKOUT.total_seconds() // 60)))
        return SignIn(None, _("Wrong login or password."))
    if not emp.active:
        audit.record(session, emp.id, "sign_in.refused_disabled", "employee", emp.id)
        return SignIn(None, _("This employee is disabled."))
    emp.failed_attempts = 0
    emp.locked_until = None
    session.add(emp)
    audit.record(session, emp.id, "sign_in", "employee", emp.id)
    return SignIn(_actor(session, emp))


def _minutes_left(locked_until: datetime, now: datetime) -> int:
    return max(1, (int((locked_until - now).total_seconds()) + 59) // 60)


def _unknown_login_lock(session: Session, key: str) -> tuple[int, datetime | None]:
    """(failures since the last lock, end of that lock) of a login no employee has, read
    from its audit entries newest first: the same counter an Employee row keeps."""
    prefix = '{"login": ' + json.dumps(key, ensure_ascii=False) + ","
    pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(AuditEntry.action, AuditEntry.detail)
        .where(
            AuditEntry.entity == "employee",
            col(AuditEntry.entity_id).is_(None),
            col(AuditEntry.employee_id).is_(None),
            col(AuditEntry.action).in_(("sign_in.failed", "sign_in.locked")),
            col(AuditEntry.detail).like(pattern, escape="\\"),
        )
        .order_by(col(AuditEntry.id).desc())
    )
    failed = 0
    result = session.exec(query)
    try:
        for action, detail in result:
            try:
                data = json.loads(detail)
            except ValueError:
                continue
            if data.get("login") != key:  # LIKE ignores ASCII case in SQLite
                continue
            if action == "sign_in.locked":
                try:
                    return failed, datetime.fromisoformat(str(data.get("until")))
                except ValueError:
                    return failed, None
            failed += 1
            if failed >= MAX_FAILED:
                break
    finally:
        result.close()
    return failed, None


def _locked_message(minutes: int) -> str:
    return _("Too many failed attempts. Try again in {n} min.").format(n=minutes)


@dataclass(frozen=True)
class EmployeeRow:
    id: int
    login: str
    name: str
    role: str
    active: bool


def list_employees(session: Session) -> list[EmployeeRow]:
    rows = session.exec(select(Employee, Role.name).join(Role).order_by(Employee.login))
    return [EmployeeRow(e.id or 0, e.login, e.name, r, e.active) for e, r in rows]


def cashboxes(session: Session) -> list[tuple[int, str]]:
    return [(c.id or 0, c.name) for c in session.exec(select(Cashbox).where(Cashbox.active))]


def warehouses(session: Session) -> list[tuple[int, str, str]]:
    return [
        (w.id or 0, w.name, w.kind) for w in session.exec(select(Warehouse).where(Warehouse.active))
    ]


def employee_name(session: Session, employee_id: int | None) -> str:
    if employee_id is None:
        return ""
    emp = session.get(Employee, employee_id)
    return emp.name if emp else ""
