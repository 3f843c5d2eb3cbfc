"""The command line never prints data raw: a phone number, a message or a name that holds
escape sequences is echoed with its controls shown as symbols (safe_text), and text that
comes in from outside is stored cleaned (clean_input), as the forms store it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from remtui.domain import chats

# ST-terminated and BEL-terminated OSC (title, hyperlink, clipboard), CSI, C1 CSI, bidi.
ESCAPES = (
    "\x1b]0;PWNED\x1b\\",
    "\x1b]8;;http://evil.example/\x07",
    "\x1b]52;c;UFdORUQ=\x07",
    "\x1b[2J",
    "\x9b31m",
    "\u202e",
)
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\x00")


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "remtui", *args],
        input=stdin.encode() if stdin is not None else None,
        capture_output=True,
        timeout=300,
    )


def assert_clean(done: subprocess.CompletedProcess[bytes]) -> str:
    out = (done.stdout + done.stderr).decode("utf-8")
    assert not [c for c in RAW if c in out], out
    return out


def test_chat_receive_echoes_a_bad_phone_safely_and_stores_clean_text(store, admin, make_client):
    rec = make_client("Ana Silva", "912345678")
    hostile = "".join(ESCAPES)
    lines = [
        json.dumps({"channel": "whatsapp", "phone": "91" + hostile, "text": "olá"}),
        json.dumps({"channel": "whatsapp", "client_id": rec.id, "text": "a" + hostile + "b"}),
    ]
    done = run("--db", str(store.path), "chat", "receive", "--skip-bad", stdin="\n".join(lines))
    out = assert_clean(done)
    assert "Line 1" in out and "␛]0;PWNED" in out  # the bad number is quoted, visibly
    with store.read() as session:
        [chat] = chats.list_chats(session, admin, rec.id)
        [message] = chats.messages(session, admin, chat.id).messages
    assert not [c for c in RAW if c in message.text]
    assert message.text.startswith("a]0;PWNED") and message.text.endswith("b")


def test_calls_import_echoes_a_bad_phone_safely(store, make_client, tmp_path):
    make_client("Ana Silva", "912345678")
    csv = tmp_path / "calls.csv"
    number = "91\x1b]0;PWNED\x07\u202e"
    csv.write_text(
        "time,direction,number,duration\n"
        f'2026-11-20T09:15:00Z,incoming,"{number}",5\n'
        "2026-11-20T09:16:00Z,incoming,912345678,5\n",
        encoding="utf-8",
    )
    done = run("--db", str(store.path), "calls", "import", str(csv), "--skip-bad")
    out = assert_clean(done)
    assert "Line 2" in out and "␛]0;PWNED␇<U+202E>" in out


def test_user_list_shows_a_name_written_by_sql_safely(store, admin):
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            "UPDATE employee SET name = ? WHERE id = ?", ("Ana\x1b]0;PWNED\x07\x9b2J", admin.id)
        )
    done = run("--db", str(store.path), "user", "list")
    out = assert_clean(done)
    assert "Ana␛]0;PWNED␇<U+009B>2J" in out
