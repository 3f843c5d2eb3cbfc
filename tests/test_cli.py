"""The command line: demo, users, backup; none of them import Textual."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from remtui.domain import clients, staff
from remtui.store.engine import Store

from . import forks


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return forks.remtui(args, stdin=stdin)  # a process of its own (see tests/forks.py)


def dump(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT c.name, c.email, c.tax_id, p.e164 FROM client c "
            "LEFT JOIN client_phone p ON p.client_id = c.id AND p.position = 0 ORDER BY c.id"
        ).fetchall()


def test_demo_is_built_once_and_the_same_every_time(tmp_path):
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    first = run("demo", "--no-ui", "--db", str(a))
    assert first.returncode == 0, first.stderr
    assert "demo store ready" in first.stderr
    again = run("demo", "--no-ui", "--db", str(a))
    assert again.returncode == 0 and "demo store ready" not in again.stderr
    assert run("demo", "--no-ui", "--db", str(b)).returncode == 0
    rows = dump(a)
    assert len(rows) == 300 and rows == dump(b)
    history = (
        "SELECT number, total, status, created_at FROM document ORDER BY id",
        "SELECT amount, balance_after, kind, at FROM ledger_entry ORDER BY id",
        "SELECT count(*) FROM lead UNION ALL SELECT count(*) FROM asset "
        "UNION ALL SELECT count(*) FROM phone_call UNION ALL SELECT count(*) FROM "
        "sms_message UNION ALL SELECT count(*) FROM chat_message",
    )
    for sql in history:
        with sqlite3.connect(a) as ca, sqlite3.connect(b) as cb:
            got = ca.execute(sql).fetchall()
            assert got == cb.execute(sql).fetchall() and got, sql
    assert run("--db", str(a), "check").returncode == 0
    assert any("ã" in name or "ç" in name for name, *_ in rows)
    assert all(phone.startswith("+351") for *_, phone in rows)


def test_demo_refuses_a_real_store(tmp_path, store, admin):
    result = run("demo", "--no-ui", "--db", str(store.path))
    assert result.returncode != 0 and "not a demo" in (result.stderr + result.stdout)


def test_large_store_for_benchmarks(tmp_path):
    db = tmp_path / "big.sqlite3"
    assert run("demo", "--no-ui", "--clients", "2000", "--db", str(db)).returncode == 0
    s = Store(f"sqlite:///{db}")
    with s.read() as session:
        assert len(clients.search_clients(session, "", limit=500).hits) == 500
        hits = clients.search_clients(session, "silva", limit=500).hits
        assert hits and all("silva" in (h.name + h.email).lower() for h in hits)
    s.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM client").fetchone()[0] == 2000
        assert conn.execute("SELECT count(*) FROM client_fts").fetchone()[0] == 2000


def test_user_commands(store, admin):
    db = str(store.path)
    added = run(
        "--db",
        db,
        "user",
        "add",
        "rui",
        "--name",
        "Rui Reis",
        "--role",
        "clerk",
        "--password-stdin",
        stdin="password-rui\n",
    )
    assert added.returncode == 0, added.stderr
    listed = run("--db", db, "user", "list").stdout
    assert "rui\tRui Reis\tclerk\tactive" in listed
    assert run("--db", db, "user", "disable", "rui").returncode == 0
    assert "rui\tRui Reis\tclerk\tdisabled" in run("--db", db, "user", "list").stdout
    assert (
        run(
            "--db", db, "user", "passwd", "rui", "--password-stdin", stdin="another-pass\n"
        ).returncode
        == 0
    )
    with store.write() as session:
        assert staff.sign_in(session, "rui", "another-pass").error == "This employee is disabled."


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("user", "add", "x", "--name", "X", "--password-stdin"), "short\n", "at least 8"),
        (
            ("user", "add", "x", "--name", "X", "--role", "boss", "--password-stdin"),
            "longenough\n",
            "No such role",
        ),
        (("user", "disable", "nobody"), None, "No employee"),
    ],
)
def test_user_command_errors(store, admin, args, stdin, message):
    result = run("--db", str(store.path), *args, stdin=stdin)
    assert result.returncode == 1 and message in result.stderr


def test_backup_is_a_consistent_private_copy(tmp_path, store, make_client):
    make_client("Ana", "912345678")
    dest = tmp_path / "backups" / "copy.sqlite3"
    result = run("--db", str(store.path), "backup", str(dest))
    assert result.returncode == 0, result.stderr
    assert dump(dest) == dump(store.path)
    assert dest.stat().st_mode & 0o007 == 0
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_bad_config_exits_with_a_message(tmp_path):
    (tmp_path / "config.toml").write_text('language = "xx"\n')
    result = run("locate", "db")
    assert result.returncode == 2 and "configuration" in result.stderr


def test_comms_commands(tmp_path, store, make_client):
    rec = make_client("Ana", "912345678")
    db = str(store.path)
    csv = tmp_path / "calls.csv"
    csv.write_text(
        "time,direction,number,duration,recording\n"
        "2026-11-20T10:00:00Z,incoming,912 345 678,65,https://pbx.example/1.mp3\n"
        "2026-11-20T11:00:00Z,outgoing,+351 912 345 678,1:05,\n"
    )
    first = run("--db", db, "calls", "import", str(csv))
    assert first.returncode == 0 and "2 imported" in first.stdout, first.stdout + first.stderr
    again = run("--db", db, "calls", "import", str(csv))
    assert again.returncode == 0 and "2 already there" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("time,direction,number,duration,recording\nyesterday,sideways,x,?,\n")
    assert run("--db", db, "calls", "import", str(bad)).returncode == 1
    line = '{"channel": "whatsapp", "phone": "912345678", "text": "Olá"}\n'
    assert run("--db", db, "chat", "receive", stdin=line).returncode == 0
    assert run("--db", db, "chat", "receive", stdin="{not json\n").returncode == 1
    queued = run("--db", db, "sms", "send")
    assert queued.returncode == 0 and "queued" in queued.stdout
    with sqlite3.connect(store.path) as conn:
        assert (
            conn.execute(
                "SELECT count(*) FROM phone_call WHERE client_id = ?", (rec.id,)
            ).fetchone()[0]
            == 2
        )
        assert conn.execute("SELECT count(*) FROM chat_message").fetchone()[0] == 1


def test_check_and_export_commands(tmp_path, store, admin, make_client):
    from remtui.domain import corrections

    rec = make_client("Ana", "912345678")
    with store.write() as session:
        corrections.add_correction(
            session, admin, rec.id, direction="owes_more", amount=1234, reason="x"
        )
    db = str(store.path)
    assert run("--db", db, "check").returncode == 0
    out = tmp_path / "ana.xlsx"
    result = run("--db", db, "export", "statement", str(rec.id), "-o", str(out))
    assert result.returncode == 0 and result.stdout.strip() == str(out)
    assert out.stat().st_size > 0
    assert run("--db", db, "export", "statement", "999", "-o", str(out)).returncode == 1
    assert (
        run("--db", db, "export", "statement", "1", "--from", "31/02", "-o", str(out)).returncode
        == 2
    )


@pytest.mark.sqlite_only("SQLite paths on the command line")
def test_db_is_accepted_anywhere_on_the_line(tmp_path, store, admin, make_client):
    rec = make_client("Ana", "912345678")
    db = str(store.path)
    out = tmp_path / "ana.xlsx"
    for args in (
        ("export", "statement", str(rec.id), "--db", db, "-o", str(out)),
        ("export", "--db", db, "statement", str(rec.id), "-o", str(out)),
        ("--db", "/nowhere/else.sqlite3", "export", "statement", str(rec.id), "--db", db,
         "-o", str(out)),
    ):  # fmt: skip
        result = run(*args)
        assert result.returncode == 0 and result.stdout.strip() == str(out), (args, result.stderr)
    assert "admin\tAna Admin" in run("user", "list", "--db", db).stdout
    assert "admin\tAna Admin" in run("user", "--db", db, "list").stdout
    assert run("check", "--db", db).returncode == 0
    assert run("audit", "--limit", "1", "--db", db).returncode == 0
    line = '{"channel": "whatsapp", "phone": "912345678", "text": "Olá"}\n'
    assert run("chat", "receive", "--db", db, stdin=line).returncode == 0
    assert run("sms", "send", "--db", db).returncode == 0
    assert run("locate", "db", "--db", db).stdout.strip() == db


def test_db_before_demo_is_where_the_demo_goes(tmp_path):
    db = tmp_path / "elsewhere" / "demo.sqlite3"
    result = run("--db", str(db), "demo", "--no-ui", "--clients", "5")  # where, not what
    assert result.returncode == 0, result.stderr
    assert f"demo store ready: {db}" in result.stderr
    assert db.exists() and not (tmp_path / "data" / "demo.sqlite3").exists()
    refused = run("--db", "postgresql+psycopg://x@127.0.0.1/y", "demo", "--no-ui")
    assert refused.returncode == 1 and "the demo store is a SQLite file" in refused.stderr


def test_locate_db_prints_the_file_for_sqlite(tmp_path, monkeypatch):
    default = run("locate", "db")
    assert default.stdout.strip() == str(tmp_path / "data" / "store.sqlite3")
    assert run("--db", "shop.sqlite3", "locate", "db").stdout.strip() == str(
        (Path.cwd() / "shop.sqlite3").resolve()
    )
    url = "postgresql+psycopg://remtui@dbhost/remtui"
    assert run("--db", url, "locate", "db").stdout.strip() == url


@pytest.mark.sqlite_only("SQLite source for migrate-store")
def test_the_readme_recipes_take_what_locate_prints(tmp_path, store, make_client):
    make_client("Ana", "912345678")
    located = run("--db", str(store.path), "locate", "db").stdout.strip()
    assert Path(located) == store.path
    target = tmp_path / "copy.sqlite3"
    copied = run("migrate-store", "--from", located, "--to", f"sqlite:///{target}")
    assert copied.returncode == 0, copied.stdout + copied.stderr
    assert dump(target) == dump(store.path)
    # Without --from: the store --db names.
    again = tmp_path / "again.sqlite3"
    result = run("--db", located, "migrate-store", "--to", f"sqlite:///{again}")
    assert result.returncode == 0 and dump(again) == dump(store.path), result.stdout


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "3000-01-01", "1899-12-31"])
def test_export_dates_out_of_range_are_a_clear_error(tmp_path, day):
    out = tmp_path / "x.xlsx"
    for option in ("--to", "--from"):
        result = run("export", "statement", "1", option, day, "-o", str(out))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"{day} is out of range: use a date from" in result.stderr, result.stderr
    assert not out.exists()


def test_export_statement_refuses_out_of_range_dates_when_called_directly(tmp_path, store):
    import io
    from datetime import date

    from remtui.commands.export import run_export_statement

    err = io.StringIO()
    code = run_export_statement(
        store.url, 1, None, date(9999, 12, 31), tmp_path / "x.xlsx", err=err
    )
    assert code == 1 and "9999-12-31 is out of range" in err.getvalue()
