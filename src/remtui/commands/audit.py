"""`remtui audit`: read the audit log at the server's command line (no Textual, no Rich)."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from ..i18n import _
from ..safetext import safe_text

DEFAULT_LIMIT = 50


def _when(at: object) -> str:
    from datetime import datetime

    from ..dates import local

    if not isinstance(at, datetime):
        return str(at)
    return local(at).strftime("%Y-%m-%d %H:%M:%S")


def run_audit(
    db_url: str,
    *,
    limit: int = DEFAULT_LIMIT,
    client_id: int | None = None,
    employee: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Print the newest ``limit`` audit entries (optionally about one client, or by one
    employee's login), newest first, one per line, tab-separated: time (the server's
    local time), employee login ("-" when none: the command line or the system), action,
    entity, details. Outside text is printed safely (no control characters). Exit status
    0, or 1 when the store or the employee cannot be found. Changes nothing."""
    out = out if out is not None else sys.stdout
    from ..errors import StoreError
    from ..store.engine import open_store
    from ..store.migrate import current_revision, known_revision, newer_store_message

    if limit < 1:
        print(_("The limit must be at least 1."), file=out)
        return 1
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import select

    from ..domain.audit import MAX_PAGE, AuditRow, detail_text, entries
    from ..store.tables import Employee

    rows: list[AuditRow] = []
    has_more = False
    try:
        store = open_store(db_url)  # no store there, a folder, not a store: one line
    except StoreError as exc:
        print(safe_text(exc.message, single_line=True), file=out)
        return 1
    revision = current_revision(store)
    if revision is not None and not known_revision(revision):
        store.close()  # its tables may not be the ones this version reads
        print(safe_text(newer_store_message(revision), single_line=True), file=out)
        return 1
    try:
        with store.read() as session:  # one consistent snapshot, a page at a time
            if employee is not None:
                login = employee.strip()
                found = session.exec(select(Employee.id).where(Employee.login == login)).first()
                if found is None:
                    print(
                        _("No employee with the login {login}.").format(
                            login=safe_text(login, single_line=True, limit=64)
                        ),
                        file=out,
                    )
                    return 1
            before: int | None = None
            while len(rows) < limit:
                page = entries(
                    session,
                    None,
                    limit=min(limit - len(rows), MAX_PAGE),
                    before_id=before,
                    client_id=client_id,
                    employee=employee,
                )
                rows.extend(page.rows)
                has_more = page.has_more
                if not page.has_more or not page.rows:
                    break
                before = page.rows[-1].id
    except SQLAlchemyError as exc:
        print(
            _("The audit log cannot be read: {error}").format(
                error=safe_text(str(exc).splitlines()[0], single_line=True)
            ),
            file=out,
        )
        return 1
    finally:
        store.close()
    lines = [
        "\t".join(
            safe_text(value, single_line=True)
            for value in (
                _when(row.at),
                row.employee or "-",
                row.action,
                f"{row.entity} {row.entity_id}" if row.entity_id is not None else row.entity,
                detail_text(row.detail),
            )
        )
        for row in rows
    ]
    header = "\t".join((_("Time"), _("Employee"), _("Action"), _("Entity"), _("Details")))
    try:
        print(header, file=out)
        for text in lines:
            print(text, file=out)
        out.flush()
        if has_more:  # a hint for the person, not part of the listing
            print(_("Older entries are not shown: use --limit to see more."), file=sys.stderr)
    except BrokenPipeError:
        # `remtui audit | head`: the reader has what it wanted. Point stdout at nothing so
        # that Python's flush at exit does not complain.
        if out is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    return 0
