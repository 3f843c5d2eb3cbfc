"""The demo's history: documents, payments, corrections, leads, assets and messages,
spread over the eight months before the demo's fixed "today", through the domain's own
functions (so every balance is one the shop could really have)."""

from __future__ import annotations

import random
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from .config import Settings, SmsSettings
from .domain import assets, calls, catalog, chats, corrections, documents, leads, payments, sms
from .domain.documents import LineInput
from .domain.staff import Actor, actor_for, cashboxes, warehouses
from .permissions import Perm
from .store.engine import Store
from .store.types import clock

TODAY = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # the demo's clock never moves on
START = TODAY - timedelta(days=240)

CATALOG = (
    ("service", "Substituição de ecrã", 8990),
    ("service", "Substituição de bateria", 4990),
    ("service", "Diagnóstico", 1500),
    ("service", "Limpeza interna", 2500),
    ("service", "Mão de obra (hora)", 3500),
    ("service", "Recuperação de dados", 6000),
    ("product", "Película de vidro temperado", 990),
    ("product", "Capa de silicone", 1490),
    ("product", "Carregador USB-C 20 W", 1990),
    ("product", "Cabo Lightning 1 m", 1290),
)
DEVICES = (
    ("Telemóvel", "Apple", "iPhone 13"),
    ("Telemóvel", "Samsung", "Galaxy S22"),
    ("Telemóvel", "Xiaomi", "Redmi Note 12"),
    ("Portátil", "Lenovo", "ThinkPad T14"),
    ("Portátil", "HP", "Pavilion 15"),
    ("Tablet", "Apple", "iPad Air"),
    ("Consola", "Sony", "PlayStation 5"),
    ("Relógio", "Apple", "Watch Series 8"),
)
PROBLEMS = (
    "Ecrã partido",
    "Não carrega",
    "Bateria incha",
    "Não liga depois de cair à água",
    "Teclado com teclas presas",
    "Muito lento",
    "Sem som nas chamadas",
)
CHAT_LINES = (
    ("client", "Olá, o meu telemóvel já está pronto?"),
    ("employee", "Bom dia! Ainda estamos à espera da peça, deve chegar amanhã."),
    ("client", "Obrigado. Podem ligar-me quando estiver?"),
    ("employee", "Claro, ligamos assim que estiver pronto."),
    ("client", "Quanto fica a reparação do ecrã?"),
    ("employee", "Fica em 89,90 € com a mão de obra incluída."),
)
SMS_TEXTS = (
    "A sua reparação está pronta. Pode levantar o equipamento no nosso balcão.",
    "Recebemos o seu equipamento. Enviaremos o orçamento em breve.",
    "Lembrete: o seu equipamento aguarda levantamento há 15 dias.",
)


class _Clock:
    """Moves forward a little with every action, from START towards TODAY."""

    def __init__(self, rng: random.Random, steps: int) -> None:
        self.now = START
        self.rng = rng
        self.step = (TODAY - START) / max(steps, 1)

    def tick(self, scale: float = 1.0) -> datetime:
        self.now = min(TODAY, self.now + self.step * self.rng.uniform(0.2, 1.8) * scale)
        return self.now


def _imei(rng: random.Random) -> str:
    digits = [3, 5] + [rng.randrange(10) for _ in range(12)]
    total = 0
    for i, d in enumerate(digits):  # Luhn over the 14 digits before the check digit
        if i % 2 == 1:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def add_history(
    store: Store,
    settings: Settings,
    admin: Actor,
    client_ids: list[int],
    rng: random.Random,
    progress: Callable[[str], None],
) -> None:
    progress("adding history: documents, payments, leads, assets, calls, SMS and chats")
    timer = _Clock(rng, steps=len(client_ids) * 3)
    with clock(lambda: timer.now), store.write() as session:
        items = [
            catalog.create_item(session, admin, name=n, price=p, kind=k).id for k, n, p in CATALOG
        ]
        staff_logins = ["admin", "marta", "rui"]
        team = {login: actor_for(session, login) for login in staff_logins}
        boxes = [c for c, _n in cashboxes(session)]
        places = {kind: wid for wid, _n, kind in reversed(warehouses(session))}
    # The first client is a regular with a long history: every tab has plenty to show.
    stories = [(client_ids[0], True)] * 6 if client_ids else []
    stories += [(cid, False) for cid in client_ids[1:]]
    for index, (client_id, regular) in enumerate(stories):
        if not regular and rng.random() > 0.6:
            continue
        actor = team[rng.choice(staff_logins)]
        with clock(lambda: timer.now), store.write() as session:
            timer.tick()
            _client_story(
                session,
                settings,
                rng,
                timer,
                actor,
                admin,
                client_id,
                items,
                boxes,
                places,
                regular,
            )
        if index % 50 == 0:
            progress(f"  history for {index}/{len(client_ids)} clients")
    _send_sms(store, timer)


