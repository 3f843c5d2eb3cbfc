"""`remtui check`: every balance against its ledger and its sources, and the store's integrity.

Other areas register a function in ``SOURCE_CHECKS`` (with ``@register_source_check``) that
recomputes what the ledger should hold from their own records (documents, payments, ...)
and returns ``(client_id, problem)`` pairs; an empty list means all is well.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from ..i18n import _

SourceCheck = Callable[[Session], list[tuple[int | None, str]]]
SOURCE_CHECKS: list[SourceCheck] = []

# The guards the ledger's migration installs on SQLite (see store/ddl.py).
_SQLITE_GUARDS = (
    "ledger_entry_no_update",
    "ledger_entry_no_delete",
    "ledger_entry_amount_int_insert",
    "ledger_entry_amount_int_update",
    "ledger_entry_balance_after_int_insert",
    "ledger_entry_balance_after_int_update",
)
MAX_PER_KIND = 1000  # problems of one kind reported at most (the rest are counted)


def register_source_check(fn: SourceCheck) -> SourceCheck:
    """Add ``fn`` to the checks `remtui check` runs (once, however often it is imported)."""
    if fn not in SOURCE_CHECKS:
        SOURCE_CHECKS.append(fn)
    return fn


def load_all_areas() -> list[str]:
    """Import every domain module so that each registers its checks. Returns the modules
    that failed to import, with the error (a check cannot vouch for what it cannot load)."""
    from .. import domain

    failed = []
    for info in pkgutil.iter_modules(domain.__path__, domain.__name__ + "."):
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # reported, not raised: the other checks still run
            failed.append(f"{info.name}: {type(exc).__name__}: {exc}")
    return failed


@dataclass(frozen=True)
class Problem:
    client_id: int | None
    message: str
    area: str = "ledger"  # "ledger", "store", or the name of the source check


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    clients_checked: int
    entries_checked: int
    source_checks_run: int

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(session: Session, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.connection().execute(text(sql))]


def _ledger_problems(session: Session) -> list[Problem]:
    problems: list[Problem] = []
    # Each entry's running balance is the previous one plus its amount.
    for client_id, first_id, count in _rows(
        session,
        "SELECT client_id, MIN(id), COUNT(*) FROM ("
        " SELECT id, client_id, amount, balance_after,"
        " LAG(balance_after) OVER (PARTITION BY client_id ORDER BY id) AS previous"
        " FROM ledger_entry) AS chain"
        " WHERE balance_after != COALESCE(previous, 0) + amount"
        " GROUP BY client_id ORDER BY client_id",
    )[:MAX_PER_KIND]:
        problems.append(
            Problem(
                int(client_id),
                _(
                    "The running balance breaks at ledger entry {id} "
                    "({n} entries do not follow from the one before)."
                ).format(id=first_id, n=count),
            )
        )
    # The balance shown (the newest running balance) is the sum of the entries.
    for client_id, total, newest in _rows(
        session,
        "SELECT l.client_id, s.total, l.balance_after FROM ledger_entry AS l JOIN ("
        " SELECT client_id, SUM(amount) AS total, MAX(id) AS last_id"
        " FROM ledger_entry GROUP BY client_id) AS s ON l.id = s.last_id"
        " WHERE s.total != l.balance_after ORDER BY l.client_id",
    )[:MAX_PER_KIND]:
        problems.append(
            Problem(
                int(client_id),
                _(
                    "The balance shown ({shown}) is not the sum of the movements ({total}), "
                    "in minor units."
                ).format(shown=newest, total=total),
            )
        )
    if session.connection().dialect.name == "sqlite":
        for entry_id, client_id in _rows(
            session,
            "SELECT id, client_id FROM ledger_entry WHERE typeof(amount) != 'integer'"
            " OR typeof(balance_after) != 'integer' ORDER BY id",
        )[:MAX_PER_KIND]:
            problems.append(
                Problem(
                    int(client_id),
                    _("Ledger entry {id} holds an amount that is not a whole number.").format(
                        id=entry_id
                    ),
                )
            )
    return problems


def _store_problems(session: Session) -> list[Problem]:
    problems: list[Problem] = []
    dialect = session.connection().dialect.name
    if dialect == "sqlite":
        result = [str(r[0]) for r in _rows(session, "PRAGMA integrity_check")]
        if result != ["ok"]:
            problems.extend(
                Problem(None, _("Integrity check: {text}").format(text=line), "store")
                for line in result[:MAX_PER_KIND]
            )
        for table, rowid, parent, _fk in _rows(session, "PRAGMA foreign_key_check")[:MAX_PER_KIND]:
            problems.append(
                Problem(
                    None,
                    _("Row {rowid} of {table} refers to a missing row of {parent}.").format(
                        rowid=rowid, table=table, parent=parent
                    ),
                    "store",
                )
            )
        present = {
            str(r[0]) for r in _rows(session, "SELECT name FROM sqlite_master WHERE type='trigger'")
        }
        missing = [name for name in _SQLITE_GUARDS if name not in present]
    elif dialect == "postgresql":
        present = {
            str(r[0])
            for r in _rows(
                session,
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'ledger_entry'::regclass",
            )
        }
        missing = [n for n in ("ledger_entry_append_only",) if n not in present]
    else:
        missing = []
    for name in missing:
        problems.append(
            Problem(
                None,
                _("The store no longer guards the ledger: trigger {name} is missing.").format(
                    name=name
                ),
                "store",
            )
        )
    return problems


def _source_problems(session: Session) -> list[Problem]:
    problems: list[Problem] = []
    for fn in list(SOURCE_CHECKS):
        area = getattr(fn, "__module__", "?").rsplit(".", 1)[-1] + "." + fn.__name__
        try:
            found = fn(session)
        except Exception as exc:  # one broken check must not hide the others
            problems.append(
                Problem(
                    None,
                    _("The check {name} failed: {error}").format(
                        name=area, error=f"{type(exc).__name__}: {exc}"
                    ),
                    area,
                )
            )
            continue
        problems.extend(Problem(cid, message, area) for cid, message in found[:MAX_PER_KIND])
    return problems


def check_store(session: Session) -> CheckReport:
    """Verify every client's ledger (running balances, sum), the store's integrity and
    every registered source check. Reads only."""
    clients = int(_rows(session, "SELECT COUNT(*) FROM client")[0][0])
    entries = int(_rows(session, "SELECT COUNT(*) FROM ledger_entry")[0][0])
    problems = _ledger_problems(session) + _store_problems(session) + _source_problems(session)
    return CheckReport(
        problems=tuple(problems),
        clients_checked=clients,
        entries_checked=entries,
        source_checks_run=len(SOURCE_CHECKS),
    )
