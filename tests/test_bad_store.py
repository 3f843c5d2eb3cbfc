"""A store that is not what the command line expects: one clear line, never a traceback,
never a silent new store, never a damaged backup, never half a write."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import event

from remtui.errors import DiskFull, StoreError
from remtui.store.engine import Store, open_store, store_problem
from remtui.store.migrate import backup_sqlite, head_revision

from . import forks

pytestmark = pytest.mark.sqlite_only("SQLite files, damaged on purpose")

REMTUI = Path(sys.executable).with_name("remtui")


def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    # A process of its own, forked with remtui already imported (tests/forks.py).
    return forks.remtui(args, stdin=stdin, env={**os.environ, **env})


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line of output, and no traceback."""
    assert result.returncode != 0, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0] and "sqlalche.me" not in lines[0], lines
    return lines[0]


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def whole_file(store: Store) -> Path:
    """The store closed and checkpointed: its main file holds everything."""
    assert store.path is not None
    store.close()
    with closing(sqlite3.connect(store.path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return store.path


def garble_table(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with noise: the file still opens (its schema
    is sound), but the table is damaged (quick_check finds it)."""
    with closing(sqlite3.connect(path)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        page = root.fetchone()[0]
    with path.open("r+b") as fh:
        fh.seek((page - 1) * page_size)
        fh.write(b"\xa5\x5a" * (page_size // 2))


COMMANDS = [
    ("user", "list"),
    ("check",),
    ("audit",),
    ("export", "statement", "1", "-o", "{tmp}/out.xlsx"),
    ("backup", "{tmp}/copy.sqlite3"),
    ("calls", "import", "-"),
    ("chat", "receive"),
    ("sms", "send"),
]


@pytest.fixture
def bad_stores(tmp_path: Path, sqlite_store: Store, make_client) -> dict[str, tuple[str, str]]:
    """Each kind of bad store: its --db, and what the line must say."""
    make_client("Ana", "912345678")
    good = whole_file(sqlite_store)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("these are not the droids\n" * 50)
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(good.read_bytes()[:5000])
    header = tmp_path / "header.sqlite3"
    damaged = bytearray(good.read_bytes())
    damaged[100:4096] = b"\xa5" * (4096 - 100)  # the schema's own page
    header.write_bytes(bytes(damaged))
    return {
        "folder": (str(folder), "is a folder, not a store"),
        "text": (str(text), "is not a remtui store (it is not a SQLite database)"),
        "truncated": (str(truncated), "is damaged"),
        "schema page": (str(header), "is damaged"),
        "unreachable": (
            f"postgresql+psycopg://remtui@127.0.0.1:{closed_port()}/shop",
            "Cannot reach the PostgreSQL store",
        ),
        "unknown scheme": ("mysqlx://shop/db", "Unknown kind of store: mysqlx://"),
        "not a URL": ("://", "Not a store path or URL"),
    }


@pytest.mark.parametrize("kind", ["folder", "text", "truncated", "schema page", "unreachable",
                                  "unknown scheme", "not a URL"])  # fmt: skip
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_bad_store_is_one_clear_line(tmp_path, bad_stores, kind, command):
    db, says = bad_stores[kind]
    args = [a.format(tmp=tmp_path) for a in command]
    line = one_clear_line(run("--db", db, *args, stdin=""))
    if command[0] == "backup" and kind == "unreachable":
        assert "pg_dump" in line
    else:
        assert says in line, line
    assert not (tmp_path / "out.xlsx").exists() and not (tmp_path / "copy.sqlite3").exists()


@pytest.mark.parametrize("command", [*COMMANDS, ("user", "disable", "ana")],
                         ids=lambda c: " ".join(c[:2]))  # fmt: skip
def test_a_missing_store_is_not_made(tmp_path, command):
    typo = tmp_path / "shpo.sqlite3"
    args = [a.format(tmp=tmp_path) for a in command]
    line = one_clear_line(run("--db", str(typo), *args, stdin=""))
    assert f"No store at {typo}" in line, line
    assert not typo.exists() and not list(tmp_path.glob("shpo*"))


def test_user_add_makes_a_new_store_and_says_so_but_not_for_a_bad_password(tmp_path):
    db = tmp_path / "new" / "shop.sqlite3"
    refused = run("--db", str(db), "user", "add", "ana", "--name", "Ana", "--role", "admin",
                  "--password-stdin", stdin="short\n")  # fmt: skip
    assert refused.returncode == 1 and "at least 8" in refused.stderr
    assert not db.exists() and not list(db.parent.iterdir())
    made = run("--db", str(db), "user", "add", "ana", "--name", "Ana", "--role", "admin",
               "--password-stdin", stdin="correct horse\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert f"a new store was made at {db}" in made.stderr
    assert "ana\tAna\tadmin" in run("--db", str(db), "user", "list").stdout


# --- a store from a newer remtui -------------------------------------------------------


def test_a_store_written_by_a_newer_remtui_is_refused_untouched(tmp_path, sqlite_store, admin):
    path = whole_file(sqlite_store)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    before = path.read_bytes()
    for args in (("user", "list"), ("check",), ("audit",), ("chat", "receive")):
        line = one_clear_line(run("--db", str(path), *args, stdin=""))
        assert "written by a newer remtui (revision 0099_from_the_future)" in line, line
        assert "upgrade remtui" in line and "Open it with remtui once" not in line
    assert not list(path.parent.glob("*.bak")), "no pre-migration copy of a newer store"
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            "0099_from_the_future"
        )
    assert path.read_bytes() == before


def test_check_still_advises_opening_an_older_store(tmp_path, sqlite_store, admin):
    from alembic import command

    from remtui.store.migrate import alembic_config

    cfg = alembic_config(sqlite_store)
    with sqlite_store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    path = whole_file(sqlite_store)
    line = one_clear_line(run("--db", str(path), "check"))
    assert "Open it with remtui once" in line and head_revision() in line


def test_a_database_of_another_program_is_not_turned_into_a_store(tmp_path):
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn, conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    line = one_clear_line(run("--db", str(other), "user", "list"))
    assert "holds a database that is not a remtui store" in line
    with closing(sqlite3.connect(other)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["recipes"]


# --- backups ---------------------------------------------------------------------------


def test_backup_of_a_damaged_store_is_refused_and_leaves_nothing(tmp_path, sqlite_store,
                                                                 make_client):  # fmt: skip
    for i in range(30):
        make_client(f"Client {i}", f"91234{i:04d}")
    path = whole_file(sqlite_store)
    garble_table(path, "client")
    backups = tmp_path / "backups"
    backups.mkdir()
    good = backups / "monday.sqlite3"
    good.write_bytes(b"yesterday's good copy")
    line = one_clear_line(run("--db", str(path), "backup", str(backups / "tuesday.sqlite3")))
    assert "is damaged" in line and "no backup was written" in line, line
    assert sorted(p.name for p in backups.iterdir()) == ["monday.sqlite3"]
    # Nor over an older copy, even when told to replace it.
    again = run("--db", str(path), "backup", "--force", str(good))
    assert "no backup was written" in one_clear_line(again)
    assert good.read_bytes() == b"yesterday's good copy"
    assert sorted(p.name for p in backups.iterdir()) == ["monday.sqlite3"]


def test_backup_refuses_an_existing_file_unless_forced_and_a_folder(tmp_path, sqlite_store,
                                                                   make_client):  # fmt: skip
    make_client("Ana", "912345678")
    db = str(sqlite_store.path)
    dest = tmp_path / "copy.sqlite3"
    dest.write_bytes(b"keep me")
    line = one_clear_line(run("--db", db, "backup", str(dest)))
    assert "exists already" in line and "--force" in line
    assert dest.read_bytes() == b"keep me"
    forced = run("backup", str(dest), "--force", "--db", db)
    assert forced.returncode == 0 and forced.stdout.strip() == str(dest), forced.stderr
    with closing(sqlite3.connect(dest)) as conn:
        assert conn.execute("SELECT name FROM client").fetchall() == [("Ana",)]
    line = one_clear_line(run("--db", db, "backup", str(tmp_path)))
    assert "is a folder; give the backup a file name" in line
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_is_one_file_and_checked(tmp_path, sqlite_store, make_client):
    make_client("Ana", "912345678")
    assert sqlite_store.path is not None
    dest = backup_sqlite(sqlite_store.path, tmp_path / "b" / "copy.sqlite3")
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.sqlite3"]
    with pytest.raises(StoreError, match="exists already"):
        backup_sqlite(sqlite_store.path, dest)


# --- a full disk -----------------------------------------------------------------------


def test_sqlite_full_and_enospc_are_the_disk_full_message(tmp_path):
    conn = sqlite3.connect(tmp_path / "tiny.sqlite3")
    conn.execute("CREATE TABLE t (x BLOB)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 1}")
    with pytest.raises(sqlite3.OperationalError) as real:  # SQLite's own SQLITE_FULL
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    conn.close()
    assert isinstance(store_problem(real.value), DiskFull)
    assert "The disk is full" in store_problem(real.value).message  # type: ignore[union-attr]
    enospc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert isinstance(store_problem(enospc), DiskFull)
    assert store_problem(ValueError("a bug")) is None


def test_a_write_that_fills_the_disk_is_disk_full_and_saves_nothing(sqlite_store, admin):
    """SQLite's page limit makes the file "full" for real (SQLITE_FULL from SQLite)."""
    from remtui.domain import clients

    with sqlite_store.write() as session:
        before = session.connection().exec_driver_sql("SELECT count(*) FROM client").scalar()
    full = Store(sqlite_store.url)

    @event.listens_for(full.write_engine, "connect")
    def _limit(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    form = clients.ClientForm(name="Big Notes", notes="x" * 9_000)
    with pytest.raises(DiskFull, match="The disk is full"), full.write() as session:
        clients.create_client(session, admin, form)
    full.close()
    with sqlite_store.read() as session:
        after = session.connection().exec_driver_sql("SELECT count(*) FROM client").scalar()
    assert after == before


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    result = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         f"mount -t tmpfs -o size=64k tmpfs {probe}"],
        capture_output=True,
    )  # fmt: skip
    return result.returncode == 0


def test_disk_full_on_a_real_small_filesystem(tmp_path, sqlite_store, make_client):
    """A 2 MiB tmpfs (in a mount namespace of our own), filled up to a few pages: `user
    add` and `chat receive` say the disk is full, in one line, and write nothing."""
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip("cannot mount a tmpfs here (unshare, user namespaces)")
    make_client("Ana", "912345678")
    seed = whole_file(sqlite_store)
    mnt, out = tmp_path / "mnt", tmp_path / "out"
    mnt.mkdir()
    out.mkdir()
    line = '{"channel": "whatsapp", "phone": "912345678", "text": "' + "olá " * 3000 + '"}'
    (tmp_path / "chat.jsonl").write_text(line + "\n")
    script = f"""
set -u
mount -t tmpfs -o size=2m tmpfs {mnt}
cp {seed} {mnt}/store.sqlite3
R="{sys.executable} -m remtui --db {mnt}/store.sqlite3"
dd if=/dev/zero of={mnt}/filler bs=4k 2>/dev/null
truncate -s -40k {mnt}/filler
echo "correct horse" | $R user add bob --name Bob --password-stdin >{out}/add.out 2>{out}/add.err
echo $? >{out}/add.rc
$R chat receive <{tmp_path}/chat.jsonl >{out}/chat.out 2>{out}/chat.err
echo $? >{out}/chat.rc
rm {mnt}/filler
cp {mnt}/store.sqlite3 {out}/after.sqlite3
"""
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
                   check=True, timeout=300)  # fmt: skip
    for name in ("add", "chat"):
        said = (out / f"{name}.out").read_text() + (out / f"{name}.err").read_text()
        lines = [x for x in said.splitlines() if x.strip()]
        assert (out / f"{name}.rc").read_text().strip() == "1", said
        assert len(lines) == 1 and "The disk is full" in lines[0], said
    with closing(sqlite3.connect(out / "after.sqlite3")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM employee WHERE login = 'bob'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM chat_message").fetchone()[0] == 0


# --- the demo --------------------------------------------------------------------------


# Run as `remtui demo` (a small one), but the process sends itself ctrl+c's signal while
# adding the 5th client's history: the interrupt lands mid-build however busy the machine
# is (a signal sent by the test after reading a progress line may come after the build has
# finished).
INTERRUPTED_DEMO = """
import os, runpy, signal, sys
from remtui import demo_history
story, calls = demo_history._client_story, []
def interrupted(*args, **kwargs):
    calls.append(1)
    if len(calls) == 5:
        os.kill(os.getpid(), signal.SIGINT)
    return story(*args, **kwargs)
demo_history._client_story = interrupted
sys.argv = ["remtui", "demo", "--no-ui", "--clients", "30", "--db", sys.argv[1]]
runpy.run_module("remtui", run_name="__main__")
"""


def test_an_interrupted_demo_build_leaves_nothing_and_the_next_one_builds(tmp_path):
    folder = tmp_path / "demos"
    db = folder / "demo.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_DEMO, str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 130, proc.stderr
    assert "history for 0/30" in proc.stderr and "ready" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == []
    again = run("demo", "--no-ui", "--clients", "30", "--db", str(db))
    assert again.returncode == 0 and "demo store ready" in again.stderr, again.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["demo.sqlite3"]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM client").fetchone()[0] == 30


def test_a_store_that_is_not_a_demo_gets_a_hint(sqlite_store, admin):
    line = one_clear_line(run("demo", "--no-ui", "--db", str(sqlite_store.path)))
    assert "not a demo" in line and "move it away" in line


def test_open_store_refuses_without_creating(tmp_path):
    with pytest.raises(StoreError, match="No store at"):
        open_store(f"sqlite:///{tmp_path / 'none.sqlite3'}")
    assert not (tmp_path / "none.sqlite3").exists()
    made = open_store(f"sqlite:///{tmp_path / 'new.sqlite3'}", create=True)
    made.close()
    assert (tmp_path / "new.sqlite3").exists()


def test_the_readme_restore_recipe(tmp_path, sqlite_store, make_client):
    """Backup, then the README's restore steps with what `remtui locate db` prints."""
    make_client("Ana", "912345678")
    store_path = whole_file(sqlite_store)
    backups = tmp_path / "backups"
    env = {"REMTUI_DB": str(store_path)}
    made = run("backup", str(backups / "remtui-2026-12-01.sqlite3"), **env)
    assert made.returncode == 0, made.stderr
    with closing(sqlite3.connect(store_path)) as conn, conn:
        conn.execute("UPDATE client SET name = 'Damaged since'")
    script = f"""
set -e
STORE=$({REMTUI} locate db)
mkdir -p {backups}/replaced && mv "$STORE" "$STORE-wal" "$STORE-shm" {backups}/replaced/ 2>/dev/null || true
cp {backups}/remtui-2026-12-01.sqlite3 "$STORE" && chmod 660 "$STORE"
{REMTUI} check
"""  # noqa: E501
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env={**os.environ, **env}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the store is intact" in result.stdout
    with closing(sqlite3.connect(store_path)) as conn:
        assert conn.execute("SELECT name FROM client").fetchall() == [("Ana",)]
