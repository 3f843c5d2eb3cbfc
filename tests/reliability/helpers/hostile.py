"""A store whose every free-text column holds escape sequences, written by SQL (as a
restored copy, another tool or a gateway would), and the byte patterns that must never
reach the terminal from it.

The columns are found from the schema (SQLModel's metadata: every String/Text column of
every table), so a column added later is poisoned too. Only the columns the app parses
or keys on are left as the domain wrote them, each with its reason (``SKIP``); the test
fails when one of those names no longer exists, so the list cannot rot.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from remtui.config import DEMO_LOGIN

# One payload per cell: OSC 0 (title) ended by BEL and by ST, OSC 8 (hyperlink), OSC 52
# (clipboard), CSI, C1 CSI (U+009B), a bidi override (U+202E), NUL, and markup that would
# quit the app if it were parsed. Each sequence carries its own marker, so a raw one is
# found in the terminal's bytes without confusing it with the app's own escape codes.
PAYLOAD = (
    "[@click=app.quit]Q[/] \x1b]0;PWNED-BEL\x07 \x1b]0;PWNED-ST\x1b\\ "
    "\x1b]8;;http://evil.example/\x1b\\LINK\x1b]8;;\x1b\\ \x1b]52;c;UFdORUQ=\x07 "
    "\x1b[41mCSIRAW \x9b2J \u202eEVIL \x00NUL 宽字符 😀 مرحبا"
)
LONG = "W" * 10_000  # appended to these, after the payload
LONG_COLUMNS = (("client", "notes"), ("chat_message", "text"))

# What the app's output must not hold: each payload sequence as raw bytes. (The app's own
# output is full of CSI and some OSC 8 and OSC 22 codes, and a BEL may ring; none is next
# to these markers. U+009B, U+202E and NUL are never written by Textual itself.)
FORBIDDEN = {
    "OSC 0 (title)": b"\x1b]0;PWNED",
    "OSC 8 (hyperlink)": b"\x1b]8;;http://evil.example",
    "OSC 52 (clipboard)": b"\x1b]52;",
    "CSI": b"\x1b[41mCSIRAW",
    "C1 CSI U+009B": "\x9b".encode(),
    "bidi override U+202E": "\u202e".encode(),
    "NUL": b"\x00",
    "BEL after the OSC 0": b"PWNED-BEL\x07",
    "ST after the OSC 0": b"PWNED-ST\x1b\\",
}

# Columns left as the domain wrote them, and why (table, column) -> reason.
SKIP: dict[tuple[str, str], str] = {
    ("employee", "password_hash"): "an argon2 hash: parsed at sign-in, never shown",
    ("role", "name"): "the key employees' roles refer to",
    ("role", "permissions"): "a parsed list of permission names",
    ("store_meta", "key"): "store flags (schema, demo) the app looks up by key",
    ("store_meta", "value"): "store flags (demo built) the app parses",
    ("number_sequence", "series"): "the key of a document-number series, never shown",
    ("catalog_item", "name_key"): "the folded name the type-ahead matches, never shown",
    ("client", "search_key"): "the folded search text, derived and never shown",
    ("client", "sort_key"): "the folded sort text, derived and never shown",
    ("client_digits", "digits"): "the phone-digit search index, derived",
    ("client_phone", "digits"): "the number's digits, derived and matched by search",
    ("client_phone", "e164"): "an E.164 number, parsed and formatted wherever it is shown",
    ("asset", "serial_key"): "the folded serial that keeps serials unique, never shown",
    ("phone_call", "number_e164"): "an E.164 number, parsed and formatted when shown",
    ("phone_call", "external_key"): "the import's duplicate key, never shown",
    ("sms_message", "number_e164"): "an E.164 number, parsed and formatted when shown",
    ("sms_message", "claim_token"): "the sender's claim token, never shown",
    # Enumerations: the app branches on their values (and shows its own label for each).
    ("client", "kind"): "enum person/company",
    ("catalog_item", "kind"): "enum service/product",
    ("warehouse", "kind"): "enum shop/client",
    ("chat", "channel"): "enum of channels",
    ("chat", "status"): "enum open/closed",
    ("chat_message", "author_kind"): "enum client/employee",
    ("lead", "status"): "enum of lead statuses",
    ("lead", "lost_reason"): "enum of lost reasons",
    ("lead_status_change", "from_status"): "enum of lead statuses",
    ("lead_status_change", "to_status"): "enum of lead statuses",
    ("document", "kind"): "enum work_order/sale/estimate",
    ("document", "status"): "enum of document statuses",
    ("document_status_change", "from_status"): "enum of document statuses",
    ("document_status_change", "to_status"): "enum of document statuses",
    ("document_line", "discount_kind"): "enum none/percent/amount",
    ("ledger_entry", "kind"): "enum of movement kinds",
    ("ledger_entry", "source_type"): "enum of the records a movement comes from",
    ("payment", "direction"): "enum in/out",
    ("phone_call", "direction"): "enum incoming/outgoing/missed",
    ("sms_message", "status"): "enum of SMS statuses",
    ("audit", "action"): "the action's code: `remtui check` finds a record's audit by it",
    ("audit", "entity"): "the kind of record: `remtui check` finds a record's audit by it",
}
# Rows left alone in a poisoned column, and why.
KEEP_ROWS: dict[tuple[str, str], tuple[str, str]] = {
    ("employee", "login"): (f"login = '{DEMO_LOGIN}'", "the login the app signs in with"),
    ("audit", "detail"): (
        "action = 'balance.correction'",
        "`remtui check` reads a correction's amounts from its audit detail (JSON)",
    ),
}


def build(path: Path) -> int:
    """A store with a row in every table that holds text (through the domain, with plain
    text), signed in as the demo administrator; returns the client's id."""
    from remtui.domain import (
        assets,
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
    from remtui.store.engine import Store
    from remtui.store.migrate import upgrade
    from remtui.store.tables import Meta

    store = Store(f"sqlite:///{path}")
    upgrade(store)
    with store.write() as s:
        admin = staff.create_first_admin(s, DEMO_LOGIN, "Admin", "demo-admin")
        staff.add_employee(s, admin, "rui", "Rui", "demo-rui-1", "clerk")
        cid = clients.create_client(
            s,
            admin,
            clients.ClientForm(
                name="Zé Hostil",
                phones=(clients.PhoneInput("912345678", "mobile"),),
                email="ze@exemplo.pt",
                address="Rua 1",
                company_name="Empresa",
                marketing_source="Google",
                notes="notes",
                conflicted=True,
            ),
        ).id
        box = staff.cashboxes(s)[0][0]
        item = catalog.create_item(s, admin, name="Ecrã", price=1000)
        wo = documents.create_document(
            s,
            admin,
            cid,
            "work_order",
            [
                documents.LineInput(
                    description="Ecrã", quantity="1", unit_price=1000, item_id=item.id
                )
            ],
            comment="comment",
        )
        documents.change_status(s, admin, wo.id, "in_progress", note="note")
        payments.take_payment(
            s, admin, cid, cashbox_id=box, amount=500, document_id=wo.id, note="note"
        )
        corrections.add_correction(s, admin, cid, direction="owes_more", amount=100, reason="why")
        lead = leads.create_lead(s, admin, cid, leads.LeadForm(description="d", channel="c"))
        leads.start_work(s, admin, lead.id, lead.version)
        assets.create_asset(
            s,
            admin,
            cid,
            assets.AssetForm(serial="SN-1", kind="Phone", brand="Brand", model="M", notes="n"),
            staff.warehouses(s)[0][0],
        )
        calls.log_call(
            s, admin, cid, direction="incoming", duration=30, recording="https://pbx/r.wav"
        )
        sms.queue_sms(s, admin, cid, "+351912345678", "sms")
        chats.receive_messages(
            s, [json.dumps({"channel": "whatsapp", "client_id": cid, "text": "olá"})]
        )
        s.merge(Meta(key="demo", value="built"))  # so `remtui demo --db` opens it signed in
    store.close()
    return cid


def _tables() -> list[sa.Table]:
    import importlib
    import pkgutil

    from sqlmodel import SQLModel

    import remtui.store.tables as tables

    for module in pkgutil.iter_modules(tables.__path__):
        importlib.import_module(f"{tables.__name__}.{module.name}")
    return list(SQLModel.metadata.sorted_tables)


def text_columns() -> list[tuple[str, str]]:
    """(table, column) of every String/Text column in the schema."""
    return [
        (table.name, column.name)
        for table in _tables()
        for column in table.columns
        if isinstance(column.type, sa.String)
    ]


def poisoned_columns() -> list[tuple[str, str]]:
    return [c for c in text_columns() if c not in SKIP]


def poison(db: Path) -> dict[tuple[str, str], int]:
    """Write PAYLOAD (plus the row id, for unique columns) into every poisoned column of
    every row, by SQL. Append-only tables (ledger, audit) refuse UPDATE with a trigger:
    it is dropped for the update and put back, as another tool could do. Returns the
    number of rows written per column."""
    conn = sqlite3.connect(db, isolation_level=None)
    written: dict[tuple[str, str], int] = {}
    try:
        conn.execute("BEGIN IMMEDIATE")
        by_table: dict[str, list[str]] = {}
        for table, column in poisoned_columns():
            by_table.setdefault(table, []).append(column)
        for table, columns in by_table.items():
            triggers = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                "AND sql LIKE '%BEFORE UPDATE%'",
                (table,),
            ).fetchall()
            for name, _sql in triggers:
                conn.execute(f'DROP TRIGGER "{name}"')
            for column in columns:
                keep, _why = KEEP_ROWS.get((table, column), ("0", ""))
                cursor = conn.execute(
                    f'UPDATE "{table}" SET "{column}" = ? || \' #\' || rowid WHERE NOT ({keep})',
                    (PAYLOAD,),
                )
                written[(table, column)] = cursor.rowcount
                if (table, column) in LONG_COLUMNS:
                    conn.execute(f'UPDATE "{table}" SET "{column}" = "{column}" || ?', (LONG,))
            for _name, sql in triggers:
                conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return written


def chat_lines(client_id: int) -> str:
    """`remtui chat receive` input: a good line and a bad phone, both hostile."""
    return "\n".join(
        [
            json.dumps({"channel": "whatsapp", "client_id": client_id, "text": PAYLOAD}),
            json.dumps({"channel": "whatsapp", "phone": "91" + PAYLOAD, "text": "x"}),
        ]
    )


def calls_csv(number: str) -> str:
    """`remtui calls import` input: a good row and a hostile number."""
    bad = PAYLOAD.replace("\x00", "").replace('"', "")
    return (
        "time,direction,number,duration,recording\n"
        f'2026-11-20T09:15:00Z,incoming,"{bad}",5,\n'
        f'2026-11-20T09:16:00Z,incoming,{number},5,"{bad}"\n'
    )


# Textual's own OSC 22 (the mouse pointer's shape) ends with BEL.
_POINTER = re.compile(rb"\x1b\]22;[a-z-]*\x07")


def forbidden_in(data: bytes) -> dict[str, int]:
    """How many times each forbidden sequence occurs in ``data`` (only those found)."""
    data = _POINTER.sub(b"", data)
    return {name: data.count(pattern) for name, pattern in FORBIDDEN.items() if pattern in data}
