"""Keys in the order they were typed, each acting on what the keys before it made.

Over a slow SSH link keys arrive in bursts ("a150,00⏎", a phone fragment and Enter). Textual
hands each key to the focused widget as it reads it, so the keys behind a key that opens a
dialog (or switches a tab, or starts a search) reach the old widget before the dialog is
there, and a dialog that loads its data first loses them. Typed slowly, every key finds the
screen its predecessor left. So the app hands a key on only when the one before it has
settled: every widget of the screen has handled the messages it set off (a dialog pushed,
mounted and focused), and no store work it started is still running (``hold``/``release``
around ``run_store``). Keys that arrive meanwhile wait here, in order; none is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger("remtui")

# A hold that outlives this (a store that does not answer) lets the keys go on rather than
# swallow them: the clerk sees them land late, never lost.
HOLD_LIMIT = 30.0  # seconds
MAX_ROUNDS = 25  # settling rounds per key; messages that never stop (timers) end it


def as_typed(event: events.Key) -> events.Key:
    """Enter typed before the app took the terminal over arrives as a newline (the
    terminal's cooked mode turns CR into LF), which Textual reads as ctrl+j: it is Enter."""
    if event.key == "ctrl+j" and event.character == "\n":
        return events.Key("enter", "\r")
    return event


class KeyOrder:
    """The queue of keys typed ahead, owned by the app."""

    def __init__(self, app: App[Any], handle: Callable[[events.Key], Awaitable[None]]) -> None:
        self._app = app
        self._handle = handle
        self._pending: deque[events.Key] = deque()
        self._held: set[Any] = set()  # store workers the next key waits for
        self._settling = False
        self._handling = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._expiry: Any = None

    # --- the state ------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._pending) or self._settling or self._handling or self._holds > 0

    def _update_idle(self) -> None:
        if self.busy:
            self._idle.clear()
        else:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Until every key typed so far has been handled and has settled."""
        await self._idle.wait()

    # --- keys -----------------------------------------------------------------------

    async def key(self, event: events.Key) -> None:
        """A key read from the terminal: handled now, or queued behind the others."""
        event = as_typed(event)
        if self.busy or not self._screen_ready():
            self._pending.append(event)
            self._update_idle()
            if not self._screen_ready():
                self._settle()
            return
        await self._run(event)

    def _screen_ready(self) -> bool:
        """The screen is mounted and, if it has anything to focus, has focused it (keys
        typed while a screen opens wait for it to put the focus in its first field)."""
        try:
            screen = self._app.screen
            if not screen.is_mounted:
                return False
            return screen.focused is not None or not screen.focus_chain
        except Exception:
            return False

    async def _run(self, event: events.Key) -> None:
        self._handling = True
        self._update_idle()
        try:
            await self._handle(event)
        finally:
            self._handling = False
            self._settle()

    def _next(self) -> None:
        if self._pending and not self._screen_ready():
            # not mounted yet: look again after the next refresh
            self._app.call_after_refresh(self._settle)
            return
        if self._pending and not self._settling and not self._handling and self._holds == 0:
            event = self._pending.popleft()
            self._app.call_later(self._run, event)
            self._handling = True  # until _run takes it, nothing else may go first
        self._update_idle()

    # --- holds (store work the next key may depend on) --------------------------------

    def hold(self, worker: Any) -> None:
        """Keys wait while ``worker`` runs (until ``release(worker)``, or until it ends
        some other way: a worker cancelled before it started never runs its release)."""
        self._held.add(worker)
        self._update_idle()
        if self._expiry is None:
            self._expiry = self._app.set_timer(HOLD_LIMIT, self._expire)

    def release(self, worker: Any) -> None:
        self._held.discard(worker)
        self._settle()

    @property
    def _holds(self) -> int:
        # A cancelled worker (superseded in its group) delivers nothing the keys could
        # wait for, and one cancelled before it started never runs its release at all
        # (Textual leaves it RUNNING), so it holds nothing.
        self._held = {w for w in self._held if not (w.is_finished or w.is_cancelled)}
        if not self._held and self._expiry is not None:
            self._expiry.stop()
            self._expiry = None
        return len(self._held)

    def _expire(self) -> None:
        self._expiry = None
        if self._holds:
            log.warning("store work held typed keys for %.0f s; letting them go", HOLD_LIMIT)
            self._held.clear()
        self._settle()

    # --- settling -------------------------------------------------------------------

    def _settle(self) -> None:
        """Wait (without blocking the app) until the screen has handled what the last key
        or the last store result set off, then hand on the next key."""
        if self._settling:
            return
        self._settling = True
        self._update_idle()
        self._round(0)

    def _round(self, done: int) -> None:
        try:
            nodes = [self._app, *self._app.screen.walk_children(with_self=True)]
        except Exception:  # no screen (the app is closing)
            nodes = [self._app]
        waiting = 0

        def marker() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0:
                self._after_round(nodes, done + 1)

        for node in nodes:
            if node.call_later(marker):
                waiting += 1
        if waiting == 0:
            self._after_round(nodes, done + 1)

    def _after_round(self, nodes: list[Any], done: int) -> None:
        try:
            screen_nodes = len(list(self._app.screen.walk_children(with_self=True))) + 1
        except Exception:
            screen_nodes = len(nodes)
        quiet = screen_nodes == len(nodes) and all(node.message_queue_size == 0 for node in nodes)
        if not quiet and done < MAX_ROUNDS:
            self._round(done)
            return
        self._settling = False
        self._next()
