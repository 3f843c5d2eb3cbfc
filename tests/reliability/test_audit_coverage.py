"""Audit coverage: every change of money, client data, permissions and every sign-in lands
in the audit log, in the same transaction, with who (the employee, or for the command
line and the system the Unix account) and when. The log itself cannot be edited, and
`remtui audit` reads it safely."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from remtui.commands.audit import run_audit
from remtui.domain import (
    assets,
    audit,
    calls,
    catalog,
    chats,
    clients,
    corrections,
    documents,
    leads,
    payments,
    sms,
    staff,
)
from remtui.domain.staff import Actor
from remtui.store.engine import Store
from remtui.store.migrate import upgrade
from remtui.store.tables import AuditEntry, Client

MOBILE = "+351912345678"
HOSTILE = "\x1b]0;pwned\x07[bold]x[/]\u202eevil"


@dataclass
class Ctx:
    admin: Actor
    clerk: Actor
    client_id: int
    cashbox: int
    warehouses: list[int]


def _line(description: str = "Ecrã", price: int = 5000) -> documents.LineInput:
    return documents.LineInput(description=description, quantity="1", unit_price=price)


def _doc(s: Session, c: Ctx, kind: str, *steps: str) -> documents.DocumentDetail:
    doc = documents.create_document(s, c.admin, c.client_id, kind, [_line()])
    for step in steps:
        doc = documents.change_status(s, c.admin, doc.id, step)
    return doc


def _advance(s: Session, c: Ctx, amount: int = 5000) -> payments.PaymentRecord:
    return payments.take_payment(s, c.admin, c.client_id, cashbox_id=c.cashbox, amount=amount)


def _lead(s: Session, c: Ctx) -> leads.LeadRecord:
    return leads.create_lead(s, c.admin, c.client_id, leads.LeadForm(description="Trocar ecrã"))


def _asset(s: Session, c: Ctx) -> assets.AssetRecord:
    form = assets.AssetForm(serial="SN-0001", kind="Phone", brand="Acme", model="A1")
    return assets.create_asset(s, c.admin, c.client_id, form, c.warehouses[0])


def _chat(s: Session, c: Ctx) -> chats.ChatSummary:
    return chats.start_chat(s, c.admin, c.client_id, "whatsapp", "Olá")


def _failed_sms(s: Session, c: Ctx) -> int:
    msg = sms.queue_sms(s, c.admin, c.client_id, MOBILE, "O seu telemóvel está pronto.")
    sms.set_status(s, msg.id, "failed", "no route")
    return msg.id


def _form(name: str = "Ana Silva", **fields: Any) -> clients.ClientForm:
    return clients.ClientForm(name=name, phones=(clients.PhoneInput(MOBILE),), **fields)


@dataclass(frozen=True)
class Case:
    action: str
    entity: str
    run: Callable[[Session, Ctx, Any], Any]  # returns the entity id (or None)
    prepare: Callable[[Session, Ctx], Any] | None = None  # committed before, not judged
    who: str = "admin"  # "admin", "clerk" (the employee concerned) or "system"
    changes: bool = True  # the store's data (besides the audit) changes


CASES = [
    # money
    Case("payment.advance", "payment", lambda s, c, p: _advance(s, c).id),
    Case(
        "payment.take",
        "payment",
        lambda s, c, sale: (
            payments.take_payment(
                s, c.admin, c.client_id, cashbox_id=c.cashbox, amount=2000, document_id=sale.id
            ).id
        ),
        prepare=lambda s, c: _doc(s, c, "sale"),
    ),
    Case(
        "payment.refund",
        "payment",
        lambda s, c, p: (
            payments.refund(
                s, c.admin, c.client_id, cashbox_id=c.cashbox, amount=1000, note="troco"
            ).id
        ),
        prepare=lambda s, c: _advance(s, c),
    ),
    Case(
        "payment.void",
        "payment",
        lambda s, c, paid: payments.void_payment(s, c.admin, paid.id, "enganei-me").id,
        prepare=lambda s, c: _advance(s, c),
    ),
    Case(
        "balance.correction",
        "client",
        lambda s, c, p: (
            corrections.add_correction(
                s, c.admin, c.client_id, direction="owes_more", amount=1250, reason="acerto"
            ).client_id
        ),
    ),
    Case("document.create", "document", lambda s, c, p: _doc(s, c, "sale").id),
    Case(
        "document.status",
        "document",
        lambda s, c, wo: documents.change_status(s, c.admin, wo.id, "closed").id,
        prepare=lambda s, c: _doc(s, c, "work_order", "in_progress", "ready"),
    ),
    Case(
        "document.status",
        "document",
        lambda s, c, wo: documents.reopen(s, c.admin, wo.id).id,
        prepare=lambda s, c: _doc(s, c, "work_order", "in_progress", "ready", "closed"),
    ),
    Case(
        "document.status",
        "document",
        lambda s, c, sale: documents.refund_sale(s, c.admin, sale.id).id,
        prepare=lambda s, c: _doc(s, c, "sale"),
    ),
    Case(
        "document.update",
        "document",
        lambda s, c, wo: (
            documents.update_document(
                s, c.admin, wo.id, wo.version, lines=[_line("Bateria", 3000)]
            ).id
        ),
        prepare=lambda s, c: _doc(s, c, "work_order"),
    ),
    Case(
        "document.convert",
        "document",
        lambda s, c, est: documents.convert_estimate(s, c.admin, est.id, "work_order") and est.id,
        prepare=lambda s, c: _doc(s, c, "estimate", "accepted"),
    ),
    # client data
    Case(
        "client.create",
        "client",
        lambda s, c, p: clients.create_client(s, c.admin, _form("Rui Costa")).id,
    ),
    Case(
        "client.update",
        "client",
        lambda s, c, p: (
            clients.update_client(s, c.admin, c.client_id, 1, _form(email="ana@example.pt")).id
        ),
    ),
    Case("lead.create", "lead", lambda s, c, p: _lead(s, c).id),
    Case(
        "lead.update",
        "lead",
        lambda s, c, lead: (
            leads.update_lead(
                s, c.admin, lead.id, leads.LeadForm(description="Trocar bateria"), lead.version
            ).id
        ),
        prepare=_lead,
    ),
    Case(
        "lead.status",
        "lead",
        lambda s, c, lead: leads.start_work(s, c.admin, lead.id, lead.version).id,
        prepare=_lead,
    ),
    Case("asset.create", "asset", lambda s, c, p: _asset(s, c).id),
    Case(
        "asset.update",
        "asset",
        lambda s, c, a: (
            assets.update_asset(
                s, c.admin, a.id, assets.AssetForm(serial="SN-0001", model="A2"), a.version
            ).id
        ),
        prepare=_asset,
    ),
    Case(
        "asset.move",
        "asset",
        lambda s, c, a: assets.move_asset(s, c.admin, a.id, c.warehouses[1], a.version).id,
        prepare=_asset,
    ),
    Case(
        "call.log",
        "phone_call",
        lambda s, c, p: calls.log_call(s, c.admin, c.client_id, direction="incoming").id,
    ),
    Case(
        "call.import",
        "phone_call",
        lambda s, c, p: (
            calls.import_calls_csv(
                s, "time,direction,number,duration\n2026-11-20T09:15:00Z,incoming,912345678,65\n"
            )
            and None
        ),
        who="system",
    ),
    Case(
        "sms.queue",
        "sms_message",
        lambda s, c, p: sms.queue_sms(s, c.admin, c.client_id, MOBILE, "Está pronto.").id,
    ),
    Case(
        "sms.requeue",
        "sms_message",
        lambda s, c, sms_id: sms.requeue_sms(s, c.admin, sms_id).id,
        prepare=_failed_sms,
    ),
    Case(
        "sms.status",
        "sms_message",
        lambda s, c, msg: sms.set_status(s, msg.id, "failed", "no route").id,
        prepare=lambda s, c: sms.queue_sms(s, c.admin, c.client_id, MOBILE, "Está pronto."),
        who="system",
    ),
    Case("chat.open", "chat", lambda s, c, p: _chat(s, c).id),
    Case(
        "chat.post",
        "chat",
        lambda s, c, chat: chats.post_message(s, c.admin, chat.id, "Já está pronto.").chat_id,
        prepare=_chat,
    ),
    Case(
        "chat.close",
        "chat",
        lambda s, c, chat: chats.close_chat(s, c.admin, chat.id).id,
        prepare=_chat,
    ),
    Case(
        "chat.reopen",
        "chat",
        lambda s, c, chat: chats.reopen_chat(s, c.admin, chat.id).id,
        prepare=lambda s, c: chats.close_chat(s, c.admin, _chat(s, c).id),
    ),
    Case(
        "chat.receive",
        "chat",
        lambda s, c, p: (
            chats.receive_messages(
                s, [json.dumps({"channel": "sms", "phone": "912345678", "text": "Obrigada"})]
            )
            and None
        ),
        who="system",
    ),
    Case(
        "catalog.create",
        "catalog_item",
        lambda s, c, p: catalog.create_item(s, c.admin, name="Ecrã A1", price=9000).id,
    ),
    Case(
        "catalog.update",
        "catalog_item",
        lambda s, c, item: catalog.update_item(s, c.admin, item.id, price=9500).id,
        prepare=lambda s, c: catalog.create_item(s, c.admin, name="Ecrã A1", price=9000),
    ),
    # permissions and employees
    Case(
        "role.permissions",
        "role",
        lambda s, c, p: staff.set_role_permissions(s, c.admin, "clerk", {"edit_clients"}) or None,
    ),
    Case(
        "employee.create",
        "employee",
        lambda s, c, p: staff.add_employee(s, c.admin, "rui", "Rui Reis", "correct horse").id,
    ),
    Case(
        "employee.create",
        "employee",
        lambda s, c, p: staff.add_employee(s, None, "rui", "Rui Reis", "correct horse").id,
        who="system",  # the server's command line
    ),
    Case(
        "employee.password",
        "employee",
        lambda s, c, p: staff.set_password(s, c.admin, "carla", "new password") or c.clerk.id,
    ),
    Case(
        "employee.password",
        "employee",
        lambda s, c, p: staff.set_password(s, None, "carla", "new password") or c.clerk.id,
        who="system",
    ),
    Case(
        "employee.disable",
        "employee",
        lambda s, c, p: staff.set_active(s, c.admin, "carla", False) or c.clerk.id,
    ),
    Case(
        "employee.enable",
        "employee",
        lambda s, c, p: staff.set_active(s, c.admin, "carla", True) or c.clerk.id,
        prepare=lambda s, c: staff.set_active(s, c.admin, "carla", False),
    ),
    # sign-ins (a failure is committed too: it counts towards the lockout)
    Case(
        "sign_in",
        "employee",
        lambda s, c, p: staff.sign_in(s, "carla", "correct horse").actor_or_raise().id,
        who="clerk",
        changes=False,
    ),
    Case(
        "sign_in.failed",
        "employee",
        lambda s, c, p: staff.sign_in(s, "carla", "wrong password") and c.clerk.id,
        who="clerk",
    ),
    Case(
        "sign_in.failed",
        "employee",
        lambda s, c, p: staff.sign_in(s, HOSTILE, "whatever") and None,
        who="system",
        changes=False,
    ),
    Case(
        "sign_in.locked",
        "employee",
        lambda s, c, p: staff.sign_in(s, "carla", "wrong password") and c.clerk.id,
        prepare=lambda s, c: [
            staff.sign_in(s, "carla", "wrong password") for _ in range(staff.MAX_FAILED - 1)
        ],
        who="clerk",
    ),
    Case(
        "sign_in.refused_locked",
        "employee",
        lambda s, c, p: staff.sign_in(s, "carla", "correct horse") and c.clerk.id,
        prepare=lambda s, c: [
            staff.sign_in(s, "carla", "wrong password") for _ in range(staff.MAX_FAILED)
        ],
        who="clerk",
        changes=False,
    ),
    Case(
        "sign_in.refused_disabled",
        "employee",
        lambda s, c, p: staff.sign_in(s, "carla", "correct horse") and c.clerk.id,
        prepare=lambda s, c: staff.set_active(s, c.admin, "carla", False),
        who="clerk",
        changes=False,
    ),
]


def _case_id(case: Case) -> str:
    return f"{case.action}-{CASES.index(case)}"


def _setup(store: Store, admin: Actor) -> None:
    with store.write() as s:
        staff.add_employee(s, admin, "carla", "Carla Clerk", "correct horse", "clerk")
        clients.create_client(s, admin, _form())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A migrated SQLite store with an administrator, a clerk and a client, built once
    and copied for each test (a migration and two password hashes per test would make
    this file slow). None when the suite runs against another database."""
    if os.environ.get("REMTUI_TEST_DB_URL"):
        return None
    path = tmp_path_factory.mktemp("audit") / "template.sqlite3"
    s = Store(f"sqlite:///{path}")
    upgrade(s)
    with s.write() as session:
        admin = staff.create_first_admin(session, "admin", "Ana Admin", "correct horse")
    _setup(s, admin)
    s.close()
    return path


