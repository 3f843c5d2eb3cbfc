"""A store whose every text field is hostile, opened screen by screen in a real terminal.

Nothing may crash, change the pane's title, reach the terminal as an escape sequence, or
run an action (the `[@click=app.quit]` in every name would quit the app if it were markup).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from remtui.config import DEMO_LOGIN
from remtui.domain import (
    assets,
    calls,
    chats,
    clients,
    corrections,
    documents,
    leads,
    payments,
    sms,
    staff,
)
from remtui.store.engine import Store
from remtui.store.migrate import upgrade
from remtui.store.tables import Meta
from tests.e2e.test_terminal import Pane, _need_tmux

from .conftest import REMTUI, cli_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HOSTILE = (
    "[@click=app.quit]Q[/] [b]B[/b] [link='http://x']L[/link] \x1b]0;PWNED\x07"
    "\x1b[31mRED \x9b2J \u202eEVIL 宽字符 😀 مرحبا"
)
LONG = "W" * 10_000


def _build(path: Path) -> int:
    store = Store(f"sqlite:///{path}")
    upgrade(store)
    with store.write() as s:
        admin = staff.create_first_admin(s, DEMO_LOGIN, "Admin " + HOSTILE[:60], "demo-admin")
        cid = clients.create_client(
            s,
            admin,
            clients.ClientForm(
                name="Zé " + HOSTILE,
                phones=(clients.PhoneInput("912345678", HOSTILE[:30]),),
                email="ze@exemplo.pt",
                address=HOSTILE,
                company_name=HOSTILE[:200],
                marketing_source=HOSTILE[:100],
                notes=HOSTILE + LONG[:9000],
                conflicted=True,
            ),
        ).id
        box = staff.cashboxes(s)[0][0]
        wo = documents.create_document(
            s,
            admin,
            cid,
            "work_order",
            [documents.LineInput(description=HOSTILE, quantity="1", unit_price=1000)],
            comment=HOSTILE,
        )
        payments.take_payment(
            s, admin, cid, cashbox_id=box, amount=500, document_id=wo.id, note=HOSTILE
        )
        corrections.add_correction(s, admin, cid, direction="owes_more", amount=100, reason=HOSTILE)
        lead = leads.create_lead(
            s, admin, cid, leads.LeadForm(description=HOSTILE, channel=HOSTILE[:40])
        )
        del lead
        assets.create_asset(
            s,
            admin,
            cid,
            assets.AssetForm(
                serial="SN-HOSTILE-1",
                kind=HOSTILE[:40],
                brand="Brand",
                model=HOSTILE[:40],
                notes=HOSTILE,
            ),
            staff.warehouses(s)[0][0],
        )
        calls.log_call(
            s,
            admin,
            cid,
            direction="incoming",
            duration=30,
            recording="javascript:alert(1)\x1b]0;PWNED\x07",
        )
        sms.queue_sms(s, admin, cid, "+351912345678", HOSTILE[:150])
        chats.receive_messages(
            s, [json.dumps({"channel": "whatsapp", "client_id": cid, "text": HOSTILE + LONG})]
        )
        s.merge(Meta(key="demo", value="built"))  # so `remtui demo --db` opens it signed in
    store.close()
    return cid


def _title(pane: Pane) -> str:
    return subprocess.run(
        ["tmux", "-L", pane.socket, "display", "-p", "-t", pane.name, "#{pane_title}"],
        capture_output=True,
        text=True,
    ).stdout.strip()


def _alive(pane: Pane) -> bool:
    out = subprocess.run(
        ["tmux", "-L", pane.socket, "display", "-p", "-t", pane.name, "#{pane_current_command}"],
        capture_output=True,
        text=True,
    ).stdout
    return "sleep" not in out  # the app's command, not the shell's sleep after it exits


def test_every_screen_with_hostile_data(tmp_path):
    _need_tmux()
    db = tmp_path / "hostile.sqlite3"
    _build(db)
    env = cli_env(tmp_path / "home")
    env["REMTUI_EXPORT_DIR"] = str(tmp_path / "exports")
    status = tmp_path / "status"
    pane = Pane(f"{REMTUI} demo --db {db}; echo $? > {status}; sleep 60", (120, 40), env)
    try:
        subprocess.run(
            ["tmux", "-L", pane.socket, "select-pane", "-t", pane.name, "-T", "clerk-title"],
            check=True,
        )
        before = _title(pane)
        pane.wait_for("1 client.", timeout=60)
        pane.keys("ze")
        pane.wait_for("[@click=app.quit]Q[/]")  # shown as text, not run as an action
        pane.keys("Enter")
        pane.wait_for("General F2")
        visited = []
        for key in (
            "F3",
            "c",
            "Escape",
            "e",
            "F4",
            "Enter",
            "Escape",
            "n",
            "Escape",
            "F5",
            "Enter",
            "Escape",
            "n",
            "Escape",
            "F6",
            "Enter",
            "Escape",
            "F7",
            "Enter",
            "Escape",
            "F8",
            "F9",
            "F9",
            "Enter",
            "Escape",
            "Escape",
            "F2",
            "F1",
            "Escape",
            "Escape",
        ):
            pane.keys(key)
            time.sleep(0.6)
            visited.append(key)
            assert _alive(pane), f"the app stopped after {visited}"
            assert _title(pane) == before, f"the pane title changed after {visited}"
            assert "PWNED" not in _title(pane)
        exports = list((tmp_path / "exports").glob("*.xlsx"))
        assert exports, "the export did not run"
        pane.keys("C-q")
        deadline = time.monotonic() + 15
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
    finally:
        pane.close()
    check = subprocess.run(
        [str(REMTUI), "--db", str(db), "check"], capture_output=True, text=True, env=env
    )
    assert check.returncode == 0, check.stdout + check.stderr
