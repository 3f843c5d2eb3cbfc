"""Hostile input, generated: whatever a clerk types or a file holds, the parsers and importers
answer with a result or a clear DomainError — never another exception — and an import that
fails writes nothing.

Each property runs a bounded number of examples (see ``EXAMPLES``); set
REMTUI_FUZZ_EXAMPLES to run more (e.g. overnight).
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select

import remtui
from remtui import dates, money
from remtui.domain import calls, chats, phones, search
from remtui.errors import DomainError
from remtui.store.engine import Store
from remtui.store.tables import AuditEntry
from remtui.store.tables.comms import Chat, ChatMessage, PhoneCall

EXAMPLES = int(os.environ.get("REMTUI_FUZZ_EXAMPLES", "250"))
STORE_EXAMPLES = max(20, EXAMPLES // 3)
LOCALES = ("en_GB", "pt_PT")
CURRENCIES = ("EUR", "GBP", "JPY", "BHD")  # 2, 2, 0 and 3 decimal places

pure = settings(max_examples=EXAMPLES, deadline=None)
on_store = settings(
    max_examples=STORE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that tends to break things: controls, escapes, bidi, wide and combining
# characters, surrogates-to-be, very long runs, markup, SQL and FTS syntax.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x1b[31m",
        "\x1b]0;pwned\x07",
        "\u202e",
        "\u200b",
        "\ufeff",
        "e\u0301",
        "👩‍🔧",
        "中文",
        "[bold]x[/]",
        "[link=file:///etc/passwd]x[/link]",
        "%",
        "_",
        "\\",
        "'",
        '"',
        "*",
        "NEAR(",
        "^",
        "OR",
        "-",
        "−",
        "٣",
        "²",
        "１２",
        "0" * 50,
        "9" * 5000,
        "\n",
        "\r\n",
        "\t",
        "\u2028",
    ]
)
HOSTILE_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.lists(st.one_of(NASTY, st.text(max_size=5)), max_size=8).map("".join),
)


def _written(session: Session) -> tuple[int, int, int, int]:
    """What imports write: calls, chats, chat messages and audit records."""
    counts = [
        session.exec(select(func.count()).select_from(table)).one()
        for table in (PhoneCall, Chat, ChatMessage, AuditEntry)
    ]
    return (counts[0], counts[1], counts[2], counts[3])


class _Discard(Exception):
    """Raised to roll an example's transaction back (each example starts alike)."""


@contextmanager
def _rolled_back(store: Store) -> Iterator[Session]:
    try:
        with store.write() as session:
            yield session
            raise _Discard
    except _Discard:
        pass


# Defects these properties once found, now fixed (regression tests at the end of this
# file). An entry here (exception type, "module.function") would excuse a known defect.
KNOWN: set[tuple[str, str]] = set()
SRC = Path(remtui.__file__).parent


def _raised_in(exc: BaseException) -> str:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).is_relative_to(SRC)
    ]
    return f"{Path(frames[-1].filename).stem}.{frames[-1].name}" if frames else "?"


def _only_domain_errors(fn: Callable[[], Any]) -> Any:
    """fn's result, or the DomainError it raised (with a message). Anything else fails
    the property, except the KNOWN defects."""
    try:
        return fn()
    except DomainError as exc:
        assert exc.message and isinstance(exc.message, str)
        return exc
    except Exception as exc:
        if (type(exc).__name__, _raised_in(exc)) in KNOWN:
            return exc
        raise


# --- money --------------------------------------------------------------------------------

AMOUNTISH = st.lists(
    st.one_of(
        st.sampled_from(list("0123456789")),
        st.sampled_from([" ", ".", ",", "-", "+", "−", "€", "£", "\u00a0", "\u202f", "EUR"]),
        NASTY,
    ),
    max_size=25,
).map("".join)


