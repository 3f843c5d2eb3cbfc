"""Employees: argon2 hashes, sign-in, lockout (audited), roles and permissions."""

from __future__ import annotations

import subprocess
import sys
import time
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


def _answers(store, login, now, tries):
    return [sign_in(store, login, "nope", now).error for _ in range(tries)]


@pytest.mark.parametrize("login", ["nobody", " nobody ", "Admin"])
def test_an_unknown_login_is_locked_like_a_real_one(store, admin, login):
    """The lockout must not tell which logins exist: same words, at the same moments."""
    now = utcnow()
    real = _answers(store, "admin", now, staff.MAX_FAILED + 1)
    unknown = _answers(store, login, now, staff.MAX_FAILED + 1)
    assert unknown == real
    assert real[-1] == "Too many failed attempts. Try again in 5 min."
    later = now + timedelta(minutes=4)
    assert sign_in(store, login, "x", later).error == sign_in(store, "admin", "x", later).error
    # Five minutes on, both count again from zero.
    after = now + timedelta(minutes=5, seconds=1)
    assert _answers(store, login, after, staff.MAX_FAILED) == _answers(
        store, "admin", after, staff.MAX_FAILED
    )


def test_the_unknown_login_lock_is_kept_in_the_store_not_the_process(store, admin):
    """`remtui serve` runs one process per browser: another process must find the lock."""
    now = utcnow()
    _answers(store, "nobody", now, staff.MAX_FAILED)
    code = (
        "import sys; from remtui.store.engine import Store; from remtui.domain import staff\n"
        "store = Store(sys.argv[1])\n"
        "with store.write() as s: print(staff.sign_in(s, 'nobody', 'nope').error)\n"
        "store.close()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, store.url], capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "Too many failed attempts. Try again in 5 min.", out.stderr


def test_an_unknown_login_lock_changes_only_the_audit_log(store, admin):
    now = utcnow()
    with store.read() as session:
        before = session.connection().execute(text("SELECT * FROM employee")).all()
    _answers(store, "nobody", now, staff.MAX_FAILED + 1)
    with store.read() as session:
        assert session.connection().execute(text("SELECT * FROM employee")).all() == before
        actions = [r.action for r in audit.recent(session, entity="employee")]
    assert actions[:3] == ["sign_in.refused_locked", "sign_in.locked", "sign_in.failed"]


def test_every_answer_costs_one_argon2_check(store, admin, monkeypatch):
    """Wrong, locked or unknown: one verification each (a locked real login used to answer
    at once, 2 ms against 120 ms, which told it existed)."""
    calls = []
    real_verify = staff._verify

    def counting(stored_hash, password):
        calls.append(stored_hash)
        return real_verify(stored_hash, password)

    monkeypatch.setattr(staff, "_verify", counting)
    now = utcnow()
    for login in ("admin", "nobody"):
        for _ in range(staff.MAX_FAILED + 2):
            calls.clear()
            sign_in(store, login, "nope", now)
            assert len(calls) == 1, login
        calls.clear()
        sign_in(store, login, "correct horse", now)  # locked: refused after a check too
        assert len(calls) == 1, login


def test_a_locked_real_login_answers_as_slowly_as_an_unknown_one(store, admin):
    now = utcnow()
    _answers(store, "admin", now, staff.MAX_FAILED)
    _answers(store, "nobody", now, staff.MAX_FAILED)

    def best(login):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            answer = sign_in(store, login, "nope", now).error
            times.append(time.perf_counter() - start)
            assert "Too many failed attempts" in answer
        return min(times)

    real, unknown = best("admin"), best("nobody")
    assert real > unknown / 2 and unknown > real / 2, (real, unknown)
