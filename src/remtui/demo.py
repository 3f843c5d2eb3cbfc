"""The demo store: the same realistic Portuguese shop every time (seeded random).

`ensure_demo` builds it once; a large store for benchmarks (`--clients N`) is written in
bulk with the same search keys the domain computes.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import insert, text

from .config import DEMO_LOGIN, Settings, sqlite_url
from .domain import clients, staff
from .domain.phones import normalise
from .errors import StoreError
from .i18n import _
from .store.engine import Store, open_store, sqlite_path
from .store.migrate import upgrade
from .store.tables import Client, ClientPhone, Meta

DEMO_PASSWORD = "demo-admin"  # documented in the README; demo stores only
DEMO_CLIENTS = 300
SEED = 20261128

FIRST = [
    "João",
    "Maria",
    "Ana",
    "José",
    "Francisco",
    "Beatriz",
    "Manuel",
    "Inês",
    "Pedro",
    "Mariana",
    "Tiago",
    "Carolina",
    "Rui",
    "Sofia",
    "Miguel",
    "Leonor",
    "António",
    "Matilde",
    "Duarte",
    "Catarina",
    "Gonçalo",
    "Margarida",
    "Luís",
    "Rita",
    "Afonso",
    "Joana",
    "Tomás",
    "Raquel",
    "Rodrigo",
    "Filipa",
    "Diogo",
    "Helena",
    "Nuno",
    "Teresa",
    "Hugo",
    "Patrícia",
    "Bruno",
    "Cláudia",
    "Sérgio",
    "Vânia",
    "Fábio",
    "Sónia",
    "André",
    "Lúcia",
    "Ricardo",
    "Graça",
    "Vítor",
    "Conceição",
]
LAST = [
    "Silva",
    "Santos",
    "Ferreira",
    "Pereira",
    "Oliveira",
    "Costa",
    "Rodrigues",
    "Martins",
    "Jesus",
    "Sousa",
    "Fernandes",
    "Gonçalves",
    "Gomes",
    "Lopes",
    "Marques",
    "Alves",
    "Almeida",
    "Ribeiro",
    "Pinto",
    "Carvalho",
    "Teixeira",
    "Moreira",
    "Correia",
    "Mendes",
    "Nunes",
    "Soares",
    "Vieira",
    "Monteiro",
    "Cardoso",
    "Rocha",
    "Raposo",
    "Neves",
    "Coelho",
    "Cruz",
    "Cunha",
    "Pires",
    "Ramos",
    "Reis",
    "Simões",
    "Antunes",
    "Matos",
    "Fonseca",
    "Machado",
    "Araújo",
    "Barbosa",
    "Tavares",
    "Lourenço",
    "Castro",
    "Figueiredo",
    "Azevedo",
    "Freitas",
    "Magalhães",
    "Baptista",
    "Brandão",
    "Quintela",
]
STREETS = (
    "Rua Augusta",
    "Avenida da Liberdade",
    "Rua de Santa Catarina",
    "Rua do Carmo",
    "Avenida dos Aliados",
    "Rua Ferreira Borges",
    "Largo do Chiado",
    "Rua da Prata",
)
TOWNS = (
    "1100-053 Lisboa",
    "4000-066 Porto",
    "3000-150 Coimbra",
    "4700-307 Braga",
    "8000-123 Faro",
    "2900-010 Setúbal",
    "3800-200 Aveiro",
    "7000-500 Évora",
)
COMPANIES = (
    "Reparações Lusas, Lda.",
    "TecnoPorto, S.A.",
    "Café Central, Lda.",
    "Escola Primavera",
    "Clínica Sorriso, Lda.",
    "Hotel Atlântico, S.A.",
)
SOURCES = (
    "Walk-in",
    "Returning client",
    "Recommendation",
    "Google",
    "Facebook",
    "Instagram",
    "Website",
)
EMPLOYEES = (
    (DEMO_LOGIN, "Helena Duarte", "admin", DEMO_PASSWORD),
    ("marta", "Marta Quintela", "manager", "demo-marta"),
    ("rui", "Rui Fonseca", "clerk", "demo-rui"),
    ("paulo", "Paulo Brandão", "technician", "demo-paulo"),
)


@dataclass(frozen=True)
class Person:
    name: str
    phones: tuple[tuple[str, str, bool], ...]
    email: str
    address: str
    kind: str
    company: str
    tax_id: str
    discount: str
    source: str
    notes: str
    conflicted: bool


def _nif(rng: random.Random, first: int = 2) -> str:
    digits = [first] + [rng.randrange(10) for _ in range(7)]
    total = sum(d * (9 - i) for i, d in enumerate(digits))
    check = 11 - total % 11
    return "".join(map(str, digits)) + str(0 if check >= 10 else check)


def _mobile(rng: random.Random) -> str:
    return (
        f"9{rng.choice('1236')}{rng.randrange(10)} {rng.randrange(1000):03d} "
        f"{rng.randrange(1000):03d}"
    )


def _ascii(value: str) -> str:
    from .domain.text import fold

    return fold(value).replace(" ", ".")


def person(rng: random.Random, index: int) -> Person:
    first, last1, last2 = rng.choice(FIRST), rng.choice(LAST), rng.choice(LAST)
    name = f"{first} {last1} {last2}" if last1 != last2 else f"{first} {last1}"
    company = rng.random() < 0.08
    phones = [(_mobile(rng), "telemóvel", True)]
    if rng.random() < 0.25:
        phones.append(
            (
                f"2{rng.choice('12')}{rng.randrange(10)} {rng.randrange(1000):03d} "
                f"{rng.randrange(1000):03d}",
                "casa",
                False,
            )
        )
    return Person(
        name=rng.choice(COMPANIES) if company else name,
        phones=tuple(phones),
        email=f"{_ascii(first)}.{_ascii(last1)}{index}@exemplo.pt" if rng.random() < 0.7 else "",
        address=f"{rng.choice(STREETS)}, {rng.randrange(1, 300)}, {rng.choice(TOWNS)}"
        if rng.random() < 0.6
        else "",
        kind="company" if company else "person",
        company="",
        tax_id=_nif(rng, 5 if company else 2) if rng.random() < 0.5 else "",
        discount=rng.choice(["0", "0", "0", "5", "10"]),
        source=rng.choice(SOURCES),
        notes="",
        conflicted=rng.random() < 0.02,
    )


def _form(p: Person) -> clients.ClientForm:
    return clients.ClientForm(
        name=p.name,
        kind=p.kind,
        phones=tuple(clients.PhoneInput(n, label, notify) for n, label, notify in p.phones),
        email=p.email,
        address=p.address,
        company_name=p.company,
        tax_id=p.tax_id,
        discount=p.discount,
        marketing_source=p.source,
        notes="Cliente exigente: confirmar orçamento por escrito." if p.conflicted else "",
        conflicted=p.conflicted,
    )


def is_demo(store: Store) -> bool:
    with store.read() as session:
        row = session.get(Meta, "demo")
        return row is not None and row.value == "built"


def ensure_demo(
    settings: Settings,
    *,
    clients: int | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> bool:
    """Build the demo store at settings.db_url unless it is already there. A SQLite demo
    is built in a file beside it and renamed into place once complete, so an interrupted
    build (ctrl+c, a kill) leaves nothing under the demo's name. StoreError for a store
    there that is not a demo."""
    path = sqlite_path(settings.db_url)
    if path is not None and path.exists():
        store = open_store(settings.db_url)
        try:
            upgrade(store)
            if is_demo(store):
                return False
            with store.read() as session:
                empty = staff.needs_first_admin(session)
        finally:
            store.close()
        if not empty:
            raise StoreError(
                _(
                    "{path} holds a store that is not a demo (or a demo build that was "
                    "interrupted); move it away or give the demo another --db."
                ).format(path=path)
            )
    if path is None:  # PostgreSQL: built in place, in its own transactions
        store = open_store(settings.db_url)
        try:
            upgrade(store)
            if is_demo(store):
                return False
            build(store, settings, clients or DEMO_CLIENTS, progress)
        finally:
            store.close()
        return True
    _build_beside(path, settings, clients or DEMO_CLIENTS, progress)
    return True


def _build_beside(
    path: Path, settings: Settings, count: int, progress: Callable[[str], None]
) -> None:
    """Build into a hidden file in the same folder, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".building", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o660)
        store = Store(sqlite_url(tmp))
        try:
            upgrade(store)
            build(store, replace(settings, db_url=store.url), count, progress)
        finally:
            store.close()  # the last connection checkpoints the WAL into the file
        _fold_wal(tmp)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