def _client_story(
    session: Session,
    settings: Settings,
    rng: random.Random,
    timer: _Clock,
    actor: Actor,
    admin: Actor,
    client_id: int,
    items: list[int],
    boxes: list[int],
    places: dict[str, int],
    regular: bool = False,
) -> None:
    asset_id = None
    if rng.random() < (0.9 if regular else 0.5):
        kind, brand, model = rng.choice(DEVICES)
        serial = _imei(rng) if kind == "Telemóvel" else f"SN{rng.randrange(10**9):09d}"
        asset = assets.create_asset(
            session,
            actor,
            client_id,
            assets.AssetForm(serial=serial, kind=kind, brand=brand, model=model),
            places["shop"],
        )
        asset_id = asset.id
    lead = None
    if rng.random() < (0.7 if regular else 0.3):
        timer.tick(0.2)
        lead = leads.create_lead(
            session,
            actor,
            client_id,
            leads.LeadForm(
                description=rng.choice(PROBLEMS),
                channel=rng.choice(["Telefone", "Balcão", "Site", "WhatsApp"]),
                responsible_id=actor.id,
            ),
        )
        lead = leads.start_work(session, actor, lead.id, lead.version)
    roll = rng.random()
    if roll < 0.55:
        _work_order(session, rng, timer, actor, client_id, items, boxes, asset_id, lead)
    elif roll < 0.85:
        _sale(session, rng, timer, actor, client_id, items, boxes, lead)
    else:
        timer.tick(0.3)
        est = documents.create_document(
            session,
            actor,
            client_id,
            "estimate",
            [LineInput(item_id=rng.choice(items[:6]))],
            comment=rng.choice(PROBLEMS),
        )
        if rng.random() < 0.5:
            documents.change_status(session, actor, est.id, "sent")
        if lead is not None:
            leads.mark_lost(session, actor, lead.id, "price", lead.version)
    if rng.random() < 0.12:
        timer.tick(0.2)
        corrections.add_correction(
            session,
            admin,
            client_id,
            direction=rng.choice(["owes_more", "we_owe_more"]),
            amount=rng.choice([500, 1000, 1500, 2000]),
            reason=rng.choice(
                ["Acerto de contas antigo", "Desconto de fidelização", "Erro de caixa corrigido"]
            ),
        )
    for _ in range(rng.choice([2, 3] if regular else [0, 0, 1, 2, 3])):
        direction = rng.choice(["incoming", "incoming", "outgoing", "missed"])
        answered = direction != "missed"  # a missed call lasted nothing and was not recorded
        recorded = answered and rng.random() < 0.6
        calls.log_call(
            session,
            actor,
            client_id,
            direction=direction,
            duration=rng.randrange(20, 600) if answered else 0,
            recording=f"https://pbx.exemplo.pt/gravacoes/{rng.randrange(10**6):06d}.mp3"
            if recorded
            else "",
            at=timer.tick(0.1),
            region=settings.phone_region,
        )
    if rng.random() < (0.8 if regular else 0.3):
        numbers = sms.client_numbers_for_sms(session, client_id)
        if numbers:
            timer.tick(0.1)
            sms.queue_sms(session, actor, client_id, numbers[0].e164, rng.choice(SMS_TEXTS))
    busy = {c.channel for c in chats.list_chats(session, admin, client_id) if c.status == "open"}
    free = [ch for ch in ("whatsapp", "telegram", "instagram") if ch not in busy]
    if free and rng.random() < (0.5 if regular else 0.15):
        timer.tick(0.1)
        chat = chats.start_chat(session, actor, client_id, rng.choice(free), CHAT_LINES[1][1])
        for author, text in CHAT_LINES[2 : 2 + rng.randrange(1, 4)]:
            timer.tick(0.05)
            if author == "employee":
                chats.post_message(session, actor, chat.id, text)
            else:
                chats.receive_messages(session, [_json_line(chat.channel, client_id, text)])
        if rng.random() < 0.4:
            chats.close_chat(session, actor, chat.id)


