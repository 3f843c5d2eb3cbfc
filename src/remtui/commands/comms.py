"""`remtui calls import`, `remtui sms send`, `remtui chat receive` (no Textual, no Rich).

Each opens the store (bringing its schema up to date, as the other commands do), does
its work through the domain, prints what it did and returns an exit status: 0 done,
1 bad input or something failed (the messages say what).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..config import SmsSettings
from ..errors import DomainError
from ..i18n import _, ngettext
from ..safetext import safe_text

if TYPE_CHECKING:
    from ..store.engine import Store


def _say(text: str, out: TextIO) -> None:
    """One line of output: it may quote data (a phone, a client's text), so never raw."""
    print(safe_text(text, single_line=True), file=out)


def _open(db_url: str, out: TextIO) -> Store | None:
    """The migrated store, or None (and a message) when there is no store there."""
    from ..store.engine import Store, sqlite_path
    from ..store.migrate import upgrade

    path = sqlite_path(db_url)
    if path is not None and not path.exists():
        _say(_("No store at {path}.").format(path=path), out)
        return None
    store = Store(db_url)
    upgrade(store)
    return store


def _read_text(path: str, out: TextIO) -> str | None:
    try:
        if path == "-":
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _say(_("{path} is not UTF-8 text.").format(path=path), out)
    except OSError as exc:
        _say(_("Cannot read {path}: {error}").format(path=path, error=exc.strerror or exc), out)
    return None


def run_calls_import(
    db_url: str,
    path: str,
    region: str = "PT",
    *,
    skip_bad: bool = False,
    out: TextIO | None = None,
) -> int:
    """Import the telephone system's CSV at ``path`` ("-": standard input). Prints a
    summary and every row it could not use. 1 when the file is not usable (nothing is
    written then) or when bad rows were skipped."""
    from ..domain.calls import import_calls_csv

    out = out if out is not None else sys.stdout
    content = _read_text(path, out)
    if content is None:
        return 1
    store = _open(db_url, out)
    if store is None:
        return 1
    try:
        with store.write() as session:
            report = import_calls_csv(session, content, region, skip_bad=skip_bad)
    except DomainError as exc:
        _say(exc.message, out)
        return 1
    finally:
        store.close()
    for problem in report.bad:
        _say(_("Line {line}: {reason}").format(line=problem.line, reason=problem.reason), out)
    for problem in report.unmatched:
        _say(
            _("Line {line} skipped: {reason}").format(line=problem.line, reason=problem.reason), out
        )
    _say(report.summary(), out)
    return 1 if report.bad else 0


def run_sms_send(db_url: str, sms_settings: SmsSettings, *, out: TextIO | None = None) -> int:
    """Send the queued SMS through the configured gateway (for cron). 1 when a message
    failed or the settings cannot work."""
    from ..domain.sms import send_queued

    out = out if out is not None else sys.stdout
    store = _open(db_url, out)
    if store is None:
        return 1
    try:
        report = send_queued(store, sms_settings)
    except DomainError as exc:
        _say(exc.message, out)
        return 1
    finally:
        store.close()
    for result in report.results:
        if result.status == "failed":
            _say(
                _("SMS {id} to {number} failed: {error}").format(
                    id=result.sms_id, number=result.number_e164, error=result.error
                ),
                out,
            )
    if report.interrupted:
        _say(
            ngettext(
                "{n} SMS was left half-sent by an earlier run and is marked failed.",
                "{n} SMS were left half-sent by an earlier run and are marked failed.",
                report.interrupted,
            ).format(n=report.interrupted),
            out,
        )
    _say(report.message, out)
    return 0 if report.ok else 1


def run_chat_receive(
    db_url: str,
    stream: TextIO,
    region: str = "PT",
    *,
    skip_bad: bool = False,
    out: TextIO | None = None,
) -> int:
    """Append the messages read from ``stream`` (one JSON object per line) to the clients'
    chats. By default one bad line writes nothing. 1 when a line was not usable."""
    from ..domain.chats import receive_messages

    out = out if out is not None else sys.stdout
    try:
        lines = stream.readlines()  # read it all before taking the store's write lock
    except UnicodeDecodeError:
        _say(_("The input is not UTF-8 text."), out)
        return 1
    store = _open(db_url, out)
    if store is None:
        return 1
    try:
        with store.write() as session:
            report = receive_messages(session, lines, region, skip_bad=skip_bad)
    except DomainError as exc:
        _say(exc.message, out)
        return 1
    finally:
        store.close()
    for problem in report.problems:
        _say(_("Line {line}: {reason}").format(line=problem.line, reason=problem.reason), out)
    _say(report.summary(), out)
    return 1 if report.problems else 0
