"""Phone calls with clients: logged by hand or imported from the shop's telephone system.

Import format (``remtui calls import FILE.csv``, :func:`import_calls_csv`)
-------------------------------------------------------------------------
A UTF-8 CSV file (a byte-order mark is fine) whose first line is the header::

    time,direction,number,duration,recording
    2026-11-20T09:15:00+00:00,incoming,+351 912 345 678,2:05,https://pbx.example/rec/1.wav
    2026-11-20T10:02:31Z,missed,912345678,0,
    2026-11-20T11:40:00+01:00,outgoing,00351 21 123 4567,45,/var/spool/pbx/rec/2.wav

- Columns may come in any order; extra columns are ignored; ``recording`` may be left
  out. Fields are separated by commas (a file whose header uses semicolons is read with
  semicolons). Fields may be quoted as usual in CSV. Empty lines are skipped.
- ``time``: ISO 8601 with a UTC offset or ``Z`` (a time without its zone is refused: we
  cannot know which clock it was).
- ``direction``: ``incoming``, ``outgoing`` or ``missed`` (a missed call is an
  unanswered incoming one).
- ``number``: the client's number in any format (spaces, dashes, ``+351``, ``00351``, or
  national). It is matched to a client through the normalised phone digits.
- ``duration``: whole seconds (``125``), ``m:ss`` (``2:05``) or ``h:mm:ss``; empty is 0.
- ``recording``: an ``http(s)`` URL or an absolute path on the server. Anything else is
  kept as plain text and never shown as a link.

What happens to each row:

- **imported**: it names a client's number and was not imported before.
- **duplicate** (skipped): a call with the same time, number and direction (missed
  counts as incoming) is already in the store or earlier in the file. Importing the same
  file twice therefore changes nothing the second time.
- **unmatched** (skipped, reported): a well-formed row whose number belongs to no client,
  to several clients, or is withheld (no digits, e.g. ``anonymous``). The telephone system
  also logs calls with strangers, so these never stop an import.
- **bad** (reported with its line number and the reason): anything malformed. By default
  one bad row stops the whole import and nothing is written (fix the file and import it
  again); with ``skip_bad=True`` (``--skip-bad``) the good rows are imported and the bad
  ones only reported.

Rows are validated first and written afterwards, in the caller's transaction: an import
is either written whole or not at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import urlsplit

from sqlalchemy import and_, insert, or_
from sqlmodel import Session, col, func, select

from ..errors import DomainError, ValidationError
from ..i18n import _
from ..safetext import clean_input
from ..store.tables import Client, ClientPhone, Employee
from ..store.tables.comms import PhoneCall
from ..store.types import utcnow
from . import audit
from .actor import Actor
from .phones import display as phone_display
from .phones import normalise
from .text import digits_only

DIRECTIONS = ("incoming", "outgoing")
KINDS = ("incoming", "outgoing", "missed")
FILTERS = ("all", "incoming", "outgoing")
MAX_DURATION = 24 * 3600
MAX_RECORDING = 2000
PAGE = 100
CSV_COLUMNS = ("time", "direction", "number", "duration", "recording")
_REQUIRED = ("time", "direction", "number", "duration")
# Characters RFC 3986 allows in a URI (percent-escapes included via "%").
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


# --- labels ---------------------------------------------------------------------------


def kind_label(kind: str) -> str:
    """ "incoming" -> "Incoming" (translated), also "outgoing" and "missed"."""
    labels = {"incoming": _("Incoming"), "outgoing": _("Outgoing"), "missed": _("Missed")}
    return labels.get(kind, kind)


def filter_label(filter: str) -> str:
    labels = {"all": _("All"), "incoming": _("Incoming"), "outgoing": _("Outgoing")}
    return labels.get(filter, filter)


def next_filter(filter: str) -> str:
    """The filter after ``filter`` in the cycle All -> Incoming -> Outgoing -> All."""
    index = FILTERS.index(filter) if filter in FILTERS else -1
    return FILTERS[(index + 1) % len(FILTERS)]


def format_duration(seconds: int) -> str:
    """125 -> "2:05", 3725 -> "1:02:05"."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_duration(raw: str | int) -> int:
    """Seconds from "125", "2:05" or "1:02:05" (empty is 0). Raises DomainError."""
    if isinstance(raw, bool):
        raise DomainError(_("A duration is seconds or minutes:seconds, e.g. 2:05."), "duration")
    if isinstance(raw, int):
        seconds = raw
    else:
        text = raw.strip()
        if not text:
            return 0
        parts = text.split(":")
        if len(parts) > 3 or not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts):
            raise DomainError(_("A duration is seconds or minutes:seconds, e.g. 2:05."), "duration")
        if len(parts) > 1 and any(int(p) >= 60 for p in parts[1:]):
            raise DomainError(_("A duration is seconds or minutes:seconds, e.g. 2:05."), "duration")
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
    if seconds < 0:
        raise DomainError(_("A duration cannot be negative."), "duration")
    if seconds > MAX_DURATION:
        raise DomainError(_("A call lasts at most 24 hours."), "duration")
    return seconds


