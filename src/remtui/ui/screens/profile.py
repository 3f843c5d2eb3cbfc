"""The client profile: a header (name, main phone, warnings) and one tab per section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static, TabbedContent, TabPane

from ...i18n import N_, _
from .. import styles
from ..messages import StoreChanged
from ..safe import line
from ..tabs.base import OpenChat, ProfileChanged, ProfileTab
from ..tabs.registry import TABS
from ..widgets.balance import badge
from ..widgets.footer import FitFooter
from ..work import run_store
from .base import BaseScreen

if TYPE_CHECKING:
    from ...domain.clients import ClientRecord
    from ...domain.ledger import Balance


def _tab_key(key: str, tab: str, label: str) -> Binding:
    # Priority: the tab switches while the app reads the key, so keys typed right after it
    # reach the new tab, not a field of the old one (see ui/keys.py, type-ahead).
    return Binding(key, f"show_tab('{tab}')", label, id=f"profile.{tab}", priority=True)


class ProfileScreen(BaseScreen):
    CSS_PATH = styles.AREAS
    HELP_TEXT = N_(
        "The client's profile. F2 to F8 switch between its sections; Escape goes back to "
        "the clients."
    )
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="profile.back"),
        _tab_key("f2", "general", N_("General")),
        _tab_key("f3", "balance", N_("Balance")),
        _tab_key("f4", "leads", N_("Leads")),
        _tab_key("f5", "assets", N_("Assets")),
        _tab_key("f6", "documents", N_("Documents")),
        _tab_key("f7", "payments", N_("Payments")),
        _tab_key("f8", "comms", N_("Communications")),
    ]

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self._tab_ids = [spec.id for spec in TABS]

    def compose(self) -> ComposeResult:
        with Horizontal(id="profile-header"):
            yield Static("", id="profile-name")
            yield Static("", id="profile-phone")
            yield Static("", id="profile-extra")
        yield Static("", id="conflicted-banner")
        with TabbedContent(id="tabs"):
            for spec in TABS:
                title = f"{_(spec.title)} {spec.key.upper()}"
                with TabPane(title, id=f"tab-{spec.id}"):
                    yield spec.factory(self.client_id)
        yield FitFooter()

    def on_resize(self) -> None:
        """Tab titles with their keys when the bar holds them all ("General F2"), else the
        names alone (the footer and F1 name the keys): never a title cut off."""
        titles = [_(spec.title) for spec in TABS]
        with_keys = [f"{t} {spec.key.upper()}" for t, spec in zip(titles, TABS, strict=True)]
        fits = sum(cell_len(t) + 2 for t in with_keys) <= self.size.width
        tabs = self.query_one(TabbedContent)
        for spec, short, full in zip(TABS, titles, with_keys, strict=True):
            tabs.get_tab(f"tab-{spec.id}").label = full if fits else short

    def on_mount(self) -> None:
        self.query_one("#conflicted-banner").display = False
        self._load_header()
        self._active_tab().activate()
        self.call_after_refresh(self._focus_tab)

    def _focus_tab(self) -> None:
        # set_focus at once, not Widget.focus(): that is queued behind keys already read
        first = self._active_tab().first_focus()
        if first is not None and first.focusable:
            self.set_focus(first)

    def _active_tab(self) -> ProfileTab:
        pane = self.query_one(TabbedContent).active_pane
        assert pane is not None
        return pane.query_one(ProfileTab)

    def _load_header(self) -> None:
        client_id = self.client_id

        def fetch() -> tuple[ClientRecord, Balance]:
            from ...domain.clients import get_client
            from ...domain.ledger import client_balance

            with self.desk.store().read() as session:
                return get_client(session, client_id), client_balance(session, client_id)

        run_store(self, fetch, lambda got: self._show_header(*got), group="profile-header")

    def _show_header(self, record: ClientRecord, balance: Balance) -> None:
        from ...domain.phones import display

        self.query_one("#profile-extra", Static).update(badge(balance, self.desk.settings))

        self.query_one("#profile-name", Static).update(line(record.name, limit=60))
        phone = display(record.main_phone) if record.main_phone else _("no phone")
        self.query_one("#profile-phone", Static).update(line(phone))
        banner = self.query_one("#conflicted-banner", Static)
        banner.display = record.conflicted
        if record.conflicted:
            banner.update(line("⚠ " + _("CONFLICTED CLIENT: read the notes before serving.")))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_tab" and parameters:
            return parameters[0] in self._tab_ids
        return True

    def action_show_tab(self, tab_id: str) -> None:
        if tab_id in self._tab_ids:
            self.query_one(TabbedContent).active = f"tab-{tab_id}"
            self._focus_tab()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        self._active_tab().activate()
        self.refresh_bindings()

    def on_store_changed(self, _event: StoreChanged) -> None:
        self._load_header()
        for tab in self.query(ProfileTab):
            tab.store_changed()

    def on_profile_changed(self, _event: ProfileChanged) -> None:
        self._load_header()

    def on_open_chat(self, event: OpenChat) -> None:
        from .chat import ChatScreen

        closed = event.closed
        self.app.push_screen(ChatScreen(event.client_id, event.chat_id), lambda _r: closed())

    def has_unsaved_edits(self) -> bool:
        return any(tab.has_unsaved_edits() for tab in self.query(ProfileTab))

    def action_back(self) -> None:
        from ..dialogs.confirm import leave_or_ask

        leave_or_ask(
            self.app,
            self.has_unsaved_edits(),
            self.app.pop_screen,
            _("Unsaved changes"),
            _("This client has edits that are not saved. Leave without saving?"),
            yes=_("Leave"),
            no=_("Stay"),
        )