@pure
@given(
    text=st.one_of(AMOUNTISH, HOSTILE_TEXT),
    locale=st.sampled_from(LOCALES),
    currency=st.sampled_from(CURRENCIES),
    allow_zero=st.booleans(),
    allow_negative=st.booleans(),
)
def test_parse_amount_returns_whole_minor_units_or_a_clear_error(
    text: str, locale: str, currency: str, allow_zero: bool, allow_negative: bool
) -> None:
    result = _only_domain_errors(
        lambda: money.parse_amount(
            text, currency, locale, allow_zero=allow_zero, allow_negative=allow_negative
        )
    )
    if isinstance(result, Exception):
        return
    assert type(result) is int
    assert abs(result) < money.MAX_UNITS * 10 ** money.currency_digits(currency)
    assert allow_zero or result != 0
    assert allow_negative or result >= 0
    # What we show for an amount parses back to the same amount.
    shown = money.format_money(result, currency, locale)
    assert money.parse_amount(shown, currency, locale, allow_zero=True, allow_negative=True) == (
        result
    )


# --- phones, dates ------------------------------------------------------------------------

PHONEISH = st.lists(
    st.one_of(st.sampled_from(list("0123456789+()-. /")), st.sampled_from(["00", "+351", "9"])),
    max_size=24,
).map("".join)


@pure
@given(
    raw=st.one_of(PHONEISH, HOSTILE_TEXT),
    region=st.sampled_from(["PT", "GB", "BR", "US", "ZZ", ""]),
)
def test_phone_normaliser_gives_e164_or_a_clear_error(raw: str, region: str) -> None:
    result = _only_domain_errors(lambda: phones.normalise(raw, region))
    if isinstance(result, Exception):
        return
    assert result.e164.startswith("+") and result.e164[1:].isdigit()
    assert result.digits == result.e164[1:]
    assert phones.normalise(result.e164, region) == result  # stable
    assert phones.display(result.e164)


DATEISH = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).flatmap(
        lambda d: st.sampled_from(
            [d.isoformat(), d.strftime("%d/%m/%Y"), d.strftime("%d.%m.%y"), d.strftime("%m-%d")]
        )
    ),
    st.lists(
        st.one_of(st.sampled_from(list("0123456789/.- ")), st.sampled_from(["9" * 12, "0" * 30])),
        max_size=14,
    ).map("".join),
)


@pure
@given(text=st.one_of(DATEISH, HOSTILE_TEXT), locale=st.sampled_from(LOCALES))
def test_parse_date_gives_a_date_or_a_clear_error(text: str, locale: str) -> None:
    result = _only_domain_errors(lambda: dates.parse_date(text, locale))
    assert result is None or isinstance(result, Exception | date)
    if result is None:
        assert not text.strip()


# --- search -------------------------------------------------------------------------------


@pytest.fixture
def small_store(store: Store, make_client: Callable[..., Any]) -> Store:
    make_client("Ana Silva", "912345678", email="ana@example.pt")
    make_client("João Conceição", "213456789", tax_id="123456789")
    make_client("Zé_100% \\Costa", "+44 20 7946 0958")
    make_client('O\'Brien "Quoted"', "962 222 333")
    make_client("中文 名字", "931 111 222")
    return store


@on_store
@given(
    query=st.one_of(HOSTILE_TEXT, PHONEISH),
    limit=st.integers(-5, 600),
    offset=st.integers(-5, 10**6),
)
def test_any_search_gives_results_never_an_exception(
    small_store: Store, query: str, limit: int, offset: int
) -> None:
    terms = search.terms_of(query)
    assert all(isinstance(t, str) and t for t in terms)
    with small_store.read() as session:
        page = search.search_clients(session, query, limit=limit, offset=offset)
        ids = {i for (i,) in session.connection().exec_driver_sql("SELECT id FROM client")}
    assert page.query == query
    assert len(page.hits) <= max(1, min(limit, 500))
    assert {h.id for h in page.hits} <= ids


# --- the call importer --------------------------------------------------------------------

