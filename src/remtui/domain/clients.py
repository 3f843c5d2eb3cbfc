"""Clients: the form, validation, optimistic concurrency and search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import text
from sqlmodel import Session, col, delete, select

from ..errors import DomainError, ValidationError
from ..i18n import _
from ..permissions import Perm
from ..safetext import clean_input
from ..store.tables import Client, ClientPhone
from ..store.types import utcnow
from . import audit, search_index
from .actor import Actor, require
from .phones import Phone, display, normalise
from .text import fold

KINDS = ("person", "company")
LIMITS = {
    "name": 200,
    "email": 254,
    "address": 500,
    "company_name": 200,
    "tax_id": 20,
    "marketing_source": 100,
    "notes": 10_000,
    "label": 30,
}
MAX_PHONES = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
TAX_ID_MIN, TAX_ID_MAX, TAX_ID_MIN_DIGITS = 5, 20, 2
# ASCII digits only: Decimal() would also take "1e2", "nan", "inf" and other scripts' digits.
_DISCOUNT = re.compile(r"([0-9]*)(?:[.,]([0-9]*))?")


@dataclass(frozen=True)
class PhoneInput:
    number: str
    label: str = ""
    notify: bool = False


@dataclass(frozen=True)
class ClientForm:
    """What the clerk typed in the General tab (raw text; validated on save)."""

    name: str
    kind: str = "person"
    phones: tuple[PhoneInput, ...] = ()
    email: str = ""
    address: str = ""
    company_name: str = ""
    tax_id: str = ""
    discount: str = "0"
    marketing_source: str = ""
    notes: str = ""
    conflicted: bool = False


@dataclass(frozen=True)
class PhoneRecord:
    e164: str
    label: str
    notify: bool


@dataclass(frozen=True)
class ClientRecord:
    id: int
    kind: str
    name: str
    phones: tuple[PhoneRecord, ...]
    email: str
    address: str
    company_name: str
    tax_id: str
    discount_bp: int
    marketing_source: str
    notes: str
    conflicted: bool
    version: int
    updated_at: datetime
    updated_by: int | None = None

    @property
    def main_phone(self) -> str:
        return self.phones[0].e164 if self.phones else ""

    def as_form(self) -> ClientForm:
        return ClientForm(
            name=self.name,
            kind=self.kind,
            phones=tuple(PhoneInput(display(p.e164), p.label, p.notify) for p in self.phones),
            email=self.email,
            address=self.address,
            company_name=self.company_name,
            tax_id=self.tax_id,
            discount=format_discount(self.discount_bp),
            marketing_source=self.marketing_source,
            notes=self.notes,
            conflicted=self.conflicted,
        )


class StaleEdit(DomainError):
    """Someone saved the client after this form was opened. Carries both versions."""

    def __init__(self, mine: ClientForm, theirs: ClientRecord) -> None:
        super().__init__(_("Another employee saved this client after you opened it."))
        self.mine = mine
        self.theirs = theirs


@dataclass(frozen=True)
class _Clean:
    kind: str
    name: str
    phones: tuple[tuple[Phone, str, bool], ...]
    email: str
    address: str
    company_name: str
    tax_id: str
    discount_bp: int
    marketing_source: str
    notes: str
    conflicted: bool


def format_discount(bp: int) -> str:
    whole, frac = divmod(bp, 100)
    return f"{whole}" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0")


def _check_discount_text(raw: str) -> None:
    """Refuse what parse_discount's Decimal() would take but a clerk never means."""
    text_ = (raw or "").strip()
    if not text_:
        return
    text_ = text_.removesuffix("%").strip()
    match = _DISCOUNT.fullmatch(text_)
    if not match or not re.search("[0-9]", text_):
        raise DomainError(_("Type the discount as a number, like 10 or 12.5."))
    if len(match.group(2) or "") > 2:
        raise DomainError(_("At most {digits} decimal places.").format(digits=2))


def parse_discount(raw: str) -> int:
    """A percentage as basis points (the client's discount and a document line's %)."""
    _check_discount_text(raw)
    text_ = (raw or "").strip().rstrip("%").strip().replace(",", ".")
    if not text_:
        return 0
    try:
        value = Decimal(text_)
    except InvalidOperation as exc:
        raise DomainError(_("A discount is a percentage from 0 to 100.")) from exc
    if not value.is_finite() or value < 0 or value > 100:
        raise DomainError(_("A discount is a percentage from 0 to 100."))
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_("At most {digits} decimal places.").format(digits=2))
    return int(value * 100)


def _nif_error(nif: str) -> str | None:
    """Why nine digits are not a Portuguese NIF (python-stdnum's rules), or None."""
    from stdnum.exceptions import InvalidChecksum
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.pt import nif as pt_nif

    try:
        pt_nif.validate(nif)
    except InvalidChecksum:
        return _("That NIF's check digit is wrong.")
    except StdnumError:
        return _("That is not a NIF: a NIF never starts with 0.")
    return None


