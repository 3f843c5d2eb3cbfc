"""SMS: segment counting, queueing, the command gateway and concurrent senders."""

from __future__ import annotations

import io
import math
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

from remtui.commands.comms import run_sms_send
from remtui.config import SmsSettings
from remtui.domain import sms
from remtui.domain.clients import ClientRecord
from remtui.domain.staff import Actor
from remtui.errors import DomainError
from remtui.store.engine import Store
from remtui.store.tables.comms import SmsMessage
from remtui.store.types import utcnow

GATEWAY = Path(__file__).parent / "helpers" / "fake_sms_gateway.py"
HOSTILE = "$(rm -rf /); \"'\\` | & ; <> * 😀 ção\n$HOME ${IFS} %s -- -x"


def gateway(mode: str, log_dir: Path, timeout: int = 20) -> SmsSettings:
    log_dir.mkdir(exist_ok=True)
    return SmsSettings(
        gateway="command",
        command=(sys.executable, str(GATEWAY), mode, str(log_dir)),
        timeout_seconds=timeout,
    )


def runs(log_dir: Path) -> list[list[bytes]]:
    return [p.read_bytes().split(b"\0") for p in sorted(log_dir.glob("run-*.argv"))]


def all_sms(store: Store) -> list[SmsMessage]:
    with store.read() as session:
        return list(session.exec(select(SmsMessage).order_by(col(SmsMessage.id))))


@pytest.fixture
def client(make_client: Callable[..., ClientRecord]) -> ClientRecord:
    return make_client("Rui Costa", "+351 212 345 678", "912 345 678")


def queue(store: Store, actor: Actor, client: ClientRecord, text: str = "Olá") -> sms.SmsRow:
    with store.write() as session:
        return sms.queue_sms(session, actor, client.id, "+351912345678", text)


# --- segments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0, 0)),
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("é@£$¥èùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà", ("GSM-7", 41, 1)),
        # Extension characters count twice.
        ("€" * 80, ("GSM-7", 160, 1)),
        ("€" * 80 + "a", ("GSM-7", 161, 2)),
        ("^{}\\[~]|€", ("GSM-7", 18, 1)),
        ("a" * 159 + "[", ("GSM-7", 161, 2)),
        # An extension character is never split between segments: 152 + [€ won't fit].
        ("a" * 152 + "€" + "a" * 152, ("GSM-7", 306, 3)),
        # One character outside GSM-7 makes the whole text UCS-2.
        ("ç" * 70, ("UCS-2", 70, 1)),
        ("ç" * 71, ("UCS-2", 71, 2)),
        ("a" * 69 + "ç", ("UCS-2", 70, 1)),
        ("a" * 70 + "ç", ("UCS-2", 71, 2)),
        ("ç" * 134, ("UCS-2", 134, 2)),
        ("ç" * 135, ("UCS-2", 135, 3)),
        # An emoji is two UTF-16 units, and a pair is never split.
        ("😀" * 35, ("UCS-2", 70, 1)),
        ("😀" * 36, ("UCS-2", 72, 2)),
        ("a" * 66 + "😀" + "a" * 66, ("UCS-2", 134, 3)),
    ],
)
def test_segments(text: str, expected: tuple[str, int, int]) -> None:
    result = sms.segments(text)
    assert tuple(result) == expected
    assert (result.encoding, result.chars, result.segments) == expected


def test_segment_limits_shown_to_the_clerk() -> None:
    assert sms.segments("a" * 160).per_segment == 160
    assert sms.segments("a" * 161).per_segment == 153
    assert sms.segments("ç").per_segment == 70
    assert sms.segments("ç" * 71).per_segment == 67


_GSM_BASIC = sorted(sms.GSM7_BASIC - {"\r"})


@given(st.text(alphabet=st.sampled_from(_GSM_BASIC), max_size=800))
def test_plain_gsm_text_follows_the_formula(text: str) -> None:
    result = sms.segments(text)
    assert result.encoding == "GSM-7"
    assert result.chars == len(text)
    if not text:
        assert result.segments == 0
    elif len(text) <= 160:
        assert result.segments == 1
    else:
        assert result.segments == math.ceil(len(text) / 153)