TIMES = st.one_of(
    st.sampled_from(
        [
            "2026-11-20T09:15:00+00:00",
            "2026-11-20T10:02:31Z",
            "2026-11-20T11:40:00+01:00",
            "2026-11-20T09:15:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "2999-01-01T00:00:00Z",
            "yesterday",
            "",
        ]
    ),
    HOSTILE_TEXT,
)
NUMBERS = st.one_of(
    st.sampled_from(
        ["+351 912 345 678", "912345678", "00351 21 345 6789", "962222333", "anonymous", ""]
    ),
    PHONEISH,
    HOSTILE_TEXT,
)
DURATIONS = st.one_of(
    st.sampled_from(["0", "125", "2:05", "1:02:05", "1:60", "-3", "", "9" * 5000, "٣"]),
    st.integers(-(10**6), 10**6).map(str),
    HOSTILE_TEXT,
)
RECORDINGS = st.one_of(
    st.sampled_from(
        [
            "https://pbx.example/rec/1.wav",
            "/var/spool/pbx/rec/2.wav",
            "javascript:alert(1)",
            "https://user:pw@evil.example/",
            "http://[::1",
            "/../etc/passwd",
            "",
        ]
    ),
    HOSTILE_TEXT,
)
DIRECTIONS = st.one_of(st.sampled_from(["incoming", "outgoing", "missed", "INCOMING", ""]), NASTY)


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',;"\n\r') else value


@st.composite
def call_files(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(HOSTILE_TEXT)  # not a CSV at all
    columns = list(draw(st.permutations(["time", "direction", "number", "duration", "recording"])))
    if draw(st.booleans()):
        columns = columns[: draw(st.integers(1, 5))]
    sep = draw(st.sampled_from([",", ";"]))
    lines = [sep.join(columns)]
    field = {"time": TIMES, "direction": DIRECTIONS, "number": NUMBERS}
    field.update(duration=DURATIONS, recording=RECORDINGS)
    for _ in range(draw(st.integers(0, 6))):
        row = [_csv_field(draw(field[c])) for c in columns]
        if draw(st.integers(0, 9)) == 0:
            row.append("extra")
        lines.append(sep.join(row))
    end = draw(st.sampled_from(["\n", "\r\n", ""]))
    prefix = draw(st.sampled_from(["", "\ufeff"]))
    return prefix + "\n".join(lines) + end


@on_store
@given(text=call_files(), skip_bad=st.booleans())
def test_call_import_reports_or_refuses_and_a_failed_import_writes_nothing(
    small_store: Store, text: str, skip_bad: bool
) -> None:
    with _rolled_back(small_store) as session:
        before = _written(session)
        result = _only_domain_errors(
            lambda: calls.import_calls_csv(session, text, "PT", skip_bad=skip_bad)
        )
        after = _written(session)
        if isinstance(result, Exception) or result.aborted:
            assert after == before, "a failed import wrote something"
            return
        assert result.rows >= result.imported + result.duplicates
        assert after[0] == before[0] + result.imported
        assert len(result.call_ids) == result.imported
        if result.imported:
            assert after[3] == before[3] + 1  # one audit record for the import
        assert skip_bad or not result.bad


# --- incoming chat messages ---------------------------------------------------------------

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    HOSTILE_TEXT,
)


@st.composite
def message_lines(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(HOSTILE_TEXT)  # not JSON
    if kind == 1:
        value = draw(
            st.recursive(
                JSON_SCALARS,
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3)
                ),
                max_leaves=8,
            )
        )
        return json.dumps(value)
    obj: dict[str, Any] = {}
    if draw(st.integers(0, 5)):
        obj["channel"] = draw(
            st.one_of(
                st.sampled_from(["whatsapp", "email", "sms", "WhatsApp", "fax"]), JSON_SCALARS
            )
        )
    if draw(st.booleans()):
        obj["phone"] = draw(st.one_of(NUMBERS, JSON_SCALARS))
    if draw(st.booleans()):
        obj["client_id"] = draw(
            st.one_of(
                st.integers(-3, 8),
                st.sampled_from(["1", " 2 ", "²", "٣", "1e3", str(2**80), 2**80]),
                JSON_SCALARS,
            )
        )
    if draw(st.integers(0, 5)):
        obj["text"] = draw(st.one_of(HOSTILE_TEXT, st.just("x" * 20_001), JSON_SCALARS))
    if draw(st.booleans()):
        obj["time"] = draw(st.one_of(TIMES, JSON_SCALARS))
    return json.dumps(obj, ensure_ascii=draw(st.booleans()))


