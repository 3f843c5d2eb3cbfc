"""`remtui check`: verify every balance and the store's integrity (no Textual, no Rich)."""

from __future__ import annotations

import sys
from typing import TextIO

from ..i18n import _, ngettext
from ..safetext import safe_text


def run_check(db_url: str, out: TextIO | None = None) -> int:
    """Check the store at ``db_url``; print what is wrong. Exit status: 0 all is well,
    1 something is wrong (or the store cannot be checked). Changes nothing."""
    from ..domain.check import Problem, check_store, load_all_areas
    from ..errors import StoreError
    from ..store.engine import open_store
    from ..store.migrate import (
        current_revision,
        head_revision,
        known_revision,
        newer_store_message,
    )

    out = out if out is not None else sys.stdout
    try:
        store = open_store(db_url)  # no store there, a folder, not a store: one line
    except StoreError as exc:
        print(safe_text(exc.message, single_line=True), file=out)
        return 1
    try:
        revision = current_revision(store)
        if revision is not None and not known_revision(revision):
            print(safe_text(newer_store_message(revision), single_line=True), file=out)
            return 1
        if revision != head_revision():
            print(
                _(
                    "The store's schema is at revision {found}, this version expects {wanted}. "
                    "Open it with remtui once to bring it up to date, then check again."
                ).format(found=revision or "-", wanted=head_revision()),
                file=out,
            )
            return 1
        failed = load_all_areas()
        with store.read() as session:
            report = check_store(session)
    finally:
        store.close()
    problems = [Problem(None, message, "import") for message in failed] + list(report.problems)
    for problem in problems:
        where = (
            _("client {id}").format(id=problem.client_id)
            if problem.client_id is not None
            else _("store")
        )
        # Source checks may quote outside text: nothing reaches the terminal as a control.
        line = f"{where} [{problem.area}]: {problem.message}"
        print(safe_text(line, single_line=True), file=out)
    summary = ngettext(
        "Checked {n} client ({entries} ledger entries, {checks} source checks).",
        "Checked {n} clients ({entries} ledger entries, {checks} source checks).",
        report.clients_checked,
    ).format(
        n=report.clients_checked, entries=report.entries_checked, checks=report.source_checks_run
    )
    print(summary, file=out)
    if problems:
        print(
            ngettext("{n} problem found.", "{n} problems found.", len(problems)).format(
                n=len(problems)
            ),
            file=out,
        )
        return 1
    print(_("All balances agree with their movements; the store is intact."), file=out)
    return 0