@pytest.fixture
def store(request: pytest.FixtureRequest, template: Path | None, tmp_path: Path) -> Iterator[Store]:
    """This file's store: a copy of the template (or the suite's store, set up alike)."""
    if template is None:
        shared: Store = request.getfixturevalue("store")
        _setup(shared, request.getfixturevalue("admin"))
        yield shared
        return
    path = tmp_path / "store.sqlite3"
    shutil.copy2(template, path)
    copy = Store(f"sqlite:///{path}")
    yield copy
    copy.close()


@pytest.fixture
def ctx(store: Store) -> Ctx:
    with store.read() as s:
        client_id = s.exec(select(Client.id)).one()
        return Ctx(
            staff.actor_for(s, "admin"),
            staff.actor_for(s, "carla"),
            client_id or 0,
            staff.cashboxes(s)[0][0],
            [w[0] for w in staff.warehouses(s) if w[2] == "shop"],
        )


def _digests(session: Session) -> dict[str, int]:
    """A digest of every table but the audit log (has the data changed?)."""
    conn = session.connection()
    found = {}
    for table in inspect(conn).get_table_names():
        if table in ("audit", "alembic_version"):
            continue
        rows = conn.execute(text(f'SELECT * FROM "{table}"')).fetchall()
        found[table] = hash(tuple(sorted(repr(tuple(r)) for r in rows)))
    return found


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_change_and_sign_in_is_audited_with_who_and_when(
    store: Store, ctx: Ctx, case: Case
) -> None:
    prepared = None
    if case.prepare is not None:
        with store.write() as s:
            prepared = case.prepare(s, ctx)
    with store.read() as s:
        before = _digests(s)
        last = s.exec(select(AuditEntry.id).order_by(AuditEntry.id.desc())).first() or 0  # type: ignore[union-attr]
    start = datetime.now(UTC)
    with store.write() as s:
        entity_id = case.run(s, ctx, prepared)
    end = datetime.now(UTC)
    with store.read() as s:
        after = _digests(s)
        new = list(s.exec(select(AuditEntry).where(AuditEntry.id > last)))
    changed = sorted(t for t in after if after[t] != before.get(t))
    assert bool(changed) == case.changes, changed
    matching = [e for e in new if e.action == case.action]
    assert len(matching) == 1, [e.action for e in new]
    entry = matching[0]
    assert entry.entity == case.entity
    if entity_id is not None:
        assert entry.entity_id == entity_id
    assert start <= entry.at <= end
    detail = json.loads(entry.detail) if entry.detail else {}
    if case.who == "system":
        assert entry.employee_id is None
        assert detail["os_user"] == audit.os_user() != ""
    else:
        expected = ctx.admin if case.who == "admin" else ctx.clerk
        assert entry.employee_id == expected.id
    # The change and its audit record are one transaction: the log names no other time.
    assert all(start <= e.at <= end for e in new)