def _email_error(email: str) -> str | None:
    if _EMAIL.match(email) is None:
        return _("That is not an e-mail address.")
    from email_validator import EmailNotValidError, validate_email  # 30 ms: only when used

    try:
        # Syntax only: no DNS look-up at the desk. Its normalised form is not stored.
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _("That is not an e-mail address.")
    return None


def _tax_id_error(tax_id: str, region: str) -> str | None:
    """Why ``tax_id`` (upper-cased, no spaces) is not a plausible tax id, or None."""
    compact = tax_id.replace(".", "").replace("-", "")
    if not re.fullmatch(r"[A-Z0-9]*", compact, re.ASCII):
        return _("A tax id is letters and digits only.")
    if not TAX_ID_MIN <= len(compact) <= TAX_ID_MAX:
        return _("A tax id has {low} to {high} letters and digits.").format(
            low=TAX_ID_MIN, high=TAX_ID_MAX
        )
    if sum(ch.isdigit() for ch in compact) < TAX_ID_MIN_DIGITS:
        return _("A tax id has at least {n} digits.").format(n=TAX_ID_MIN_DIGITS)
    # "PT" + NIF is the Portuguese VAT id: the same check digit, whatever the region.
    nif = compact[2:] if compact.startswith("PT") else compact if region == "PT" else ""
    if len(nif) == 9 and nif.isdigit():
        return _nif_error(nif)
    return None


def _validate(form: ClientForm, region: str) -> _Clean:
    errors: dict[str, str] = {}

    def limited(name: str, value: str, *, one_line: bool = True) -> str:
        value = clean_input(value)
        if one_line:
            value = " ".join(value.split())
        if len(value) > LIMITS[name]:
            errors[name] = _("At most {n} characters.").format(n=LIMITS[name])
        return value

    kind = form.kind if form.kind in KINDS else ""
    if not kind:
        errors["kind"] = _("Choose person or company.")
    name = limited("name", form.name)
    if not name and "name" not in errors:
        errors["name"] = _("Enter the client's name.")
    email = limited("email", form.email).lower()
    if email and "email" not in errors and (problem := _email_error(email)):
        errors["email"] = problem
    address = limited("address", form.address, one_line=False)
    company = limited("company_name", form.company_name)
    tax_id = limited("tax_id", form.tax_id).upper().replace(" ", "")
    if tax_id and "tax_id" not in errors and (problem := _tax_id_error(tax_id, region)):
        errors["tax_id"] = problem
    if kind == "company" and not company and "company_name" not in errors:
        company = name
    try:
        discount_bp = parse_discount(form.discount)
    except DomainError as exc:
        errors["discount"] = exc.message
        discount_bp = 0
    source = limited("marketing_source", form.marketing_source)
    notes = limited("notes", form.notes, one_line=False)
    phones: list[tuple[Phone, str, bool]] = []
    seen: set[str] = set()
    entered = [p for p in form.phones if p.number.strip() or p.label.strip()]
    if len(entered) > MAX_PHONES:
        errors["phones"] = _("At most {n} phone numbers.").format(n=MAX_PHONES)
    for index, phone in enumerate(entered[:MAX_PHONES]):
        key = f"phone.{index}"
        label = clean_input(phone.label)
        if len(label) > LIMITS["label"]:
            errors[key] = _("A label has at most {n} characters.").format(n=LIMITS["label"])
            continue
        try:
            parsed = normalise(phone.number, region)
        except DomainError as exc:
            errors[key] = exc.message
            continue
        if parsed.e164 in seen:
            errors[key] = _("This number is already in the list.")
            continue
        seen.add(parsed.e164)
        phones.append((parsed, label, phone.notify))
    if errors:
        raise ValidationError(errors)
    return _Clean(
        kind,
        name,
        tuple(phones),
        email,
        address,
        company,
        tax_id,
        discount_bp,
        source,
        notes,
        form.conflicted,
    )


def validate(form: ClientForm, region: str = "PT") -> None:
    """Raise ValidationError (field -> message) if anything in the form is wrong."""
    _validate(form, region)


def search_key_for(
    name: str, company: str, email: str, tax_id: str, phone_digits: list[str]
) -> str:
    """What search looks in: folded name and company, e-mail, tax id, phone digits."""
    parts = [fold(name), fold(company), email.lower(), fold(tax_id), *phone_digits]
    return " | ".join(p for p in parts if p)


def _search_key(clean: _Clean) -> str:
    return search_key_for(
        clean.name,
        clean.company_name,
        clean.email,
        clean.tax_id,
        [p.digits for p, _label, _n in clean.phones],
    )