# --- recordings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """A recording reference as stored: ``is_link`` only for a safe http(s) URL or an
    absolute path on the server; anything else is plain text, never clickable."""

    text: str
    is_link: bool

    @property
    def href(self) -> str:
        """What a terminal hyperlink may point at ("" when not a link)."""
        return recording_href(self.text, self.is_link)


def _has_unsafe_char(value: str) -> bool:
    return any(
        unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") or ch in _BIDI for ch in value
    )


def _is_safe_url(value: str) -> bool:
    if not _URI_CHARS.match(value):  # no spaces, controls, quotes, <>, backslashes, non-ASCII
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not value.lower().startswith(parts.scheme + "://"):
        return False
    # No "user:password@host": a classic way to make a link read as another site.
    return bool(parts.hostname) and "@" not in parts.netloc


def _is_safe_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if _has_unsafe_char(value) or "\\" in value:
        return False
    return ".." not in PurePosixPath(value).parts and not value.endswith("/")


def check_recording(raw: str) -> Recording:
    """Classify a recording reference. Never raises: what is not a safe link is kept as
    (cleaned) plain text with ``is_link=False``."""
    value = (raw or "").strip(" \t\r\n")
    if not value:
        return Recording("", False)
    is_link = len(value) <= MAX_RECORDING and (_is_safe_url(value) or _is_safe_path(value))
    if is_link:
        return Recording(value, True)
    plain = clean_input(value).replace("\n", " ").replace("\t", " ")
    return Recording(plain[:MAX_RECORDING], False)


def recording_href(text: str, is_link: bool) -> str:
    if not is_link or not text:
        return ""
    if text.startswith("/"):
        return PurePosixPath(text).as_uri()
    return text


# --- rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRow:
    id: int
    client_id: int
    at: datetime
    direction: str  # incoming | outgoing
    missed: bool
    kind: str  # incoming | outgoing | missed
    kind_label: str  # translated "Incoming" / "Outgoing" / "Missed"
    number_e164: str
    number_display: str
    duration_seconds: int
    duration_text: str  # "2:05"
    employee_id: int | None
    employee_name: str  # "" when nobody (imported calls)
    recording: str
    recording_is_link: bool
    recording_href: str  # "" unless recording_is_link
    source: str  # manual | import


@dataclass(frozen=True)
class CallPage:
    """Calls newest first; pass ``next_before_id`` as ``before_id`` for the next page."""

    filter: str
    rows: tuple[CallRow, ...]
    has_more: bool
    next_before_id: int | None


@dataclass(frozen=True)
class CallCounts:
    all: int
    incoming: int  # missed included
    outgoing: int
    missed: int


def _row(call: PhoneCall, employee_name: str | None) -> CallRow:
    kind = "missed" if call.missed else call.direction
    return CallRow(
        id=call.id or 0,
        client_id=call.client_id,
        at=call.at,
        direction=call.direction,
        missed=call.missed,
        kind=kind,
        kind_label=kind_label(kind),
        number_e164=call.number_e164,
        number_display=phone_display(call.number_e164) if call.number_e164 else "",
        duration_seconds=call.duration_seconds,
        duration_text=format_duration(call.duration_seconds),
        employee_id=call.employee_id,
        employee_name=employee_name or "",
        recording=call.recording,
        recording_is_link=call.recording_is_link,
        recording_href=recording_href(call.recording, call.recording_is_link),
        source=call.source,
    )


def _require_client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None:
        raise DomainError(_("That client does not exist."))
    return client


def _kind(direction: str, missed: bool) -> tuple[str, bool]:
    value = (direction or "").strip().lower()
    if value == "missed":
        return "incoming", True
    if value not in DIRECTIONS:
        raise DomainError(_("Choose incoming, outgoing or missed."), "direction")
    if missed and value != "incoming":
        raise DomainError(_("Only an incoming call can be missed."), "direction")
    return value, missed


def log_call(
    session: Session,
    actor: Actor,
    client_id: int,
    *,
    direction: str,
    missed: bool = False,
    number: str = "",
    duration: int | str = 0,
    recording: str = "",
    at: datetime | None = None,
    region: str = "PT",
) -> CallRow:
    """Log a call by hand. ``direction``: incoming | outgoing | missed (or incoming with
    ``missed=True``). ``number`` defaults to the client's first phone. ``duration`` is
    seconds or text ("2:05"). ``at`` defaults to now. Raises ValidationError."""
    client = _require_client(session, client_id)
    errors: dict[str, str] = {}
    try:
        direction, missed = _kind(direction, missed)
    except DomainError as exc:
        errors["direction"] = exc.message
    e164 = ""
    if not (number or "").strip():
        first = session.exec(
            select(ClientPhone.e164)
            .where(ClientPhone.client_id == client_id)
            .order_by(col(ClientPhone.position))
        ).first()
        if first is None:
            errors["number"] = _("Enter the number of the call.")
        else:
            e164 = first
    else:
        try:
            e164 = normalise(number, region).e164
        except DomainError as exc:
            errors["number"] = exc.message
    seconds = 0
    try:
        seconds = parse_duration(duration)
    except DomainError as exc:
        errors["duration"] = exc.message
    now = utcnow()
    when = now if at is None else at
    if when.tzinfo is None:
        errors["at"] = _("Give the time with its time zone.")
    elif when > now + timedelta(minutes=5):
        errors["at"] = _("A call cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    rec = check_recording(recording)
    call = PhoneCall(
        client_id=client.id or client_id,
        at=when.astimezone(UTC),
        direction=direction,
        missed=missed,
        number_e164=e164,
        duration_seconds=seconds,
        employee_id=actor.id,
        recording=rec.text,
        recording_is_link=rec.is_link,
        source="manual",
        created_at=now,
        created_by=actor.id,
    )
    session.add(call)
    session.flush()
    audit.record(
        session,
        actor.id,
        "call.log",
        "phone_call",
        call.id,
        client_id=client_id,
        kind="missed" if missed else direction,
    )
    return _row(call, actor.name)


def _filtered(query: Any, filter: str) -> Any:
    if filter == "incoming":
        return query.where(PhoneCall.direction == "incoming")
    if filter == "outgoing":
        return query.where(PhoneCall.direction == "outgoing")
    return query


def list_calls(
    session: Session,
    client_id: int,
    *,
    filter: str = "all",
    before_id: int | None = None,
    limit: int = PAGE,
) -> CallPage:
    """The client's calls newest first (by call time), a page at a time. ``filter``: all,
    incoming (missed calls included) or outgoing. ``before_id``: the last id of the
    previous page."""
    if filter not in FILTERS:
        raise DomainError(_("Unknown filter: {filter}.").format(filter=filter), "filter")
    limit = max(1, min(int(limit), 1000))
    query = (
        select(PhoneCall, Employee.name)
        .join(Employee, col(Employee.id) == col(PhoneCall.employee_id), isouter=True)
        .where(PhoneCall.client_id == client_id)
    )
    query = _filtered(query, filter)
    if before_id is not None:
        anchor = session.get(PhoneCall, before_id)
        if anchor is not None:
            query = query.where(
                or_(
                    col(PhoneCall.at) < anchor.at,
                    and_(col(PhoneCall.at) == anchor.at, col(PhoneCall.id) < before_id),
                )
            )
    query = query.order_by(col(PhoneCall.at).desc(), col(PhoneCall.id).desc()).limit(limit + 1)
    found = session.exec(query).all()
    rows = tuple(_row(call, name) for call, name in found[:limit])
    has_more = len(found) > limit
    return CallPage(filter, rows, has_more, rows[-1].id if rows and has_more else None)


def call_counts(session: Session, client_id: int) -> CallCounts:
    """How many calls each filter shows (and how many were missed)."""
    found = session.exec(
        select(PhoneCall.direction, PhoneCall.missed, func.count())
        .where(PhoneCall.client_id == client_id)
        .group_by(col(PhoneCall.direction), col(PhoneCall.missed))
    ).all()
    incoming = sum(n for d, _m, n in found if d == "incoming")
    outgoing = sum(n for d, _m, n in found if d == "outgoing")
    missed = sum(n for d, m, n in found if d == "incoming" and m)
    return CallCounts(incoming + outgoing, incoming, outgoing, missed)


def get_call(session: Session, call_id: int) -> CallRow:
    found = session.exec(
        select(PhoneCall, Employee.name)
        .join(Employee, col(Employee.id) == col(PhoneCall.employee_id), isouter=True)
        .where(PhoneCall.id == call_id)
    ).first()
    if found is None:
        raise DomainError(_("That call does not exist."))
    return _row(found[0], found[1])


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
        direction, missed = _kind(fields.get("direction", ""), False)
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
