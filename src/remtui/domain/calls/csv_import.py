"""Importing calls from the telephone system's CSV file (the format is in the package's
docstring): validate every row first, then write them all in the caller's transaction."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TextIO

from sqlalchemy import insert
from sqlmodel import Session, col, select

from ...errors import DomainError
from ...i18n import _
from ...safetext import clean_input
from ...store.tables import ClientPhone
from ...store.tables.comms import PhoneCall
from ...store.types import utcnow
from .. import audit
from ..actor import Actor
from ..phones import display as phone_display
from ..phones import normalise
from ..text import digits_only
from .log import call_kind, parse_duration
from .recordings import Recording, check_recording

CSV_COLUMNS = ("time", "direction", "number", "duration", "recording")
_REQUIRED = ("time", "direction", "number", "duration")

# --- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    line: int  # line number in the file (the header is line 1)
    reason: str  # translated, for the clerk
    number: str = ""  # the number as written in the row, when there was one


@dataclass(frozen=True)
class ImportReport:
    rows: int  # data rows read (empty lines not counted)
    imported: int
    duplicates: int  # already in the store, or twice in the file
    unmatched: tuple[RowProblem, ...]  # well-formed, but no single client has the number
    bad: tuple[RowProblem, ...]  # malformed rows (or a bad header, line 1)
    aborted: bool  # True: nothing was written because of bad rows
    call_ids: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        """Nothing malformed (unmatched and duplicate rows are normal)."""
        return not self.bad

    def summary(self) -> str:
        """One translated sentence saying what the import did."""
        if self.aborted:
            return _(
                "Nothing was imported: {bad} of {rows} rows are not usable. "
                "Fix them and import the file again."
            ).format(bad=len(self.bad), rows=self.rows)
        return _(
            "{imported} imported, {duplicates} already there, {unmatched} without a client, "
            "{bad} not usable (of {rows} rows)."
        ).format(
            imported=self.imported,
            duplicates=self.duplicates,
            unmatched=len(self.unmatched),
            bad=len(self.bad),
            rows=self.rows,
        )


@dataclass(frozen=True)
class _Parsed:
    line: int
    at: datetime
    direction: str
    missed: bool
    raw_number: str
    e164: str
    digits: str
    seconds: int
    recording: Recording
    key: str


def call_key(at: datetime, e164: str, direction: str) -> str:
    """The import's idempotence key: same time (to the second), number and direction."""
    stamp = at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return hashlib.sha256(f"{stamp}|{e164}|{direction}".encode()).hexdigest()


def _parse_time(raw: str, now: datetime) -> datetime:
    text = raw.strip()
    if not text:
        raise DomainError(_("The time is missing."))
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DomainError(_("The time is not ISO 8601 (e.g. 2026-11-20T09:15:00+00:00).")) from exc
    if value.tzinfo is None:
        raise DomainError(_("The time has no time zone (add Z or an offset such as +01:00)."))
    try:
        value = value.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01 with a positive offset, and the like
        raise DomainError(_("The time is out of range.")) from exc
    if value > now + timedelta(days=1):
        raise DomainError(_("The time is in the future."))
    return value


_WITHHELD = object()


def _parse_row(
    line: int, fields: dict[str, str], region: str, now: datetime
) -> _Parsed | RowProblem | tuple[object, RowProblem]:
    """A parsed row, a RowProblem (bad), or (_WITHHELD, problem) for a number with no
    digits at all."""
    raw_number = fields.get("number", "").strip()
    try:
        at = _parse_time(fields.get("time", ""), now)
        direction, missed = call_kind(fields.get("direction", ""), False)
    except DomainError as exc:
        if exc.field == "direction":
            return RowProblem(
                line,
                _("Unknown direction {value!r}: use incoming, outgoing or missed.").format(
                    value=clean_input(fields.get("direction", ""))[:30]
                ),
                raw_number,
            )
        return RowProblem(line, exc.message, raw_number)
    try:
        seconds = parse_duration(fields.get("duration", ""))
    except DomainError as exc:
        return RowProblem(line, exc.message, raw_number)
    if not digits_only(raw_number):
        return (_WITHHELD, RowProblem(line, _("No number (withheld or anonymous)."), raw_number))
    try:
        phone = normalise(raw_number, region)
    except DomainError as exc:
        return RowProblem(
            line,
            _("{problem} ({number})").format(problem=exc.message, number=raw_number[:40]),
            raw_number,
        )
    rec = check_recording(fields.get("recording", ""))
    return _Parsed(
        line,
        at,
        direction,
        missed,
        raw_number,
        phone.e164,
        phone.digits,
        seconds,
        rec,
        call_key(at, phone.e164, direction),
    )


def _rows(source: str | TextIO) -> Iterator[tuple[int, list[str]]]:
    stream: TextIO = io.StringIO(source) if isinstance(source, str) else source
    first = stream.readline()
    if first.startswith("\ufeff"):
        first = first[1:]
    delimiter = ";" if ";" in first and "," not in first else ","

    def lines() -> Iterator[str]:
        yield first
        yield from stream

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _CsvBroken(start, str(exc)) from exc
        yield start, record
        start = reader.line_num + 1