@given(st.text(max_size=400))
def test_segments_never_fewer_than_the_units_need(text: str) -> None:
    result = sms.segments(text)
    single, multi = (160, 153) if result.encoding == "GSM-7" else (70, 67)
    if result.chars <= single:
        assert result.segments == (1 if result.chars else 0)
    else:
        assert result.segments >= math.ceil(result.chars / multi)
        assert result.segments <= math.ceil(result.chars / (multi - 1))


# --- queueing and listing -------------------------------------------------------------------


def test_queue_sms_stores_a_queued_message(
    store: Store, admin: Actor, client: ClientRecord
) -> None:
    row = queue(store, admin, client, "  O seu portátil está pronto.  ")
    assert row.status == "queued" and row.status_label == "Queued"
    stored = all_sms(store)
    assert [(m.status, m.text, m.number_e164, m.employee_id) for m in stored] == [
        ("queued", "O seu portátil está pronto.", "+351912345678", admin.id)
    ]


@pytest.mark.parametrize(
    ("number", "text", "field"),
    [
        ("+351912345678", "", "text"),
        ("+351912345678", "   \n ", "text"),
        ("+351912345678", "x" * (153 * sms.MAX_SEGMENTS + 1), "text"),
        ("+351934444444", "Olá", "number"),  # not one of the client's phones
        ("", "Olá", "number"),
    ],
)
def test_queue_sms_refuses_bad_input_and_writes_nothing(
    store: Store, admin: Actor, client: ClientRecord, number: str, text: str, field: str
) -> None:
    with pytest.raises(DomainError) as err, store.write() as session:
        sms.queue_sms(session, admin, client.id, number, text)
    assert err.value.field == field
    assert err.value.message
    assert all_sms(store) == []


def test_longest_allowed_text_is_accepted(store: Store, admin: Actor, client: ClientRecord) -> None:
    queue(store, admin, client, "x" * (153 * sms.MAX_SEGMENTS))
    assert len(all_sms(store)) == 1


def test_numbers_for_sms_notify_first(
    store: Store, admin: Actor, make_client: Callable[..., ClientRecord]
) -> None:
    from remtui.domain import clients

    form = clients.ClientForm(
        name="Ana Lima",
        phones=(
            clients.PhoneInput("212 345 678", "casa"),
            clients.PhoneInput("912 000 001", "trabalho"),
            clients.PhoneInput("936 000 002", "pessoal", notify=True),
        ),
    )
    with store.write() as session:
        record = clients.create_client(session, admin, form)
    with store.read() as session:
        numbers = sms.client_numbers_for_sms(session, record.id)
    assert [(n.e164, n.notify, n.mobile) for n in numbers] == [
        ("+351936000002", True, True),
        ("+351912000001", False, True),
        ("+351212345678", False, False),
    ]


def test_list_sms_newest_first_in_pages(store: Store, admin: Actor, client: ClientRecord) -> None:
    for i in range(5):
        queue(store, admin, client, f"mensagem {i}")
    with store.read() as session:
        first = sms.list_sms(session, client.id, limit=3)
        second = sms.list_sms(session, client.id, before_id=first.next_before_id, limit=3)
        counts = sms.sms_counts(session, client.id)
    assert [r.text for r in first.rows] == ["mensagem 4", "mensagem 3", "mensagem 2"]
    assert first.has_more
    assert [r.text for r in second.rows] == ["mensagem 1", "mensagem 0"]
    assert not second.has_more and second.next_before_id is None
    assert first.rows[0].employee_name == "Ana Admin"
    assert counts["queued"] == 5 and counts["sent"] == 0


# --- gateways --------------------------------------------------------------------------------


def test_none_gateway_leaves_messages_queued(
    store: Store, admin: Actor, client: ClientRecord
) -> None:
    queue(store, admin, client)
    report = sms.send_queued(store, SmsSettings(gateway="none"))
    assert report.gateway == "none" and report.sent == 0 and report.still_queued == 1
    assert "queued" in report.message
    assert [m.status for m in all_sms(store)] == ["queued"]