def _fold_wal(path: Path) -> None:
    """Everything in the file itself (no -wal beside it), so renaming it moves it all."""
    import sqlite3

    if not Path(f"{path}-wal").exists():
        return
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def build(store: Store, settings: Settings, count: int, progress: Callable[[str], None]) -> None:
    rng = random.Random(SEED)
    with store.write() as session:
        admin = staff.create_first_admin(session, *EMPLOYEES[0][:2], EMPLOYEES[0][3])
        for login, name, role, password in EMPLOYEES[1:]:
            staff.add_employee(session, admin, login, name, password, role)
    detailed = min(count, DEMO_CLIENTS)
    progress(f"building the demo store: {count} clients")
    ids: list[int] = []
    with store.write() as session:
        for i in range(detailed):
            ids.append(
                clients.create_client(
                    session, admin, _form(person(rng, i)), settings.phone_region
                ).id
            )
    if count > detailed:
        bulk_clients(store, rng, count - detailed, settings.phone_region, progress)
    from .demo_history import add_history

    add_history(store, settings, admin, ids, rng, progress)
    with store.write() as session:
        session.merge(Meta(key="demo", value="built"))


def bulk_clients(
    store: Store,
    rng: random.Random,
    count: int,
    region: str,
    progress: Callable[[str], None],
    batch: int = 5000,
) -> None:
    """Many clients fast: plain INSERTs with the keys the domain would compute (the
    search key and its digit index rows too)."""
    from .domain.search_index import rows_for
    from .domain.text import fold
    from .store.tables.core import ClientDigits
    from .store.types import utcnow

    done = 0
    while done < count:
        n = min(batch, count - done)
        client_rows, phone_rows = [], []
        keys: list[tuple[int, str]] = []
        with store.write() as session:
            next_id = int(
                session.connection()
                .execute(text("SELECT coalesce(max(id), 0) + 1 FROM client"))
                .scalar_one()
            )
            now = utcnow()
            for offset in range(n):
                p = person(rng, done + offset + DEMO_CLIENTS)
                cid = next_id + offset
                parsed = [normalise(number, region) for number, _l, _n in p.phones]
                key = clients.search_key_for(
                    p.name, p.company, p.email, p.tax_id, [ph.digits for ph in parsed]
                )
                keys.append((cid, key))
                client_rows.append(
                    {
                        "id": cid,
                        "kind": p.kind,
                        "name": p.name,
                        "email": p.email,
                        "address": p.address,
                        "company_name": p.company,
                        "tax_id": p.tax_id,
                        "discount_bp": int(p.discount) * 100,
                        "marketing_source": p.source,
                        "notes": "",
                        "conflicted": p.conflicted,
                        "search_key": key,
                        "sort_key": fold(p.name),
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                for pos, (ph, (_num, label, notify)) in enumerate(
                    zip(parsed, p.phones, strict=True)
                ):
                    phone_rows.append(
                        {
                            "client_id": cid,
                            "position": pos,
                            "e164": ph.e164,
                            "digits": ph.digits,
                            "label": label,
                            "notify": notify,
                        }
                    )
            session.execute(insert(Client), client_rows)
            session.execute(insert(ClientPhone), phone_rows)
            session.execute(insert(ClientDigits), rows_for(keys))
        done += n
        progress(f"  {done}/{count} more clients")