def _apply(row: Client, clean: _Clean) -> str:
    """Set the row's fields from the form; returns the search key it had before."""
    old_key = row.search_key or ""
    row.kind = clean.kind
    row.name = clean.name
    row.email = clean.email
    row.address = clean.address
    row.company_name = clean.company_name
    row.tax_id = clean.tax_id
    row.discount_bp = clean.discount_bp
    row.marketing_source = clean.marketing_source
    row.notes = clean.notes
    row.conflicted = clean.conflicted
    row.search_key = _search_key(clean)
    row.sort_key = fold(clean.name)
    return old_key


def _write_phones(session: Session, client_id: int, clean: _Clean) -> None:
    session.exec(delete(ClientPhone).where(col(ClientPhone.client_id) == client_id))
    for position, (phone, label, notify) in enumerate(clean.phones):
        session.add(
            ClientPhone(
                client_id=client_id,
                position=position,
                e164=phone.e164,
                digits=phone.digits,
                label=label,
                notify=notify,
            )
        )


def create_client(
    session: Session, actor: Actor, form: ClientForm, region: str = "PT"
) -> ClientRecord:
    require(actor, Perm.EDIT_CLIENTS)
    clean = _validate(form, region)
    now = utcnow()
    row = Client(name="", created_at=now, updated_at=now, created_by=actor.id, updated_by=actor.id)
    _apply(row, clean)
    session.add(row)
    session.flush()
    assert row.id is not None
    _write_phones(session, row.id, clean)
    search_index.reindex(session, row.id, "", row.search_key)
    audit.record(session, actor.id, "client.create", "client", row.id, name=clean.name)
    return get_client(session, row.id)


def get_client(session: Session, client_id: int) -> ClientRecord:
    row = session.get(Client, client_id, populate_existing=True)
    if row is None:
        raise DomainError(_("That client does not exist."))
    phones = session.exec(
        select(ClientPhone)
        .where(ClientPhone.client_id == client_id)
        .order_by(col(ClientPhone.position))
    ).all()
    return ClientRecord(
        id=client_id,
        kind=row.kind,
        name=row.name,
        phones=tuple(PhoneRecord(p.e164, p.label, p.notify) for p in phones),
        email=row.email,
        address=row.address,
        company_name=row.company_name,
        tax_id=row.tax_id,
        discount_bp=row.discount_bp,
        marketing_source=row.marketing_source,
        notes=row.notes,
        conflicted=row.conflicted,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def client_version(session: Session, client_id: int) -> int:
    version = session.exec(select(Client.version).where(Client.id == client_id)).first()
    if version is None:
        raise DomainError(_("That client does not exist."))
    return int(version)


def update_client(
    session: Session,
    actor: Actor,
    client_id: int,
    expected_version: int,
    form: ClientForm,
    region: str = "PT",
) -> ClientRecord:
    """Save the form if nobody saved this client since ``expected_version``."""
    require(actor, Perm.EDIT_CLIENTS)
    clean = _validate(form, region)
    before = get_client(session, client_id)
    # Compare-and-set on the version: atomic on every database, so of two clerks saving
    # the same version only one wins and the other is shown both versions.
    claimed = (
        session.connection()
        .execute(
            text("UPDATE client SET version = version + 1 WHERE id = :id AND version = :v"),
            {"id": client_id, "v": expected_version},
        )
        .rowcount
    )
    if claimed != 1:
        raise StaleEdit(form, get_client(session, client_id))
    row = session.get(Client, client_id, populate_existing=True)
    assert row is not None
    old_key = _apply(row, clean)
    row.updated_at = utcnow()
    row.updated_by = actor.id
    session.add(row)
    session.flush()
    _write_phones(session, client_id, clean)
    search_index.reindex(session, client_id, old_key, row.search_key)
    changed = sorted(k for k, v in _diff(before.as_form(), form).items() if v)
    audit.record(
        session, actor.id, "client.update", "client", client_id, version=row.version, fields=changed
    )
    return get_client(session, client_id)


def _diff(a: ClientForm, b: ClientForm) -> dict[str, bool]:
    return {name: getattr(a, name) != getattr(b, name) for name in ClientForm.__dataclass_fields__}


from .search import PAGE, ClientHit, SearchPage, scan_search, search_clients  # noqa: E402

__all__ = ["PAGE", "ClientHit", "SearchPage", "scan_search", "search_clients"]


def phone_owners(
    session: Session, raw: str, region: str = "PT", exclude: int | None = None
) -> list[tuple[int, str]]:
    """Other clients that already have this number (to warn about duplicates)."""
    try:
        phone = normalise(raw, region)
    except DomainError:
        return []
    query = (
        select(Client.id, Client.name)
        .join(ClientPhone, col(ClientPhone.client_id) == col(Client.id))
        .where(ClientPhone.digits == phone.digits)
        .distinct()
        .limit(5)
    )
    if exclude is not None:
        query = query.where(Client.id != exclude)
    return [(int(i or 0), n) for i, n in session.exec(query)]