def test_command_gateway_success(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    row = queue(store, admin, client, "Pronto!")
    report = sms.send_queued(store, gateway("ok", tmp_path / "log"))
    assert (report.sent, report.failed, report.still_queued) == (1, 0, 0)
    assert report.ok
    (stored,) = all_sms(store)
    assert stored.status == "sent" and stored.error == "" and stored.sent_at is not None
    assert runs(tmp_path / "log") == [[b"+351912345678", b"Pronto!"]]
    with store.read() as session:
        assert sms.get_sms(session, row.id).status_label == "Sent"


def test_command_gateway_failure_keeps_the_programs_message(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    queue(store, admin, client)
    report = sms.send_queued(store, gateway("fail", tmp_path / "log"))
    assert (report.sent, report.failed) == (0, 1) and not report.ok
    (stored,) = all_sms(store)
    assert stored.status == "failed"
    assert stored.error == "gateway refused +351912345678: no credit"
    assert report.results[0].error == stored.error


def test_command_gateway_failure_without_output_says_the_exit_status(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    queue(store, admin, client)
    sms.send_queued(store, gateway("silent", tmp_path / "log"))
    (stored,) = all_sms(store)
    assert stored.status == "failed" and "4" in stored.error


def test_command_gateway_timeout_fails_the_message(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    queue(store, admin, client)
    report = sms.send_queued(store, gateway("hang", tmp_path / "log", timeout=1))
    assert report.failed == 1
    (stored,) = all_sms(store)
    assert stored.status == "failed"
    assert "did not finish within 1 second" in stored.error


def test_command_gateway_program_missing(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    queue(store, admin, client)
    settings = SmsSettings(gateway="command", command=(str(tmp_path / "no-such-program"),))
    report = sms.send_queued(store, settings)
    assert report.failed == 1
    (stored,) = all_sms(store)
    assert stored.status == "failed" and "could not be started" in stored.error


def test_hostile_text_arrives_byte_for_byte(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    queue(store, admin, client, HOSTILE)
    (stored,) = all_sms(store)
    assert stored.text == HOSTILE.strip()
    sms.send_queued(store, gateway("ok", tmp_path / "log"))
    assert runs(tmp_path / "log") == [[b"+351912345678", HOSTILE.strip().encode("utf-8")]]
    assert all_sms(store)[0].status == "sent"


def test_text_starting_with_a_dash_is_one_argument(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    queue(store, admin, client, "--help; -rf")
    sms.send_queued(store, gateway("ok", tmp_path / "log"))
    assert runs(tmp_path / "log") == [[b"+351912345678", b"--help; -rf"]]


@pytest.mark.parametrize(
    "settings",
    [
        SmsSettings(gateway="carrier-pigeon"),
        SmsSettings(gateway="command", command=()),
        SmsSettings(gateway="command", command=("x",), timeout_seconds=0),
    ],
)
def test_bad_settings_are_refused(
    store: Store, admin: Actor, client: ClientRecord, settings: SmsSettings
) -> None:
    queue(store, admin, client)
    with pytest.raises(DomainError):
        sms.send_queued(store, settings)
    assert [m.status for m in all_sms(store)] == ["queued"]


# --- never twice -------------------------------------------------------------------------------


def test_concurrent_senders_never_send_a_message_twice(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    texts = [f"aviso {i}" for i in range(16)]
    for text in texts:
        queue(store, admin, client, text)
    settings = gateway("ok", tmp_path / "log")
    reports: list[sms.SendReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def sender() -> None:
        own = Store(store.url)  # a separate clerk's / cron's connection
        try:
            start.wait()
            reports.append(sms.send_queued(own, settings))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sent_texts = sorted(run[1].decode() for run in runs(tmp_path / "log"))
    assert sent_texts == sorted(texts)  # each exactly once
    assert sum(r.sent for r in reports) == len(texts)
    assert {m.status for m in all_sms(store)} == {"sent"}
    assert {m.attempts for m in all_sms(store)} == {1}


def test_a_claimed_message_is_not_sent_by_another_sender(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    row = queue(store, admin, client)
    with store.write() as session:
        msg = session.get(SmsMessage, row.id)
        assert msg is not None
        msg.status, msg.claim_token, msg.claimed_at = "sending", "other", utcnow()
        session.add(msg)
    report = sms.send_queued(store, gateway("ok", tmp_path / "log"))
    assert report.sent == 0 and runs(tmp_path / "log") == []
    assert all_sms(store)[0].status == "sending"


def test_a_message_stuck_in_sending_is_failed_not_resent(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    row = queue(store, admin, client)
    settings = gateway("ok", tmp_path / "log")
    with store.write() as session:
        msg = session.get(SmsMessage, row.id)
        assert msg is not None
        msg.status, msg.claim_token = "sending", "dead"
        msg.claimed_at = utcnow() - sms.stale_after(settings) - timedelta(seconds=1)
        session.add(msg)
    report = sms.send_queued(store, settings)
    assert report.interrupted == 1 and report.sent == 0
    assert runs(tmp_path / "log") == []
    (stored,) = all_sms(store)
    assert stored.status == "failed" and "interrupted" in stored.error
    # The clerk can queue it again, and then it goes.
    with store.write() as session:
        assert sms.requeue_sms(session, admin, row.id).status == "queued"
    assert sms.send_queued(store, settings).sent == 1
    assert all_sms(store)[0].status == "sent"


# --- delivery reports ----------------------------------------------------------------------------


def test_set_status_follows_the_life_of_a_message(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    row = queue(store, admin, client)
    with pytest.raises(DomainError), store.write() as session:
        sms.set_status(session, row.id, "delivered")  # not sent yet
    sms.send_queued(store, gateway("ok", tmp_path / "log"))
    with store.write() as session:
        assert sms.set_status(session, row.id, "delivered").status == "delivered"
    with pytest.raises(DomainError), store.write() as session:
        sms.set_status(session, row.id, "failed", "late")
    with pytest.raises(DomainError), store.write() as session:
        sms.set_status(session, row.id, "queued")
    with pytest.raises(DomainError), store.write() as session:
        sms.set_status(session, 999_999, "sent")
    assert all_sms(store)[0].status == "delivered"


def test_failed_delivery_report_keeps_the_error(
    store: Store, admin: Actor, client: ClientRecord, tmp_path: Path
) -> None:
    row = queue(store, admin, client)
    sms.send_queued(store, gateway("ok", tmp_path / "log"))
    with store.write() as session:
        sms.set_status(session, row.id, "failed", "  absent subscriber \x1b[31m ")
    (stored,) = all_sms(store)
    assert (stored.status, stored.error) == ("failed", "absent subscriber [31m")


def test_requeue_only_failed(store: Store, admin: Actor, client: ClientRecord) -> None:
    row = queue(store, admin, client)
    with pytest.raises(DomainError), store.write() as session:
        sms.requeue_sms(session, admin, row.id)


# --- the command ---------------------------------------------------------------------------------


def test_run_sms_send(store: Store, admin: Actor, client: ClientRecord, tmp_path: Path) -> None:
    queue(store, admin, client, "um")
    out = io.StringIO()
    assert run_sms_send(store.url, gateway("ok", tmp_path / "log"), out=out) == 0
    assert "1 sent" in out.getvalue()
    queue(store, admin, client, "dois")
    out = io.StringIO()
    assert run_sms_send(store.url, gateway("fail", tmp_path / "log2"), out=out) == 1
    assert "no credit" in out.getvalue()
    out = io.StringIO()
    assert run_sms_send(store.url, SmsSettings(gateway="bogus"), out=out) == 1
    assert "bogus" in out.getvalue()
    out = io.StringIO()
    assert run_sms_send(f"sqlite:///{tmp_path / 'none.sqlite3'}", SmsSettings(), out=out) == 1
    assert not (tmp_path / "none.sqlite3").exists()
