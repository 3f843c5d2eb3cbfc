"""The one App: opens the store in the background, signs the clerk in, watches for changes."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from ..config import Settings
from ..errors import DomainError
from ..i18n import N_, _
from . import styles
from .keys import FOCUS_BINDINGS, edits_text, in_order_keys, press_enter, translate_bindings
from .messages import StoreChanged
from .typeahead import KeyOrder

if TYPE_CHECKING:
    from ..domain.staff import Actor
    from ..store.engine import Store
    from .context import DeskContext

log = logging.getLogger("remtui")
POLL_SECONDS = 1.0
SWITCH_INTERVAL = 0.0005  # seconds; see on_mount
QUIT_QUESTION = "quit-unsaved"  # the id of the "quit without saving?" question


class RemApp(App[int]):
    """The desk: every screen, dialog, tab and widget reaches it as ``DeskContext``
    (ui/context.py), never by importing this module."""

    CSS_PATH = styles.FIRST  # the area sheets load with the screens that use them
    TITLE = "remtui"
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit", priority=True),
        # Our own, so its label is translated (Textual adds an English "palette" otherwise).
        Binding(
            "ctrl+p",
            "command_palette",
            N_("commands"),
            id="app.command_palette",
            show=False,
            priority=True,
        ),
        *FOCUS_BINDINGS,
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        demo_login: str | None = None,
        watch: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.demo_login = demo_login
        self.actor: Actor | None = None
        self.store_future: Future[Store] = Future()
        self._watch = watch
        self._data_version: int | None = None
        self._polling = False
        self._store_thread_started = False
        self.store_open_delay = 0.1  # seconds after the first frame (tests use 0)
        self.store_open_fallback = 1.0  # seconds after mount, if Ready never comes
        self.animation_level = "none"
        self._in_order_keys = frozenset(in_order_keys(settings.keymap))
        self.key_order = KeyOrder(self, self._handle_key)
        translate_bindings(self)

    # --- start-up ------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        """The first screen is the bottom of the stack (not pushed over a blank one), so
        the first frame written is already the clients or sign-in screen."""
        if self.demo_login:
            from .screens.clients import ClientsScreen

            return ClientsScreen()
        from .screens.sign_in import SignInScreen

        return SignInScreen()

    def on_mount(self) -> None:
        # Store work runs in worker threads; every row SQLite returns hands the GIL back
        # and forth, and with Python's default 5 ms switch interval a worker waits up to
        # that long for each row while the UI thread is busy (e.g. switching tabs): a
        # first page of 40 rows took ~100 ms to arrive instead of ~25 ms.
        sys.setswitchinterval(SWITCH_INTERVAL)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self._watch:
            self.set_interval(POLL_SECONDS, self._poll_changes)
        # Open the store once the first screen is painted (the Ready event): importing the
        # database stack in a thread while Textual draws would slow the first paint (the
        # GIL). The timer is a fallback in case Ready never comes.
        self.set_timer(self.store_open_fallback, self._start_store_thread)

    def on_ready(self) -> None:
        # Ready: the first frame is composed; give the terminal (and ssh) a moment to
        # show it before the store's imports take a core (measured: 1.14x -> 0.98x of
        # the bare app's start on a busy 2-core machine; the list appears no later).
        if self.store_open_delay > 0:
            self.set_timer(self.store_open_delay, self._start_store_thread)
        else:
            self._start_store_thread()

    def _start_store_thread(self) -> None:
        if self._store_thread_started:
            return
        self._store_thread_started = True
        threading.Thread(target=self._open_store, name="remtui-open-store", daemon=True).start()

    def _open_store(self, create: bool = False) -> None:
        """Import the database stack and open the store without holding up the first
        screen (SQLAlchemy and pydantic take most of a second to import). A missing
        SQLite store is made only when it is the configured one, or when the clerk says
        so (``create``): a typo in --db asks first (dialogs/new_store.py)."""
        try:
            from ..domain import staff
            from ..store.engine import open_store, sqlite_path
            from ..store.migrate import upgrade
            from .dialogs.new_store import ask_to_create, is_configured_store

            path = sqlite_path(self.settings.db_url)
            if path is not None and not path.exists() and not create:
                if not is_configured_store(self.settings):

                    def make() -> None:
                        threading.Thread(
                            target=self._open_store,
                            kwargs={"create": True},
                            name="remtui-open-store",
                            daemon=True,
                        ).start()

                    refused = self.store_future.set_exception
                    self.call_from_thread(ask_to_create, self, path, make, refused)
                    return
                create = True  # the configured store, on the first start
            store = open_store(self.settings.db_url, create=create)
            upgrade(store)
            self._data_version = store.data_version()  # changes are counted from here
            with store.read() as session:
                first_run = staff.needs_first_admin(session)
                actor = staff.actor_for(session, self.demo_login) if self.demo_login else None
        except Exception as exc:
            self.store_future.set_exception(exc)
            self.call_from_thread(self.show_failure, exc, fatal=True)
            return
        if actor is not None:
            self.actor = actor
        self.store_future.set_result(store)
        if first_run and not self.demo_login:
            self.call_from_thread(self._first_run)
        else:
            self.call_from_thread(self.refresh_bindings)
        self.call_from_thread(self._freeze_heap)

    def _freeze_heap(self) -> None:
        """What start-up built (modules, classes, the stylesheet, the store) lives as long
        as the app: move it out of the cyclic collector's reach, whose full passes over it
        otherwise cost tens of milliseconds at random moments (e.g. on a tab switch)."""
        gc.collect()
        gc.freeze()

    def _first_run(self) -> None:
        from .screens.first_admin import FirstAdminScreen

        self.push_screen(FirstAdminScreen())

    def show_clients(self) -> None:
        """After signing in: the clients screen goes over the sign-in screen. (Textual
        cannot switch away from the bottom screen, which was never pushed.)"""
        from .screens.clients import ClientsScreen

        if len(self.screen_stack) > 1:
            self.switch_screen(ClientsScreen())
        else:
            self.push_screen(ClientsScreen())

    def store(self) -> Store:
        """The open store (waits for it; call from worker threads only)."""
        return self.store_future.result()

    # --- other clerks' changes -------------------------------------------------------

    def _poll_changes(self) -> None:
        if self._polling or not self.store_future.done() or self.store_future.exception():
            return
        self._polling = True
        self.run_worker(self._check_version, thread=True, group="watch", exit_on_error=False)

    def _check_version(self) -> None:
        version: int | None
        try:
            version = self.store_future.result().data_version()
        except Exception:
            log.debug("data_version poll failed", exc_info=True)
            version = self._data_version
        finally:
            self._polling = False
        if self._data_version is not None and version != self._data_version:
            self.call_from_thread(self.broadcast_change)
        self._data_version = version

    def broadcast_change(self) -> None:
        for screen in self.screen_stack:
            screen.post_message(StoreChanged())

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast's message and title reach the terminal through the safe path (they
        often quote data: a domain error naming a client, a file's path) and are never
        markup, whatever the caller asked."""
        from .safe import toast_text

        super().notify(
            toast_text(message),
            title=toast_text(title) if title else "",
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # --- errors --------------------------------------------------------------------

    def notify_domain_error(self, exc: DomainError) -> None:
        self.notify(exc.message, severity="error", markup=False)

    def show_failure(self, exc: BaseException, fatal: bool = False) -> None:
        """The one place an unexpected failure is shown: a dialog, and the full log. A
        store that cannot be used (a folder, a damaged or foreign file, a server that
        does not answer, a newer schema, a full disk) is said in one clear line, the
        one the command line prints; ``fatal`` (the store did not open): then quit."""
        log.error("failure: %s", "".join(traceback.format_exception(exc)))
        from ..safetext import safe_text
        from ..store.engine import store_problem
        from .dialogs.message import MessageDialog
        from .dialogs.new_store import one_line

        problem = store_problem(exc, self.settings.db_url)
        if problem is not None:
            title = _("Cannot open the store") if fatal else _("Error")
            text = line = problem.message
        else:
            title = _("Error")
            line = f"{type(exc).__name__}: {exc}"
            first = (
                _("remtui could not start.")
                if fatal
                else _("Something went wrong and nothing was saved by that action.")
            )
            text = first + "\n\n" + line

        def after(_result: Any) -> None:
            if fatal:
                shown = safe_text(line, single_line=True)
                self.exit(2, message=one_line(f"remtui: {shown}"))

        self.push_screen(MessageDialog(title, text, error=True), after)

    # --- files for the clerk ----------------------------------------------------------

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        if event.path is not None:
            message = _("Saved: {path}").format(path=event.path)
        else:
            message = _("Your browser is downloading the file.")
        self.notify(message, title=_("Export"), timeout=15, markup=False)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        self.notify(
            _("The file could not be saved: {error}").format(error=event.exception),
            severity="error",
            timeout=15,
            markup=False,
        )

    # --- keys, help and palette --------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit, asking first when a screen or dialog holds edits that are not saved (as
        Escape does); ctrl+q again on that question quits."""
        from .dialogs.confirm import leave_or_ask

        unsaved = any(getattr(s, "has_unsaved_edits", lambda: False)() for s in self.screen_stack)
        leave_or_ask(
            self,
            unsaved and self.screen.id != QUIT_QUESTION,
            self.exit,
            _("Unsaved changes"),
            _("Some edits are not saved. Quit without saving them?"),
            yes=_("Quit"),
            no=_("Keep editing"),
            id=QUIT_QUESTION,
        )

    def action_enter(self) -> None:
        press_enter(self.screen)

    async def on_event(self, event: events.Event) -> None:
        # Keys are handed on one at a time, each once the screen has settled after the
        # one before it (ui/typeahead.py): typed ahead, they act as if typed slowly.
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.key_order.key(event)
            return
        await super().on_event(event)

    async def _handle_key(self, event: events.Key) -> None:
        # Within a key's handling, a save key and a text field's own editing keys
        # (Backspace, arrows, ctrl+k...) run their bindings in the focused widget's
        # queue, behind the keys typed before them (ui/keys.py): Textual runs a key's
        # bindings only after the key has bubbled up to the app. (Not priority bindings:
        # those would take the keys' places in the footer and help. Textual 8.2's
        # _check_bindings; Textual is pinned exactly.)
        focused = self.screen.focused
        if event.key in self._in_order_keys:
            (focused or self.screen).call_later(self._check_bindings, event.key)
            return
        if focused is not None and edits_text(focused, event.key):
            if not await self._check_bindings(event.key, priority=True):
                focused.call_later(self._check_bindings, event.key)
            return
        await super().on_event(event)

    async def _press_keys(self, keys: Iterable[str]) -> None:
        # Pilot's key presses (tests): each returns once its key has settled, as a
        # clerk's key would before the next one is typed slowly. (Textual's own waits for
        # the CPU to go idle twice per key, a guess that costs 40 ms to 2 s a key; the
        # key is made as Textual 8.2 makes it, Textual is pinned exactly.)
        import unicodedata

        from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

        for key in keys:
            if key.startswith("wait:"):
                await super()._press_keys([key])
                continue
            if len(key) == 1 and not key.isalnum():
                key = _character_to_key(key)
            original = REPLACED_KEYS.get(key, key)
            try:
                char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
            except KeyError:
                char = key if len(key) == 1 else None
            event = events.Key(key, char)
            event.set_sender(self)
            self.post_message(event)
            await self.keys_settled()

    async def keys_settled(self) -> None:
        """Until every key read so far has been handled and the screen has settled."""
        reached = asyncio.Event()
        if self.call_later(reached.set):
            await reached.wait()
        await self.key_order.wait_idle()

    def action_help(self) -> None:
        from .dialogs.help import HelpDialog

        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen))

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        open_already = any(isinstance(s, CommandPalette) for s in self.screen_stack)
        if self.use_command_palette and not open_already:
            placeholder = _("Search for commands…")
            self.push_screen(CommandPalette(placeholder=placeholder, id="--command-palette"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette offers every action the screen's keys offer, in the clerk's words
        (our bindings, which all have ids; not Textual's field keys such as copy or cut)."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.action in seen:
                continue
            if binding.id is None:
                continue
            if binding.action in ("command_palette",):
                continue
            seen.add(binding.action)
            node, action = active.node, binding.action

            def run(node: Any = node, action: str = action) -> None:
                self.call_later(node.run_action, action)

            key = self.get_key_display(binding)
            yield SystemCommand(binding.description, f"{key}", run)
        if "quit" not in seen:
            yield SystemCommand(_("Quit"), "ctrl+q", self.action_quit)


if TYPE_CHECKING:

    def _is_a_desk(app: RemApp) -> DeskContext:
        return app  # mypy checks here that RemApp offers all that ui/context.py promises