class _CsvBroken(Exception):
    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line = line
        self.detail = detail


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def import_calls_csv(
    session: Session,
    text_or_stream: str | TextIO,
    region: str = "PT",
    *,
    skip_bad: bool = False,
    actor: Actor | None = None,
) -> ImportReport:
    """Import calls from the telephone system's CSV (format: this module's docstring).

    Everything is validated before anything is written; rows are inserted in the caller's
    transaction. With bad rows and ``skip_bad`` False nothing is written (``aborted``).
    """
    now = utcnow()
    parsed: list[_Parsed] = []
    bad: list[RowProblem] = []
    unmatched: list[RowProblem] = []
    rows = 0
    header: list[str] | None = None
    fatal = False  # the file itself is unusable (header, encoding, broken quoting)
    try:
        for line, record in _rows(text_or_stream):
            if not any(field.strip() for field in record):
                continue
            if header is None:
                header = [h.strip().lower() for h in record]
                missing = [c for c in _REQUIRED if c not in header]
                if missing:
                    fatal = True
                    bad.append(
                        RowProblem(
                            line,
                            _(
                                "The first line must be the header "
                                "time,direction,number,duration,recording "
                                "(missing: {columns})."
                            ).format(columns=", ".join(missing)),
                        )
                    )
                    break
                continue
            rows += 1
            if len(record) != len(header):
                bad.append(
                    RowProblem(
                        line,
                        _("Expected {expected} fields, found {found}.").format(
                            expected=len(header), found=len(record)
                        ),
                    )
                )
                continue
            outcome = _parse_row(line, dict(zip(header, record, strict=True)), region, now)
            if isinstance(outcome, _Parsed):
                parsed.append(outcome)
            elif isinstance(outcome, RowProblem):
                bad.append(outcome)
            else:
                unmatched.append(outcome[1])
    except _CsvBroken as exc:
        fatal = True
        bad.append(RowProblem(exc.line, _("Broken CSV: {detail}.").format(detail=exc.detail)))
    except UnicodeDecodeError as exc:
        fatal = True
        bad.append(RowProblem(0, _("The file is not UTF-8 text ({detail}).").format(detail=exc)))
    if header is None and not bad:
        fatal = True
        bad.append(RowProblem(1, _("The file is empty: it needs at least the header line.")))
    if fatal or (bad and not skip_bad):
        return ImportReport(rows, 0, 0, tuple(unmatched), tuple(bad), True)

    # Which client owns each number (digits compared, whatever the formatting).
    owners: dict[str, set[int]] = {}
    for chunk in _chunks(sorted({p.digits for p in parsed})):
        for digits, client_id in session.exec(
            select(ClientPhone.digits, ClientPhone.client_id).where(
                col(ClientPhone.digits).in_(chunk)
            )
        ):
            owners.setdefault(digits, set()).add(client_id)
    existing: set[str] = set()
    for chunk in _chunks(sorted({p.key for p in parsed})):
        existing.update(
            k
            for k in session.exec(
                select(PhoneCall.external_key).where(col(PhoneCall.external_key).in_(chunk))
            )
            if k
        )

    duplicates = 0
    to_insert: list[dict[str, object]] = []
    for item in parsed:
        clients = owners.get(item.digits, set())
        if not clients:
            unmatched.append(
                RowProblem(
                    item.line,
                    _("No client has the number {number}.").format(number=phone_display(item.e164)),
                    item.raw_number,
                )
            )
            continue
        if len(clients) > 1:
            unmatched.append(
                RowProblem(
                    item.line,
                    _("Several clients have the number {number}.").format(
                        number=phone_display(item.e164)
                    ),
                    item.raw_number,
                )
            )
            continue
        if item.key in existing:
            duplicates += 1
            continue
        existing.add(item.key)
        to_insert.append(
            {
                "client_id": next(iter(clients)),
                "at": item.at,
                "direction": item.direction,
                "missed": item.missed,
                "number_e164": item.e164,
                "duration_seconds": item.seconds,
                "employee_id": None,
                "recording": item.recording.text,
                "recording_is_link": item.recording.is_link,
                "source": "import",
                "external_key": item.key,
                "created_at": now,
                "created_by": actor.id if actor else None,
            }
        )
    ids: list[int] = []
    if to_insert:
        session.execute(insert(PhoneCall), to_insert)
        keys = [str(row["external_key"]) for row in to_insert]
        for chunk in _chunks(keys):
            ids.extend(
                int(i or 0)
                for i in session.exec(
                    select(PhoneCall.id).where(col(PhoneCall.external_key).in_(chunk))
                )
            )
        ids.sort()
    unmatched.sort(key=lambda p: p.line)
    report = ImportReport(
        rows, len(ids), duplicates, tuple(unmatched), tuple(bad), False, tuple(ids)
    )
    audit.record(
        session,
        actor.id if actor else None,
        "call.import",
        "phone_call",
        None,
        rows=rows,
        imported=report.imported,
        duplicates=duplicates,
        unmatched=len(unmatched),
        bad=len(bad),
    )
    return report
