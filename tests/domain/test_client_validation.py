"""The client form refuses implausible tax ids, e-mails and discounts (a tester's findings)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from remtui import i18n
from remtui.domain import clients
from remtui.domain.clients import ClientForm
from remtui.errors import DomainError, ValidationError


def error_for(field: str, region: str = "PT", **fields: str) -> str | None:
    try:
        clients.validate(ClientForm(name="Ana", **fields), region)  # type: ignore[arg-type]
    except ValidationError as exc:
        return exc.errors.get(field)
    return None


# --- tax id ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "A tax id has 5 to 20 letters and digits."),
        ("abc", "A tax id has 5 to 20 letters and digits."),
        ("1234", "A tax id has 5 to 20 letters and digits."),
        ("1-2.3 4", "A tax id has 5 to 20 letters and digits."),
        ("A" * 19 + "12", "At most 20 characters."),
        ("ABCDEF", "A tax id has at least 2 digits."),
        ("ESQA1BCDE", "A tax id has at least 2 digits."),
        ("12<3>45", "A tax id is letters and digits only."),
        ("123/456", "A tax id is letters and digits only."),
        ("12345_6", "A tax id is letters and digits only."),
        ("ÉS123456", "A tax id is letters and digits only."),
        ("１２３４５６", "A tax id is letters and digits only."),
        ("123456780", "That NIF's check digit is wrong."),
        ("123.456.780", "That NIF's check digit is wrong."),
        ("PT123456780", "That NIF's check digit is wrong."),
        ("pt 123 456 780", "That NIF's check digit is wrong."),
        # python-stdnum's rules: the check digit of 000000000 is "right", but no NIF
        # starts with 0.
        ("000000000", "That is not a NIF: a NIF never starts with 0."),
        ("PT000000000", "That is not a NIF: a NIF never starts with 0."),
        ("012345675", "That is not a NIF: a NIF never starts with 0."),
    ],
)
def test_implausible_tax_id_is_refused_with_its_reason(raw, message):
    assert error_for("tax_id", tax_id=raw) == message


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "123456789",
        "123 456 789",
        "123.456.789",
        "PT123456789",
        "PT 123-456-789",
        "ESQ2517374J",
        "esq2517374j",
        "DE123456789",
        "Q251737454",
        "AB12C",
        "1" * 20,
    ],
)
def test_plausible_tax_id_is_accepted(raw):
    assert error_for("tax_id", tax_id=raw) is None


def test_nif_check_agrees_with_python_stdnum():
    """Every first digit and every check digit of a few bodies: the form accepts exactly
    what python-stdnum accepts (and the Portuguese message says why it refuses)."""
    from stdnum.pt import nif

    for body in ("12345678", "50000000", "98765432", "00000000", "40404040"):
        for body_first in "0123456789":
            for check in "0123456789":
                number = body_first + body[1:] + check
                problem = error_for("tax_id", tax_id=number)
                assert (problem is None) == nif.is_valid(number), number
    i18n.set_language("pt_PT")
    try:
        assert error_for("tax_id", tax_id="000000000") == (
            "Isso não é um NIF: um NIF nunca começa por 0."
        )
    finally:
        i18n.set_language("en")


def test_nine_digits_outside_portugal_skip_the_nif_check_but_pt_prefix_does_not():
    assert error_for("tax_id", region="ES", tax_id="123456780") is None
    assert error_for("tax_id", region="ES", tax_id="PT123456780") == (
        "That NIF's check digit is wrong."
    )


def test_tax_id_is_stored_upper_case_without_spaces(make_client):
    assert make_client("Ana", tax_id=" esq 2517374j ").tax_id == "ESQ2517374J"


# --- e-mail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "x@y..pt",
        "x@-y.pt",
        "x@y.pt[b]",
        "x@y.pt-",
        "x..y@z.pt",
        ".x@z.pt",
        "x@[192.0.2.1]",
        '"x"@y.pt',
        "Ana <ana@y.pt>",
        "x@localhost",
        "x@y.p",
        "a@b",
        "a b@c.pt",
        "not-an-email",
    ],
)
def test_malformed_email_is_refused(raw):
    assert error_for("email", email=raw) == "That is not an e-mail address."


@pytest.mark.parametrize(
    "raw", ["", "ana@exemplo.pt", "j.silva+oficina@exemplo.com.pt", "joão@exemplo.pt"]
)
def test_well_formed_email_is_accepted(raw):
    assert error_for("email", email=raw) is None


def test_email_is_stored_as_typed_trimmed_and_lower_cased(make_client):
    assert make_client("Ana", email="  Ana.Silva@Exemplo.PT ").email == "ana.silva@exemplo.pt"


# --- discount -------------------------------------------------------------------

NOT_A_NUMBER = "Type the discount as a number, like 10 or 12.5."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e2", NOT_A_NUMBER),
        ("1E1", NOT_A_NUMBER),
        ("nan", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("inf", NOT_A_NUMBER),
        ("-inf", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("-1", NOT_A_NUMBER),
        ("+5", NOT_A_NUMBER),
        ("1_0", NOT_A_NUMBER),
        ("1.2.3", NOT_A_NUMBER),
        ("1,5.0", NOT_A_NUMBER),
        ("1 0", NOT_A_NUMBER),
        (".", NOT_A_NUMBER),
        ("%", NOT_A_NUMBER),
        ("abc", NOT_A_NUMBER),
        ("١٠", NOT_A_NUMBER),
        ("1.234", "At most 2 decimal places."),
        ("101", "A discount is a percentage from 0 to 100."),
        ("100,01", "A discount is a percentage from 0 to 100."),
    ],
)
def test_bad_discount_is_refused_with_its_reason(raw, message):
    assert error_for("discount", discount=raw) == message


@pytest.mark.parametrize(
    ("raw", "bp"),
    [
        ("", 0),
        ("0", 0),
        ("10", 1000),
        ("7,5", 750),
        ("12.25", 1225),
        ("12,5 %", 1250),
        ("5%", 500),
        (",5", 50),
        ("5.", 500),
        ("100", 10000),
        ("100.00", 10000),
    ],
)
def test_discount_with_digits_and_one_separator_is_stored_in_basis_points(make_client, raw, bp):
    assert make_client("Ana", discount=raw).discount_bp == bp


# --- nothing is stored, and the reasons are in Portuguese -----------------------


@pytest.mark.parametrize(
    ("field", "fields"),
    [
        ("tax_id", {"tax_id": "-1"}),
        ("tax_id", {"tax_id": "abc"}),
        ("email", {"email": "x@y..pt"}),
        ("discount", {"discount": "1e2"}),
    ],
)
def test_tester_findings_save_nothing(store, admin, field, fields):
    with pytest.raises(ValidationError) as err, store.write() as session:
        clients.create_client(session, admin, ClientForm(name="Ana", **fields))
    assert err.value.errors[field]
    with store.read() as session:
        assert session.connection().execute(text("SELECT count(*) FROM client")).scalar() == 0


def test_every_field_reason_at_once():
    with pytest.raises(ValidationError) as err:
        clients.validate(ClientForm(name="Ana", tax_id="abc", email="x@-y.pt", discount="inf"))
    assert set(err.value.errors) == {"tax_id", "email", "discount"}


def test_reasons_are_translated_to_portuguese():
    i18n.set_language("pt_PT")
    try:
        assert error_for("tax_id", tax_id="-1") == "O NIF tem entre 5 e 20 letras e algarismos."
        assert error_for("tax_id", tax_id="ABCDEF") == "O NIF tem pelo menos 2 algarismos."
        assert error_for("discount", discount="1e2") == (
            "Escreva o desconto como um número, por exemplo 10 ou 12,5."
        )
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("typed", ["1e2", "nan", "inf", "1_0"])
def test_a_document_line_discount_is_held_to_the_same_rule(typed: str) -> None:
    from remtui.domain.documents import parse_percent

    with pytest.raises(DomainError) as info:
        parse_percent(typed)
    assert info.value.field == "discount"
