"""`remtui export statement CLIENT_ID [--from D --to D] -o FILE` (no Textual, no Rich)."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import TextIO

from ..errors import DomainError
from ..i18n import _, ngettext
from ..safetext import safe_text


def run_export_statement(
    db_url: str,
    client_id: int,
    date_from: date | None,
    date_to: date | None,
    out_path: str | os.PathLike[str],
    *,
    currency: str = "EUR",
    locale: str = "en_GB",
    actor_login: str | None = None,
    timezone: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Export a client's statement to ``out_path`` (.xlsx) and print its full path.

    The server's command line is trusted: without ``actor_login`` the export runs as the
    administrator context (audit entry without an employee); with it, that employee's
    "export" permission is required. Exit status 0 on success, 1 on any error (then no
    file is left behind)."""
    from ..dates import check_date_range
    from ..domain import staff
    from ..export.statement_xlsx import export_statement, record_export
    from ..store.engine import disk_full_message, open_store
    from ..store.migrate import upgrade

    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    try:
        for day in (date_from, date_to):
            if day is not None:
                check_date_range(day, locale)
        store = open_store(db_url)  # no store there, a folder, not a store: one line
    except DomainError as exc:
        print(safe_text(exc.message, single_line=True), file=err)
        return 1
    target = Path(out_path).expanduser().resolve()
    if target.is_dir():
        store.close()
        print(_("{path} is a folder; give a file name.").format(path=target), file=err)
        return 1
    if not target.parent.is_dir():
        store.close()
        print(_("The folder {path} does not exist.").format(path=target.parent), file=err)
        return 1
    tmp_name = ""
    try:
        upgrade(store)
        # Written beside the target and renamed at the end: never a half-written file.
        fd, tmp_name = tempfile.mkstemp(prefix=".remtui-", suffix=".xlsx", dir=target.parent)
        # One consistent snapshot to read from; the audit record in its own short write
        # transaction, so clerks saving meanwhile never wait for the file.
        with store.read() as session, os.fdopen(fd, "wb") as fh:
            actor = staff.actor_for(session, actor_login) if actor_login else None
            result = export_statement(
                session,
                actor,
                client_id,
                fh,
                date_from=date_from,
                date_to=date_to,
                currency=currency,
                locale=locale,
                timezone=timezone,
                record=False,
            )
        with store.write() as session:
            record_export(session, actor, result, date_from, date_to)
        os.chmod(tmp_name, 0o640)
        os.replace(tmp_name, target)
        tmp_name = ""
    except DomainError as exc:
        print(exc.message, file=err)
        return 1
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            print(disk_full_message(), file=err)
        else:
            print(
                _("Cannot write {path}: {error}").format(path=target, error=exc.strerror),
                file=err,
            )
        return 1
    finally:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        store.close()
    print(
        ngettext(
            "Statement of {client} ({rows} movement) written to:",
            "Statement of {client} ({rows} movements) written to:",
            result.rows,
        ).format(client=safe_text(result.client_name, single_line=True), rows=result.rows),
        file=err,
    )
    print(target, file=out)
    return 0