def test_a_refused_change_writes_no_audit_record(store: Store, ctx: Ctx) -> None:
    with store.read() as s:
        count = len(audit.recent(s, limit=10_000))
    with pytest.raises(Exception), store.write() as s:  # noqa: B017
        corrections.add_correction(
            s, ctx.clerk, ctx.client_id, direction="owes_more", amount=100, reason="x"
        )
    with store.read() as s:
        assert len(audit.recent(s, limit=10_000)) == count


# --- nobody edits the log -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit SET action = 'nothing.happened'",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)",
    ],
    ids=["update", "delete-all", "delete-one"],
)
def test_the_store_refuses_to_edit_or_delete_audit_entries(
    store: Store, ctx: Ctx, sql: str
) -> None:
    with store.read() as s:
        before = [(e.id, e.action, e.detail) for e in s.exec(select(AuditEntry))]
    with pytest.raises(DatabaseError, match="append-only"), store.write() as s:
        s.connection().execute(text(sql))
    with store.read() as s:
        assert [(e.id, e.action, e.detail) for e in s.exec(select(AuditEntry))] == before


def test_the_orm_cannot_edit_an_entry_either(store: Store, ctx: Ctx) -> None:
    with pytest.raises(DatabaseError, match="append-only"), store.write() as s:
        entry = s.exec(select(AuditEntry)).first()
        assert entry is not None
        entry.employee_id = None
        entry.action = "sign_in"
        s.add(entry)
        s.flush()
    with pytest.raises(DatabaseError, match="append-only"), store.write() as s:
        entry = s.exec(select(AuditEntry)).first()
        s.delete(entry)
        s.flush()


