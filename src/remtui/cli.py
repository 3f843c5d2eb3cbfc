"""The command line. Only `remtui`, `remtui demo` and `remtui serve` import Textual."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import (
    DEMO_LOGIN,
    ConfigError,
    Settings,
    demo_db_path,
    load_settings,
    sqlite_url,
)

if TYPE_CHECKING:
    from .store.engine import Store

DB_HELP = "open this store (SQLite path or URL)"


def _db_option() -> argparse.ArgumentParser:
    """`--db`, accepted after every (sub)command as well as before it: a value given
    after the command line's words wins over one before them."""
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand without --db leaves the value given before it alone.
    parent.add_argument("--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS, help=DB_HELP)
    return parent


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="remtui",
        description="The client desk of a repair shop, in the terminal.",
    )
    p.add_argument("--version", action="version", version=f"remtui {__version__}")
    p.add_argument("--db", metavar="PATH_OR_URL", help=DB_HELP)
    db = [_db_option()]
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="build (once) and open the demo store, signed in")
    demo.add_argument("--db", metavar="PATH", dest="sub_db", help="where the demo store lives")
    demo.add_argument("--no-ui", action="store_true", help="only build it")
    demo.add_argument(
        "--clients",
        type=int,
        default=None,
        metavar="N",
        help="build a large store with N clients (for benchmarks)",
    )

    serve = sub.add_parser("serve", help="serve the app to a web browser")
    serve.add_argument("--db", metavar="PATH_OR_URL", dest="sub_db")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--public-url", metavar="URL", help="the address browsers use (behind a reverse proxy)"
    )
    serve.add_argument(
        "--max-sessions", type=int, default=8, metavar="N", help="sessions at once (default 8)"
    )
    serve.add_argument(
        "--demo", action="store_true", help="serve the demo store, signed in (loopback only)"
    )

    user = sub.add_parser("user", help="manage employees", parents=db)
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = usub.add_parser(
        "add", help="add an employee (the first one makes a new store)", parents=db
    )
    add.add_argument("login")
    add.add_argument("--name", required=True)
    add.add_argument(
        "--role", default="clerk", help="admin, manager, clerk or technician (default clerk)"
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    pw = usub.add_parser("passwd", help="set an employee's password", parents=db)
    pw.add_argument("login")
    pw.add_argument("--password-stdin", action="store_true")
    dis = usub.add_parser(
        "disable", help="disable an employee (they can no longer sign in)", parents=db
    )
    dis.add_argument("login")
    en = usub.add_parser("enable", help="enable a disabled employee", parents=db)
    en.add_argument("login")
    usub.add_parser("list", help="list employees", parents=db)

    backup = sub.add_parser(
        "backup", help="a consistent, checked copy of the live store", parents=db
    )
    backup.add_argument("path", type=Path)
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")

    sub.add_parser("check", help="verify every balance and the store's integrity", parents=db)

    export = sub.add_parser("export", help="write a spreadsheet (no UI)", parents=db)
    esub = export.add_subparsers(dest="export_what", metavar="WHAT", required=True)
    stmt = esub.add_parser("statement", help="a client's statement as .xlsx", parents=db)
    stmt.add_argument("client_id", type=int)
    stmt.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD")
    stmt.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD")
    stmt.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")

    calls = sub.add_parser("calls", help="the call log", parents=db)
    csub = calls.add_subparsers(dest="calls_command", metavar="ACTION", required=True)
    cimport = csub.add_parser(
        "import",
        help="import a CSV from the telephone system (time,direction,number,duration,recording)",
        parents=db,
    )
    cimport.add_argument("file", help="the CSV file, or - for standard input")
    cimport.add_argument(
        "--skip-bad",
        action="store_true",
        help="import the good rows even if some rows are malformed",
    )

    sms = sub.add_parser("sms", help="text messages", parents=db)
    ssub = sms.add_subparsers(dest="sms_command", metavar="ACTION", required=True)
    ssub.add_parser(
        "send", help="send what is queued through the configured gateway (cron)", parents=db
    )

    chat = sub.add_parser("chat", help="chats with clients", parents=db)
    chsub = chat.add_subparsers(dest="chat_command", metavar="ACTION", required=True)
    receive = chsub.add_parser(
        "receive",
        help="messages from outside: one JSON object per line on standard input",
        parents=db,
    )
    receive.add_argument("--skip-bad", action="store_true")

    audit = sub.add_parser("audit", help="who changed what, and when (read-only)", parents=db)
    audit.add_argument("--limit", type=int, default=50, metavar="N")
    audit.add_argument("--client", type=int, metavar="ID", help="only about this client")
    audit.add_argument("--employee", metavar="LOGIN", help="only by this employee")

    mig = sub.add_parser(
        "migrate-store",
        help="copy a SQLite store into an empty PostgreSQL store, verified",
        parents=db,
    )
    mig.add_argument(
        "--from",
        dest="from_path",
        metavar="SQLITE",
        help="the SQLite store to copy (default: the one --db or the config names)",
    )
    mig.add_argument("--to", dest="to_url", required=True, metavar="URL")

    locate = sub.add_parser(
        "locate", help="print where the config or the store (its file, for SQLite) is", parents=db
    )
    locate.add_argument("what", choices=["config", "db"])

    return p


def _date(text: str) -> date:
    from .dates import check_date_range
    from .errors import DomainError

    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc
    try:
        return check_date_range(day)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    return settings.with_db(getattr(args, "sub_db", None) or args.db)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat: ") != first:
        raise SystemExit("remtui: the passwords differ")
    return first


def _open(settings: Settings, *, create: bool = False) -> Store:
    """The store, migrated; StoreError (one line) when it is missing (unless ``create``)
    or cannot be used."""
    from .store.engine import open_store
    from .store.migrate import upgrade

    store = open_store(settings.db_url, create=create)
    try:
        upgrade(store)
    except BaseException:
        store.close()
        raise
    return store


def _user_command(args: argparse.Namespace, settings: Settings) -> int:
    """`remtui user ...`. `user add` on a missing SQLite store makes the store (that is
    how a new shop starts) and says so; when the employee is not added (a bad password,
    a full disk...), the new store is taken away again: nothing is left behind."""
    from .store.engine import sqlite_path

    path = sqlite_path(settings.db_url)
    new = args.user_command == "add" and path is not None and not path.exists()
    try:
        code = _user(args, settings)
    except BaseException:
        if new and path is not None:
            for extra in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        raise
    if new:
        _say(f"a new store was made at {path}")
    return code


def _user(args: argparse.Namespace, settings: Settings) -> int:
    from .domain import staff
    from .safetext import safe_text

    def shown(value: object) -> str:  # data in a line of output: never raw
        return safe_text(value, single_line=True)

    store = _open(settings, create=args.user_command == "add")
    cmd = args.user_command
    done: list[str] = []  # printed once the transaction has committed, not before
    with store.write() as session:
        if cmd == "add":
            password = _read_password(args.password_stdin)
            actor = staff.add_employee(session, None, args.login, args.name, password, args.role)
            done.append(f"added {shown(actor.login)} ({shown(actor.role)})")
        elif cmd == "passwd":
            staff.set_password(session, None, args.login, _read_password(args.password_stdin))
            done.append(f"password set for {shown(args.login)}")
        elif cmd in ("disable", "enable"):
            staff.set_active(session, None, args.login, cmd == "enable")
            done.append(f"{shown(args.login)} {cmd}d")
        else:
            for row in staff.list_employees(session):
                state = "active" if row.active else "disabled"
                done.append(f"{shown(row.login)}\t{shown(row.name)}\t{shown(row.role)}\t{state}")
    for line in done:
        print(line)
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from .store.engine import check_sqlite_file, sqlite_path
    from .store.migrate import backup_sqlite

    source = sqlite_path(settings.db_url)
    if source is None:
        print("remtui: backup copies SQLite stores; for PostgreSQL use pg_dump", file=sys.stderr)
        return 2
    check_sqlite_file(source)  # StoreError: no store there, a folder, not a store
    dest = backup_sqlite(source, args.path.expanduser().resolve(), overwrite=args.force)
    print(dest)
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from .commands.check import run_check

    return run_check(settings.db_url)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from .commands.export import run_export_statement

    return run_export_statement(
        settings.db_url,
        args.client_id,
        args.date_from,
        args.date_to,
        args.output,
        currency=settings.currency,
        locale=settings.locale,
    )


def _calls(args: argparse.Namespace, settings: Settings) -> int:
    from .commands.comms import run_calls_import

    return run_calls_import(
        settings.db_url, args.file, settings.phone_region, skip_bad=args.skip_bad
    )


def _sms(args: argparse.Namespace, settings: Settings) -> int:
    from .commands.comms import run_sms_send

    return run_sms_send(settings.db_url, settings.sms)


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from .commands.comms import run_chat_receive

    return run_chat_receive(
        settings.db_url, sys.stdin, settings.phone_region, skip_bad=args.skip_bad
    )


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from .commands.audit import run_audit

    return run_audit(
        settings.db_url, limit=args.limit, client_id=args.client, employee=args.employee
    )


def _migrate_store(args: argparse.Namespace, settings: Settings) -> int:
    from .commands.migrate_store import run_migrate_store
    from .config import as_db_url
    from .errors import StoreError
    from .store.engine import sqlite_path

    source = sqlite_path(as_db_url(args.from_path) if args.from_path else settings.db_url)
    if source is None:
        raise StoreError("migrate-store copies a SQLite store: give its file with --from")
    return run_migrate_store(source, args.to_url)


def _locate(args: argparse.Namespace, settings: Settings) -> int:
    from .config import site_config_path, user_config_path
    from .store.engine import sqlite_path

    if args.what == "config":
        print(user_config_path())
        print(site_config_path())
    else:
        # A SQLite store is a file: its path is what cp, mv and --from want.
        print(sqlite_path(settings.db_url) or settings.db_url)
    return 0


def _run_app(settings: Settings, demo_login: str | None = None) -> int:
    from .i18n import set_language
    from .ui.app import RemApp

    set_language(settings.language)
    app = RemApp(settings, demo_login=demo_login)
    result = app.run()
    code = app.return_code
    if code is None:
        code = 0
    return int(result if isinstance(result, int) and code == 0 else code)


def _demo_built(path: Path) -> bool:
    """A cheap look (no SQLAlchemy) at whether the demo store is already there, so an
    existing demo opens as fast as the app itself can start."""
    import sqlite3

    if not path.exists():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM store_meta WHERE key = 'demo'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == "built"


def _demo_path(args: argparse.Namespace) -> Path:
    """Where the demo store lives: `demo --db PATH`, `--db PATH demo`, or the default."""
    raw = args.sub_db or args.db
    if not raw:
        return demo_db_path()
    if "://" in raw:
        if not raw.startswith("sqlite:///"):
            from .errors import StoreError

            raise StoreError("the demo store is a SQLite file: give its path with --db")
        raw = raw[len("sqlite:///") :]
    return Path(raw).expanduser()


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    path = _demo_path(args)
    settings = settings.with_db(sqlite_url(path))
    if args.clients or not _demo_built(path):
        from .demo import ensure_demo

        built = ensure_demo(
            settings, clients=args.clients, progress=lambda msg: print(msg, file=sys.stderr)
        )
        if built:
            print(f"demo store ready: {path}", file=sys.stderr)
    if args.no_ui:
        return 0
    return _run_app(settings, demo_login=DEMO_LOGIN)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from .serve import ServeOptions, run

    return run(
        ServeOptions(
            host=args.host,
            port=args.port,
            public_url=args.public_url,
            max_sessions=args.max_sessions,
            demo=args.demo,
            db=args.sub_db or args.db,
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o007)  # stores, backups and exports: owner and group only
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except ConfigError as exc:
        print(f"remtui: configuration: {exc}", file=sys.stderr)
        return 2
    from .errors import DomainError
    from .i18n import set_language

    set_language(settings.language)
    try:
        if args.command is None:
            return _run_app(settings)
        handlers = {
            "demo": _demo,
            "serve": _serve,
            "user": _user_command,
            "backup": _backup,
            "check": _check,
            "audit": _audit,
            "migrate-store": _migrate_store,
            "calls": _calls,
            "sms": _sms,
            "chat": _chat,
            "export": _export,
            "locate": _locate,
        }
        return handlers[args.command](args, settings)
    except DomainError as exc:
        _say(exc.message)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # A store that cannot be used, or a full disk: one line, not a traceback.
        from .store.engine import store_problem

        problem = store_problem(exc, settings.db_url)
        if problem is None:
            raise
        _say(problem.message)
        return 1


def _say(message: str) -> None:
    from .safetext import safe_text

    print(f"remtui: {safe_text(message, single_line=True)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