def _json_line(channel: str, client_id: int, text: str) -> str:
    import json

    return json.dumps({"channel": channel, "client_id": client_id, "text": text})


def _lines(rng: random.Random, items: list[int], pool: slice) -> list[LineInput]:
    chosen = rng.sample(items[pool], k=rng.choice([1, 1, 2, 3]))
    return [LineInput(item_id=i, quantity=str(rng.choice([1, 1, 1, 2]))) for i in chosen]


def _work_order(
    session: Session,
    rng: random.Random,
    timer: _Clock,
    actor: Actor,
    client_id: int,
    items: list[int],
    boxes: list[int],
    asset_id: int | None,
    lead: leads.LeadRecord | None,
) -> None:
    timer.tick(0.3)
    wo = documents.create_document(
        session,
        actor,
        client_id,
        "work_order",
        _lines(rng, items, slice(0, 6)),
        comment=rng.choice(PROBLEMS),
        asset_id=asset_id,
    )
    if lead is not None:
        leads.mark_won(session, actor, lead.id, wo.id, lead.version)
    if rng.random() < 0.5:
        timer.tick(0.1)
        payments.take_payment(
            session,
            actor,
            client_id,
            cashbox_id=rng.choice(boxes),
            amount=min(wo.total, 2000),
            document_id=wo.id,
            note="Sinal",
        )
    for status in ("in_progress", "ready", "closed"):
        if rng.random() < 0.15:
            return  # still in the workshop
        timer.tick(0.2)
        documents.change_status(session, actor, wo.id, status)
    due = documents.get_document(session, wo.id).due
    if due > 0 and rng.random() < 0.75:
        timer.tick(0.05)
        payments.take_payment(
            session,
            actor,
            client_id,
            cashbox_id=rng.choice(boxes),
            amount=due,
            document_id=wo.id,
            note="Pagamento na entrega",
        )


def _sale(
    session: Session,
    rng: random.Random,
    timer: _Clock,
    actor: Actor,
    client_id: int,
    items: list[int],
    boxes: list[int],
    lead: leads.LeadRecord | None,
) -> None:
    timer.tick(0.3)
    sale = documents.create_document(
        session, actor, client_id, "sale", _lines(rng, items, slice(6, 10))
    )
    if lead is not None:
        leads.mark_won(session, actor, lead.id, sale.id, lead.version)
    if rng.random() < 0.85:
        payments.take_payment(
            session,
            actor,
            client_id,
            cashbox_id=rng.choice(boxes),
            amount=sale.total,
            document_id=sale.id,
        )
    if rng.random() < 0.1:
        timer.tick(0.1)
        payments.take_payment(
            session,
            actor,
            client_id,
            cashbox_id=boxes[0],
            amount=5000,
            note="Adiantamento para próxima reparação",
        )
        # Without the refund permission the demo simply skips it.
        if rng.random() < 0.5 and actor.can(Perm.REFUND):
            payments.refund(
                session,
                actor,
                client_id,
                cashbox_id=boxes[0],
                amount=2000,
                note="Devolução parcial do adiantamento",
            )


# The demo's gateway: numbers ending in 0 or 5 fail (as a real network sometimes does), so
# the SMS list shows failed messages beside sent ones. The number and text come as $0, $1.
FLAKY_GATEWAY = 'case "$0" in *[05]) echo "Rede indisponível (erro 503)" >&2; exit 1;; esac'
QUEUED_AT_END = 4  # the newest few stay queued, as if the gateway had not run yet


def _send_sms(store: Store, timer: _Clock) -> None:
    """Send the queued SMS through the demo's gateway, then write a few more that stay
    queued: the demo shows sent, failed and queued messages."""
    shell = shutil.which("sh")
    command = (shell, "-c", FLAKY_GATEWAY) if shell else (sys.executable, "-c", "pass")
    with clock(lambda: timer.now):
        sms.send_queued(store, SmsSettings(gateway="command", command=command))
        with store.write() as session:
            admin = actor_for(session, "admin")
            waiting = [
                (cid, numbers[0].e164)
                for cid in range(1, 40)
                if (numbers := sms.client_numbers_for_sms(session, cid))
            ][:QUEUED_AT_END]
            for client_id, number in waiting:
                timer.tick(0.05)
                sms.queue_sms(session, admin, client_id, number, SMS_TEXTS[0])