# --- remtui audit -----------------------------------------------------------------------------


def _audit_out(store: Store, **kwargs: Any) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_audit(store.url, out=out, **kwargs)
    return code, out.getvalue().splitlines()


def test_remtui_audit_lists_newest_first_with_who_when_and_details(
    store: Store, ctx: Ctx, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.write() as s:
        other = clients.create_client(s, ctx.admin, clients.ClientForm(name="Rui Costa"))
        _advance(s, ctx, 1234)
        wo = _doc(s, ctx, "work_order", "in_progress", "ready", "closed")
        payments.take_payment(s, ctx.admin, other.id, cashbox_id=ctx.cashbox, amount=99)
        staff.sign_in(s, HOSTILE, "whatever")
    code, lines = _audit_out(store, limit=3)
    assert code == 0
    assert lines[0].split("\t") == ["Time", "Employee", "Action", "Entity", "Details"]
    rows = [ln.split("\t") for ln in lines[1:]]
    assert [r[2] for r in rows] == ["sign_in.failed", "payment.advance", "document.status"]
    assert all(len(r) == 5 for r in rows)
    datetime.strptime(rows[0][0], "%Y-%m-%d %H:%M:%S")
    assert rows[0][1] == "-" and f"os_user={audit.os_user()}" in rows[0][4]
    assert rows[1][1] == "admin" and "amount=99" in rows[1][4]
    assert "Older entries are not shown" in capsys.readouterr().err
    # Nothing from outside reaches the terminal as a control character.
    shown = "\n".join(lines)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "[bold]x[/]" in shown

    # --client: everything about that client (its documents' status changes too), only it.
    code, lines = _audit_out(store, client_id=ctx.client_id, limit=1000)
    actions = [ln.split("\t")[2] for ln in lines[1:]]
    assert code == 0
    assert actions == [
        "document.status",
        "document.status",
        "document.status",
        "document.create",
        "payment.advance",
        "client.create",
    ]
    assert all(f"document {wo.id}" in ln for ln in lines[1:5])

    # --employee: only that employee's entries.
    code, lines = _audit_out(store, employee="carla")
    assert code == 0 and lines[1:] == []
    code, lines = _audit_out(store, employee="admin", limit=1000)
    assert code == 0 and all(ln.split("\t")[1] == "admin" for ln in lines[1:])
    assert "sign_in.failed" not in "\n".join(lines)


def test_remtui_audit_says_what_is_wrong(store: Store, ctx: Ctx, tmp_path: Any) -> None:
    code, lines = _audit_out(store, employee="nobody")
    assert code == 1 and lines == ["No employee with the login nobody."]
    code, lines = _audit_out(store, limit=0)
    assert code == 1
    missing = f"sqlite:///{tmp_path / 'nothing-here.sqlite3'}"
    out = io.StringIO()
    assert run_audit(missing, out=out) == 1
    assert "No store at" in out.getvalue()
    assert not (tmp_path / "nothing-here.sqlite3").exists()


def test_the_audit_screen_and_command_need_the_right_to_manage_employees(
    store: Store, ctx: Ctx
) -> None:
    from remtui.errors import PermissionDenied

    with store.read() as s:
        assert audit.entries(s, ctx.admin, limit=5).rows
        assert audit.entries(s, None, limit=5).rows  # the server's command line
        with pytest.raises(PermissionDenied):
            audit.entries(s, ctx.clerk, limit=5)


def test_remtui_audit_does_not_load_the_screen_stack(store: Store, ctx: Ctx) -> None:
    """Like `remtui check` and `backup`, reading the audit at the command line never
    imports Textual or Rich."""
    import subprocess
    import sys

    code = (
        "import sys, io\n"
        "from remtui.commands.audit import run_audit\n"
        f"assert run_audit({store.url!r}, client_id={ctx.client_id}, out=io.StringIO()) == 0\n"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_remtui_audit_pages_through_long_logs(store: Store, ctx: Ctx) -> None:
    with store.write() as s:
        for i in range(audit.MAX_PAGE + 50):
            audit.record(s, ctx.admin.id, "test.entry", "thing", i)
    code, lines = _audit_out(store, limit=audit.MAX_PAGE + 20)
    assert code == 0 and len(lines) == 1 + audit.MAX_PAGE + 20
    ids = [int(ln.split("\t")[3].split()[1]) for ln in lines[1:]]
    assert ids == list(range(audit.MAX_PAGE + 49, 29, -1))
