"""Employees: argon2 hashes, sign-in, lockout (audited), roles and permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from remtui.domain import audit, staff
from remtui.domain.staff import Perm
from remtui.errors import DomainError, PermissionDenied
from remtui.store.types import utcnow


def sign_in(store, login, password, now=None):
    with store.write() as session:
        return staff.sign_in(session, login, password, now)


def test_first_admin_only_once_and_hash_is_argon2(store, admin):
    assert admin.role == "admin" and admin.can(Perm.MANAGE_EMPLOYEES)
    with store.read() as session:
        stored = (
            session.connection().execute(text("SELECT password_hash FROM employee")).scalar_one()
        )
        assert not staff.needs_first_admin(session)
        assert staff.cashboxes(session) and staff.warehouses(session)
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    with pytest.raises(DomainError), store.write() as session:
        staff.create_first_admin(session, "other", "Other", "password123")


def test_sign_in_right_and_wrong(store, admin):
    assert sign_in(store, "admin", "correct horse").actor == admin
    wrong = sign_in(store, "admin", "wrong horse")
    assert wrong.actor is None and wrong.error == "Wrong login or password."
    unknown = sign_in(store, "nobody", "correct horse")
    assert unknown.actor is None and unknown.error == wrong.error  # logins stay secret


def test_lockout_after_five_failures_for_five_minutes(store, admin):
    now = utcnow()
    for _ in range(4):
        assert "Wrong" in sign_in(store, "admin", "nope", now).error
    fifth = sign_in(store, "admin", "nope", now)
    assert "Too many failed attempts" in fifth.error
    # Even the right password is refused while locked...
    locked = sign_in(store, "admin", "correct horse", now + timedelta(minutes=4))
    assert locked.actor is None and "1 min" in locked.error
    # ...and accepted once the five minutes are over.
    assert (
        sign_in(store, "admin", "correct horse", now + timedelta(minutes=5, seconds=1)).actor
        == admin
    )
    with store.read() as session:
        actions = [r.action for r in audit.recent(session, entity="employee")]
    assert actions.count("sign_in.failed") == 5
    assert "sign_in.locked" in actions and "sign_in.refused_locked" in actions
    assert actions[0] == "sign_in"


def test_success_resets_the_failure_count(store, admin):
    now = utcnow()
    for _ in range(4):
        sign_in(store, "admin", "nope", now)
    assert sign_in(store, "admin", "correct horse", now).actor
    for _ in range(4):
        sign_in(store, "admin", "nope", now)
    assert sign_in(store, "admin", "correct horse", now).actor


def test_disabled_employee_cannot_sign_in(store, admin):
    with store.write() as session:
        staff.add_employee(session, admin, "rui", "Rui", "password-rui", "clerk")
        staff.set_active(session, admin, "rui", False)
    assert sign_in(store, "rui", "password-rui").error == "This employee is disabled."
    with store.write() as session:
        staff.set_active(session, admin, "rui", True)
    assert sign_in(store, "rui", "password-rui").actor is not None


def test_roles_carry_permissions(store, admin):
    with store.write() as session:
        clerk = staff.add_employee(session, admin, "rui", "Rui", "password-rui", "clerk")
        tech = staff.add_employee(session, admin, "tec", "Tec", "password-tec", "technician")
    assert clerk.can(Perm.EDIT_CLIENTS) and clerk.can(Perm.VIEW_CHATS)
    assert not clerk.can(Perm.CORRECTIONS) and not clerk.can(Perm.REFUND)
    assert not tech.can(Perm.EDIT_CLIENTS)
    with pytest.raises(PermissionDenied), store.write() as session:
        staff.add_employee(session, clerk, "x", "X", "password-x", "admin")
    with store.write() as session:
        staff.set_role_permissions(session, admin, "technician", {"edit_clients"})
        assert staff.actor_for(session, "tec").can(Perm.EDIT_CLIENTS)


@pytest.mark.parametrize(
    ("login", "name", "password", "role", "field"),
    [
        ("", "Rui", "password1", "clerk", "login"),
        ("two words", "Rui", "password1", "clerk", "login"),
        ("rui", "", "password1", "clerk", "name"),
        ("rui", "Rui", "short", "clerk", "password"),
        ("rui", "Rui", "password1", "boss", "role"),
        ("admin", "Rui", "password1", "clerk", "login"),
    ],
)
def test_bad_employee_input(store, admin, login, name, password, role, field):
    with pytest.raises(DomainError) as err, store.write() as session:
        staff.add_employee(session, admin, login, name, password, role)
    assert err.value.field == field
    with store.read() as session:
        assert len(staff.list_employees(session)) == 1


def test_password_change(store, admin):
    with store.write() as session:
        staff.set_password(session, None, "admin", "a new password")
    assert sign_in(store, "admin", "correct horse").actor is None
    assert sign_in(store, "admin", "a new password").actor is not None
