"""Calls: logging by hand, listing with filters, recordings, and the CSV import."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from remtui import i18n
from remtui.commands.comms import run_calls_import
from remtui.domain import calls
from remtui.domain.clients import ClientRecord
from remtui.domain.staff import Actor
from remtui.errors import DomainError, ValidationError
from remtui.store.engine import Store
from remtui.store.tables.comms import PhoneCall

HEADER = "time,direction,number,duration,recording\n"


def stored(store: Store) -> list[PhoneCall]:
    with store.read() as session:
        return list(session.exec(select(PhoneCall).order_by(col(PhoneCall.id))))


@pytest.fixture
def maria(make_client: Callable[..., ClientRecord]) -> ClientRecord:
    return make_client("Maria Santos", "+351 912 345 678")


@pytest.fixture
def joao(make_client: Callable[..., ClientRecord]) -> ClientRecord:
    return make_client("João Silva", "21 123 4567", "936 111 222")


def import_(store: Store, text: str, **kw: object) -> calls.ImportReport:
    with store.write() as session:
        return calls.import_calls_csv(session, text, "PT", **kw)  # type: ignore[arg-type]


# --- recordings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://pbx.example.com/rec/2026/11/20/0915.wav",
        "http://10.0.0.5:8080/r?id=42&fmt=mp3",
        "https://pbx.example.com/rec/a%20b.wav",
        "/var/spool/asterisk/monitor/0915-912345678.wav",
        "/srv/gravações/chamada 1.wav",
    ],
)
def test_safe_recordings_are_links(value: str) -> None:
    rec = calls.check_recording(value)
    assert rec == calls.Recording(value, True)
    assert rec.href.startswith(("http://", "https://", "file:///"))


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "https://pbx.example.com/rec\x1b]8;;https://evil.example\x07/1.wav",
        "https://pbx.example.com/rec/\x00a.wav",
        "https://pbx.example.com/rec/1\n.wav",
        "https://pbx.example.com/rec/1\t.wav",
        "https://pbx.example.com/my recording.wav",
        "https://pbx.example.com/\u202egnp.exe",
        "https://user:pw@evil.example/1.wav",
        "https://bank.example@evil.example/1.wav",
        "ftp://pbx.example.com/1.wav",
        "file:///etc/passwd",
        "https:///nohost",
        "https://pbx.example.com:99999/1.wav",
        "recordings/1.wav",
        "../../etc/passwd",
        "/var/rec/../../etc/passwd",
        "//evil.example/share",
        "/var/rec/\x1b[2Jx.wav",
        "C:\\rec\\1.wav",
        "<script>alert(1)</script>",
    ],
)
def test_anything_else_is_plain_text(value: str) -> None:
    rec = calls.check_recording(value)
    assert rec.is_link is False
    assert rec.href == ""
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in rec.text)
    assert "\u202e" not in rec.text


def test_empty_recording() -> None:
    assert calls.check_recording("   ") == calls.Recording("", False)


# --- logging by hand and listing --------------------------------------------------------------


def test_log_call_stores_it(store: Store, admin: Actor, maria: ClientRecord) -> None:
    at = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    with store.write() as session:
        row = calls.log_call(
            session,
            admin,
            maria.id,
            direction="outgoing",
            duration="2:05",
            recording="javascript:alert(1)",
            at=at,
        )
    assert (row.kind, row.kind_label, row.duration_text, row.employee_name) == (
        "outgoing",
        "Outgoing",
        "2:05",
        "Ana Admin",
    )
    (call,) = stored(store)
    assert (call.client_id, call.at, call.direction, call.missed) == (
        maria.id,
        at,
        "outgoing",
        False,
    )
    assert (call.number_e164, call.duration_seconds, call.employee_id) == (
        "+351912345678",
        125,
        admin.id,
    )
    assert (call.recording, call.recording_is_link, call.source) == (
        "javascript:alert(1)",
        False,
        "manual",
    )


def test_log_missed_call(store: Store, admin: Actor, maria: ClientRecord) -> None:
    with store.write() as session:
        row = calls.log_call(session, admin, maria.id, direction="missed", number="00351912345678")
    assert (row.direction, row.missed, row.kind_label) == ("incoming", True, "Missed")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"direction": "outgoing", "missed": True}, "direction"),
        ({"direction": "incoming", "duration": "2:75"}, "duration"),
        ({"direction": "incoming", "duration": "-5"}, "duration"),
        ({"direction": "incoming", "duration": 90_000}, "duration"),
        ({"direction": "incoming", "number": "12"}, "number"),
        ({"direction": "incoming", "at": datetime(2026, 1, 1, 9, 0)}, "at"),
        ({"direction": "incoming", "at": datetime.now(UTC) + timedelta(hours=1)}, "at"),
    ],
)
def test_log_call_refuses_bad_input(
    store: Store, admin: Actor, maria: ClientRecord, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as err, store.write() as session:
        calls.log_call(session, admin, maria.id, **kwargs)  # type: ignore[arg-type]
    assert field in err.value.errors
    assert stored(store) == []


def test_log_call_unknown_client(store: Store, admin: Actor) -> None:
    with pytest.raises(DomainError), store.write() as session:
        calls.log_call(session, admin, 12345, direction="incoming")


def _seed(store: Store, admin: Actor, client: ClientRecord) -> None:
    base = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    # Logged out of time order on purpose: the list follows the call time.
    plan = [(3, "incoming", False), (1, "outgoing", False), (5, "missed", False)]
    plan += [(2, "incoming", True), (4, "outgoing", False), (0, "incoming", False)]
    with store.write() as session:
        for hours, direction, missed in plan:
            calls.log_call(
                session,
                admin,
                client.id,
                direction=direction,
                missed=missed,
                at=base + timedelta(hours=hours),
            )


def test_list_calls_newest_first_with_filters(
    store: Store, admin: Actor, maria: ClientRecord
) -> None:
    _seed(store, admin, maria)
    with store.read() as session:
        every = calls.list_calls(session, maria.id)
        incoming = calls.list_calls(session, maria.id, filter="incoming")
        outgoing = calls.list_calls(session, maria.id, filter="outgoing")
        counts = calls.call_counts(session, maria.id)
    assert [r.at.hour for r in every.rows] == [14, 13, 12, 11, 10, 9]
    assert [r.kind for r in every.rows] == [
        "missed",
        "outgoing",
        "incoming",
        "missed",
        "outgoing",
        "incoming",
    ]
    assert [r.kind for r in incoming.rows] == ["missed", "incoming", "missed", "incoming"]
    assert [r.kind for r in outgoing.rows] == ["outgoing", "outgoing"]
    assert counts == calls.CallCounts(all=6, incoming=4, outgoing=2, missed=2)
    assert not every.has_more


def test_list_calls_pages(store: Store, admin: Actor, maria: ClientRecord) -> None:
    _seed(store, admin, maria)
    seen: list[int] = []
    before: int | None = None
    with store.read() as session:
        while True:
            page = calls.list_calls(session, maria.id, before_id=before, limit=4)
            seen += [r.at.hour for r in page.rows]
            if not page.has_more:
                break
            before = page.next_before_id
    assert seen == [14, 13, 12, 11, 10, 9]


def test_filter_cycle_and_labels() -> None:
    assert calls.next_filter("all") == "incoming"
    assert calls.next_filter("incoming") == "outgoing"
    assert calls.next_filter("outgoing") == "all"
    i18n.set_language("pt_PT")
    assert calls.kind_label("missed") == "Não atendida"


def test_unknown_filter(store: Store, maria: ClientRecord) -> None:
    with pytest.raises(DomainError), store.read() as session:
        calls.list_calls(session, maria.id, filter="missed-only")


# --- import ---------------------------------------------------------------------------------------


def test_import_matches_any_phone_format(
    store: Store, maria: ClientRecord, joao: ClientRecord
) -> None:
    csv_text = HEADER + (
        "2026-11-20T09:00:00Z,incoming,912345678,1:00,\n"
        "2026-11-20T09:01:00+00:00,outgoing,+351 912 345 678,30,\n"
        "2026-11-20T10:02:00+01:00,missed,00351-912-345-678,,\n"
        '2026-11-20T09:03:00Z,incoming,"(+351) 912 345 678",5,https://pbx.example/r/3.wav\n'
        "2026-11-20T09:04:00Z,outgoing,211234567,1:02:03,/var/rec/4.wav\n"
        "2026-11-20T09:05:00Z,incoming,+351.936.111.222,0,javascript:alert(1)\n"
    )
    report = import_(store, csv_text)
    assert (report.rows, report.imported, report.duplicates, report.bad) == (6, 6, 0, ())
    assert report.unmatched == () and not report.aborted
    rows = stored(store)
    assert [c.client_id for c in rows] == [maria.id] * 4 + [joao.id] * 2
    assert [c.number_e164 for c in rows][-2:] == ["+351211234567", "+351936111222"]
    assert rows[2].at == datetime(2026, 11, 20, 9, 2, tzinfo=UTC)
    assert (rows[2].direction, rows[2].missed, rows[2].duration_seconds) == ("incoming", True, 0)
    assert rows[4].duration_seconds == 3723
    assert [(c.recording, c.recording_is_link) for c in rows[3:]] == [
        ("https://pbx.example/r/3.wav", True),
        ("/var/rec/4.wav", True),
        ("javascript:alert(1)", False),
    ]
    assert {c.source for c in rows} == {"import"} and {c.employee_id for c in rows} == {None}
    assert sorted(report.call_ids) == [c.id for c in rows]


def test_import_is_idempotent(store: Store, maria: ClientRecord) -> None:
    csv_text = HEADER + (
        "2026-11-20T09:00:00Z,incoming,912345678,60,\n2026-11-20T09:30:00Z,missed,912345678,0,\n"
    )
    assert import_(store, csv_text).imported == 2
    again = import_(store, csv_text)
    assert (again.imported, again.duplicates) == (0, 2)
    # The same call written differently (other offset, other number format) is the same.
    other = HEADER + "2026-11-20T10:00:00+01:00,incoming,+351 912 345 678,60,\n"
    assert import_(store, other).duplicates == 1
    assert len(stored(store)) == 2


def test_duplicate_rows_in_one_file(store: Store, maria: ClientRecord) -> None:
    row = "2026-11-20T09:00:00Z,incoming,912345678,60,\n"
    report = import_(store, HEADER + row + row)
    assert (report.imported, report.duplicates) == (1, 1)


def test_unmatched_rows_are_reported_not_stored(
    store: Store, maria: ClientRecord, make_client: Callable[..., ClientRecord]
) -> None:
    make_client("Pai Santos", "937 777 777")
    make_client("Mãe Santos", "937 777 777")  # a shared family phone
    csv_text = HEADER + (
        "2026-11-20T09:00:00Z,incoming,912345678,60,\n"
        "2026-11-20T09:01:00Z,incoming,965 555 555,60,\n"
        "2026-11-20T09:02:00Z,incoming,anonymous,60,\n"
        "2026-11-20T09:03:00Z,outgoing,937777777,60,\n"
    )
    report = import_(store, csv_text)
    assert report.imported == 1 and report.ok and not report.aborted
    assert [(p.line, p.number) for p in report.unmatched] == [
        (3, "965 555 555"),
        (4, "anonymous"),
        (5, "937777777"),
    ]
    assert "No client" in report.unmatched[0].reason
    assert "Several clients" in report.unmatched[2].reason
    assert len(stored(store)) == 1


BAD_FILE = HEADER + (
    "2026-11-20T09:00:00Z,incoming,912345678,60,\n"  # 2: good
    "2026-11-20 09:01,incoming,912345678,60,\n"  # 3: no time zone
    "yesterday,incoming,912345678,60,\n"  # 4: not a time
    "2026-11-20T09:03:00Z,sideways,912345678,60,\n"  # 5: direction
    "\n"  # 6: empty, ignored
    "2026-11-20T09:04:00Z,outgoing,912345678,ten,\n"  # 7: duration
    '2026-11-20T09:05:00Z,outgoing,912345678,60,"multi\nline note"\n'  # 8-9: good
    "2026-11-20T09:06:00Z,outgoing,912345678\n"  # 10: fields
    "2026-11-20T09:07:00Z,outgoing,12,60,\n"  # 11: not a phone number
    "2026-11-20T09:08:00Z,incoming,912345678,60,\n"  # 12: good
)


def test_bad_rows_abort_the_import_with_line_numbers(store: Store, maria: ClientRecord) -> None:
    report = import_(store, BAD_FILE)
    assert report.aborted and not report.ok and report.imported == 0
    assert [p.line for p in report.bad] == [3, 4, 5, 7, 10, 11]
    reasons = dict((p.line, p.reason) for p in report.bad)
    assert "time zone" in reasons[3]
    assert "incoming, outgoing or missed" in reasons[5]
    assert "duration" in reasons[7].lower()
    assert "Expected 5 fields, found 3" in reasons[10]
    assert "Nothing was imported" in report.summary()
    assert stored(store) == []  # nothing half-written


def test_skip_bad_imports_the_good_rows(store: Store, maria: ClientRecord) -> None:
    report = import_(store, BAD_FILE, skip_bad=True)
    assert not report.aborted and report.imported == 3
    assert [p.line for p in report.bad] == [3, 4, 5, 7, 10, 11]
    assert [c.at.minute for c in stored(store)] == [0, 5, 8]


@pytest.mark.parametrize(
    "content",
    [
        "",
        "\n\n",
        "when,who\n2026-11-20T09:00:00Z,912345678\n",
        'time,direction,number,duration\n"2026-11-20T09:00:00Z,incoming,912345678,60\n',
    ],
)
def test_unusable_files_write_nothing_even_with_skip_bad(
    store: Store, maria: ClientRecord, content: str
) -> None:
    report = import_(store, content, skip_bad=True)
    assert report.aborted and report.bad and report.imported == 0
    assert stored(store) == []


def test_semicolons_bom_and_column_order(store: Store, maria: ClientRecord) -> None:
    content = "\ufeffNumber;Time;Duration;Direction\n912345678;2026-11-20T09:00:00Z;1:30;outgoing\n"
    report = import_(store, content)
    assert report.imported == 1
    assert stored(store)[0].duration_seconds == 90


def test_import_from_a_stream(store: Store, maria: ClientRecord) -> None:
    stream = io.StringIO(HEADER + "2026-11-20T09:00:00Z,incoming,912345678,60,\n")
    assert import_(store, stream).imported == 1  # type: ignore[arg-type]


def test_run_calls_import(store: Store, maria: ClientRecord, tmp_path: Path) -> None:
    good = tmp_path / "calls.csv"
    good.write_text(HEADER + "2026-11-20T09:00:00Z,incoming,912345678,60,\n", encoding="utf-8")
    out = io.StringIO()
    assert run_calls_import(store.url, str(good), "PT", out=out) == 0
    assert "1 imported" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_FILE, encoding="utf-8")
    out = io.StringIO()
    assert run_calls_import(store.url, str(bad), "PT", out=out) == 1
    assert "Line 3:" in out.getvalue() and "Nothing was imported" in out.getvalue()
    assert len(stored(store)) == 1
    binary = tmp_path / "latin1.csv"
    binary.write_bytes(
        HEADER.encode() + "2026-11-20T09:00:00Z,incoming,912345678,60,ã\n".encode("latin-1")
    )
    out = io.StringIO()
    assert run_calls_import(store.url, str(binary), "PT", out=out) == 1
    assert run_calls_import(store.url, str(tmp_path / "missing.csv"), "PT", out=out) == 1
    assert len(stored(store)) == 1