@on_store
@given(lines=st.lists(message_lines(), max_size=5), skip_bad=st.booleans())
def test_receiving_messages_reports_or_refuses_and_a_failed_receive_writes_nothing(
    small_store: Store, lines: list[str], skip_bad: bool
) -> None:
    with _rolled_back(small_store) as session:
        before = _written(session)
        result = _only_domain_errors(
            lambda: chats.receive_messages(session, lines, "PT", skip_bad=skip_bad)
        )
        after = _written(session)
        if isinstance(result, Exception) or result.aborted:
            assert after == before, "a failed receive wrote something"
            return
        assert after[2] == before[2] + result.received
        assert after[1] == before[1] + result.chats_opened
        assert skip_bad or not result.problems


def test_the_strategies_reach_the_interesting_paths(small_store: Store) -> None:
    """A good file and a good message are accepted (so the properties above are not
    vacuous: the happy path is reachable from what they generate)."""
    text = (
        "time,direction,number,duration,recording\n"
        "2026-11-20T09:15:00+00:00,incoming,+351 912 345 678,2:05,https://pbx.example/rec/1.wav\n"
    )
    line = json.dumps({"channel": "whatsapp", "phone": "912345678", "text": "Olá"})
    with _rolled_back(small_store) as session:
        assert calls.import_calls_csv(session, text, "PT").imported == 1
        assert chats.receive_messages(session, [line], "PT").received == 1


# --- defects these properties found, fixed: kept as regression tests ---------------------


def _call_file(time: str = "2026-11-20T09:15:00Z", duration: str = "1") -> str:
    return f"time,direction,number,duration\n{time},incoming,912345678,{duration}\n"


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_fixed_call_time_at_the_calendar_edge(small_store: Store, time: str) -> None:
    with _rolled_back(small_store) as session:
        assert calls.import_calls_csv(session, _call_file(time=time)).aborted


def test_fixed_call_duration_of_5000_digits(small_store: Store) -> None:
    with _rolled_back(small_store) as session:
        assert calls.import_calls_csv(session, _call_file(duration="9" * 5000)).aborted


@pytest.mark.parametrize(
    "line",
    [
        "1" * 4301,  # json.loads: an integer too long to convert (ValueError)
        '{"channel": "sms", "client_id": "\u00b2", "text": "x"}',  # "²".isdigit()
        '{"channel": "sms", "phone": "912345678", "text": "x", '
        '"time": "0001-01-01T00:00:00+01:00"}',
    ],
    ids=["huge-json-int", "superscript-id", "time-edge"],
)
def test_fixed_incoming_line_not_refused_clearly(small_store: Store, line: str) -> None:
    with _rolled_back(small_store) as session:
        assert chats.receive_messages(session, [line], "PT").aborted


def test_fixed_incoming_client_id_beyond_64_bits(small_store: Store) -> None:
    line = json.dumps({"channel": "sms", "client_id": 2**63, "text": "x"})
    with _rolled_back(small_store) as session:
        assert chats.receive_messages(session, [line], "PT").aborted


@pytest.mark.parametrize("text", ["1/1/99999999999", "99999999999999999999/1/1"])
def test_fixed_date_with_a_huge_year_or_day(text: str) -> None:
    with pytest.raises(DomainError):
        dates.parse_date(text, "en_GB")
