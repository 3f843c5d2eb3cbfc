"""One chat with a client: its history, a line to write in, close / reopen, and the
client's information beside it. Messages from other clerks or from outside (``remtui
chat receive``) appear as the store changes, without a restart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Static

from ...errors import DomainError
from ...i18n import N_, _
from ...permissions import Perm
from ...safetext import safe_text
from .. import styles
from ..messages import StoreChanged
from ..safe import line
from ..widgets.footer import FitFooter
from ..widgets.note import FieldNote
from ..work import run_store
from .base import BaseScreen

if TYPE_CHECKING:
    from ...domain.chats import ChatMessageRow, ChatSummary, MessagePage
    from ...domain.clients import ClientRecord
    from ...domain.documents import DocumentRow
    from ...domain.ledger import Balance

MESSAGE_LIMIT = 20_000  # characters shown of one message (the store takes up to this)
DOCS_SHOWN = 8
OPEN_ESTIMATE = ("draft", "sent")


@dataclass(frozen=True)
class ClientPanel:
    record: ClientRecord
    balance: Balance
    documents: tuple[DocumentRow, ...]
    more_documents: int


def is_open_document(doc: DocumentRow) -> bool:
    """In progress, or not yet paid: what a clerk talking to the client needs to know."""
    from ...domain.documents import OPEN_WORK_ORDER

    if doc.status == "cancelled":
        return False
    if doc.kind == "work_order" and doc.status in OPEN_WORK_ORDER:
        return True
    if doc.kind == "estimate" and doc.status in OPEN_ESTIMATE:
        return True
    return doc.due > 0 and doc.status != "closed"


class ChatScreen(BaseScreen):
    CSS_PATH = styles.AREAS
    HELP_TEXT = N_(
        "A chat with the client. Type in the line at the bottom and press Enter to send. "
        "F5 closes the chat, F6 reopens it, F3 loads older messages, Page Up and Page Down "
        "scroll the history. New messages appear by themselves. Escape goes back."
    )
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="chat.back"),
        Binding("f5", "close_chat", N_("Close chat"), id="chat.close"),
        Binding("f6", "reopen_chat", N_("Reopen chat"), id="chat.reopen"),
        Binding("f3", "load_older", N_("Older messages"), id="chat.older"),
        Binding("pageup", "scroll_history(-1)", N_("Scroll up"), id="chat.page_up", show=False),
        Binding(
            "pagedown", "scroll_history(1)", N_("Scroll down"), id="chat.page_down", show=False
        ),
    ]

    def __init__(self, client_id: int, chat_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.chat_id = chat_id
        self.chat: ChatSummary | None = None
        self.shown_ids: set[int] = set()
        self.oldest_id: int | None = None
        self.newest_id: int | None = None
        self.has_older = False
        self.read_up_to = 0
        self._loading_older = False
        self.client_name = ""
        self._started = False

    def compose(self) -> ComposeResult:
        yield Static("", id="chat-header", classes="topbar")
        with Horizontal(id="chat-body"):
            with Vertical(id="chat-main"):
                yield Button(_("Load older messages") + " (F3)", id="chat-older", compact=True)
                yield VerticalScroll(id="chat-history")
                yield FieldNote("", id="chat-error", classes="field-warning")
                yield Input(
                    id="chat-input",
                    compact=True,
                    placeholder=_("Write a message and press Enter"),
                )
                with Horizontal(id="chat-buttons", classes="button-row"):
                    yield Button(_("Close chat") + " (F5)", id="chat-close", compact=True)
                    yield Button(_("Reopen chat") + " (F6)", id="chat-reopen", compact=True)
            with VerticalScroll(id="chat-client"):
                yield Static(_("Loading…"), id="chat-client-info")
        yield FitFooter()

    def on_mount(self) -> None:
        self.query_one("#chat-older").display = False
        self.query_one("#chat-input").focus()
        self._load()
        self._load_client()

    @property
    def is_open(self) -> bool:
        return self.chat is not None and self.chat.is_open

    def _can_chat(self) -> bool:
        actor = self.desk.actor
        return actor is not None and actor.can(Perm.VIEW_CHATS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_chat":
            return self._can_chat() and self.chat is not None and self.chat.is_open
        if action == "reopen_chat":
            return self._can_chat() and self.chat is not None and not self.chat.is_open
        if action == "load_older":
            return self.has_older
        return True

    # --- loading ---------------------------------------------------------------------------

    def _load(self) -> None:
        """The chat and its newest messages (first time) or those after what is shown."""
        app, actor, chat_id = self.desk, self.desk.actor, self.chat_id
        after = self.newest_id

        def fetch() -> tuple[ChatSummary, MessagePage]:
            from ...domain.chats import get_chat, messages

            assert actor is not None
            with app.store().read() as session:
                chat = get_chat(session, actor, chat_id)
                if after is None:
                    page = messages(session, actor, chat_id)
                else:
                    page = messages(session, actor, chat_id, after_id=after, limit=500)
                return chat, page

        run_store(
            self,
            fetch,
            lambda result: self._show(*result),
            group="chat-load",
            error=self._load_failed,
        )

    def _load_failed(self, exc: DomainError) -> None:
        self.query_one("#chat-error", FieldNote).update(line(exc.message))

    def _show(self, chat: ChatSummary, page: MessagePage) -> None:
        first = not self._started  # (a newer load may have replaced the very first one)
        self._started = True
        self.chat = chat
        self._show_status()
        history = self.query_one("#chat-history", VerticalScroll)
        new = [m for m in page.messages if m.id not in self.shown_ids]
        at_end = history.scroll_y >= history.max_scroll_y - 1
        if new:
            for empty in history.query(".chat-empty"):
                empty.remove()
            history.mount_all([self._message(m) for m in new])
            self.shown_ids.update(m.id for m in new)
            self.newest_id = max(self.newest_id or 0, *(m.id for m in new))
        if first:
            self.oldest_id = page.oldest_id
            self.has_older = page.has_older
            self.query_one("#chat-older").display = self.has_older
            if not page.messages:
                history.mount(Static(line(_("No messages yet.")), classes="chat-empty"))
        if new and (first or at_end or any(m.mine for m in new)):
            self.call_after_refresh(history.scroll_end, animate=False)
        self._mark_read()
        self.refresh_bindings()

    def _message(self, message: ChatMessageRow) -> Static:
        from ...dates import format_datetime

        who = message.author_name or "—"
        if message.author_kind == "client":
            who = _("{name} (client)").format(name=who)
        elif message.mine:
            who = _("{name} (you)").format(name=who)
        when = format_datetime(message.at, self.desk.settings.locale)
        text = Text.assemble(
            (safe_text(f"{who} · {when}", single_line=True, limit=200), "bold"),
            "\n",
            safe_text(message.text, limit=MESSAGE_LIMIT),
        )
        kind = "mine" if message.mine else message.author_kind
        return Static(text, classes=f"chat-message chat-{kind}", id=f"msg-{message.id}")

    def _show_status(self) -> None:
        chat = self.chat
        if chat is None:
            return
        from ..comms_text import chat_status_text

        parts = [self.client_name] if self.client_name else []
        parts += [chat.channel_label, chat_status_text(chat.status)]
        header = " · ".join(parts)
        self.query_one("#chat-header", Static).update(line(header))
        field = self.query_one("#chat-input", Input)
        field.disabled = not chat.is_open
        field.placeholder = (
            _("Write a message and press Enter")
            if chat.is_open
            else _("This chat is closed: F6 reopens it.")
        )
        self.query_one("#chat-close").display = chat.is_open
        self.query_one("#chat-reopen").display = not chat.is_open
        if chat.is_open and self.focused is None:
            field.focus()

    def _mark_read(self) -> None:
        """Mark what is shown as read (only when something new from others arrived: the
        write itself changes the store, and must not start a loop)."""
        newest = self.newest_id or 0
        if newest <= self.read_up_to:
            return
        self.read_up_to = newest
        app, actor, chat_id = self.desk, self.desk.actor, self.chat_id

        def mark() -> int:
            from ...domain.chats import mark_read

            assert actor is not None
            with app.store().write() as session:
                return mark_read(session, actor, chat_id, newest)

        run_store(self, mark, lambda _marker: None, group="chat-read", exclusive=False)

    def on_store_changed(self, _event: StoreChanged) -> None:
        self._load()
        self._load_client()

    def action_load_older(self) -> None:
        if not self.has_older or self._loading_older or self.oldest_id is None:
            return
        self._loading_older = True
        app, actor, chat_id, before = self.desk, self.desk.actor, self.chat_id, self.oldest_id

        def fetch() -> MessagePage:
            from ...domain.chats import messages

            assert actor is not None
            with app.store().read() as session:
                return messages(session, actor, chat_id, before_id=before)

        run_store(self, fetch, self._show_older, group="chat-older")

    def _show_older(self, page: MessagePage) -> None:
        self._loading_older = False
        history = self.query_one("#chat-history", VerticalScroll)
        older = [m for m in page.messages if m.id not in self.shown_ids]
        if older:
            anchor = history.children[0] if history.children else None
            history.mount_all([self._message(m) for m in older], before=0)
            self.shown_ids.update(m.id for m in older)
            if anchor is not None:  # keep what the clerk was reading where it was
                self.call_after_refresh(history.scroll_to_widget, anchor, top=True, animate=False)
        self.oldest_id = page.oldest_id or self.oldest_id
        self.has_older = page.has_older
        self.query_one("#chat-older").display = self.has_older
        if not self.has_older:
            self.query_one("#chat-input", Input).focus()
        self.refresh_bindings()

    def action_scroll_history(self, direction: int) -> None:
        history = self.query_one("#chat-history", VerticalScroll)
        if direction < 0:
            history.scroll_page_up(animate=False)
        else:
            history.scroll_page_down(animate=False)

    # --- the client panel ---------------------------------------------------------------

    def _load_client(self) -> None:
        app, client_id = self.desk, self.client_id

        def fetch() -> ClientPanel:
            from ...domain.clients import get_client
            from ...domain.documents import list_documents
            from ...domain.ledger import client_balance

            with app.store().read() as session:
                record = get_client(session, client_id)
                balance = client_balance(session, client_id)
                docs = [d for d in list_documents(session, client_id) if is_open_document(d)]
            return ClientPanel(record, balance, tuple(docs[:DOCS_SHOWN]), len(docs[DOCS_SHOWN:]))

        run_store(self, fetch, self._show_client, group="chat-client")

    def _show_client(self, panel: ClientPanel) -> None:
        from ...domain.phones import display
        from ...money import format_money
        from ..widgets.balance import badge

        settings = self.desk.settings
        record = panel.record
        if record.name != self.client_name:
            self.client_name = record.name
            self._show_status()
        text = Text()
        text.append(safe_text(record.name, single_line=True, limit=80) + "\n", style="bold")
        for phone in record.phones:
            shown = display(phone.e164)
            if phone.label:
                shown += f" ({phone.label})"
            text.append(safe_text(shown, single_line=True, limit=60) + "\n")
        if not record.phones:
            text.append(_("no phone") + "\n")
        if record.email:
            text.append(safe_text(record.email, single_line=True, limit=80) + "\n")
        if record.conflicted:
            text.append("⚠ " + _("Conflicted client") + "\n", style="bold")
        text.append("\n" + _("Balance") + "\n", style="bold")
        text.append_text(badge(panel.balance, settings))
        text.append("\n\n" + _("Open documents") + "\n", style="bold")
        if not panel.documents:
            text.append(_("None open.") + "\n")
        for doc in panel.documents:
            shown = f"{doc.number} · {doc.kind_label} · {doc.status_label}"
            if doc.due:
                shown += " · " + _("due {amount}").format(
                    amount=format_money(doc.due, settings.currency, settings.locale)
                )
            text.append(safe_text(shown, single_line=True, limit=120) + "\n")
        if panel.more_documents:
            text.append(_("and {n} more").format(n=panel.more_documents) + "\n")
        self.query_one("#chat-client-info", Static).update(text)

    # --- writing, closing, reopening ----------------------------------------------------

    @on(Input.Submitted, "#chat-input")
    def _send(self, event: Input.Submitted) -> None:
        app, actor, chat_id = self.desk, self.desk.actor, self.chat_id
        text = event.value
        note = self.query_one("#chat-error", FieldNote)
        note.update("")

        def post() -> ChatMessageRow:
            from ...domain.chats import post_message

            assert actor is not None
            with app.store().write() as session:
                return post_message(session, actor, chat_id, text)

        def posted(_message: ChatMessageRow) -> None:
            field = self.query_one("#chat-input", Input)
            if field.value == text:
                field.value = ""
            self._load()

        def refused(exc: DomainError) -> None:
            note.update(line(exc.message, limit=300))

        run_store(self, post, posted, group="chat-post", error=refused, exclusive=False)

    def _set_status(self, close: bool) -> None:
        app, actor, chat_id = self.desk, self.desk.actor, self.chat_id

        def change() -> ChatSummary:
            from ...domain.chats import close_chat, reopen_chat

            assert actor is not None
            with app.store().write() as session:
                if close:
                    return close_chat(session, actor, chat_id)
                return reopen_chat(session, actor, chat_id)

        def changed(chat: ChatSummary) -> None:
            self.chat = chat
            self._show_status()
            self.refresh_bindings()
            self.notify(_("Chat closed.") if close else _("Chat reopened."), markup=False)
            if chat.is_open:
                self.query_one("#chat-input", Input).focus()

        run_store(self, change, changed, group="chat-status")

    def action_close_chat(self) -> None:
        if self.chat is not None and self.chat.is_open:
            self._set_status(close=True)

    def action_reopen_chat(self) -> None:
        if self.chat is not None and not self.chat.is_open:
            self._set_status(close=False)

    @on(Button.Pressed, "#chat-close")
    def _close_pressed(self) -> None:
        self.action_close_chat()

    @on(Button.Pressed, "#chat-reopen")
    def _reopen_pressed(self) -> None:
        self.action_reopen_chat()

    @on(Button.Pressed, "#chat-older")
    def _older_pressed(self) -> None:
        self.action_load_older()

    def action_back(self) -> None:
        self.dismiss(None)
