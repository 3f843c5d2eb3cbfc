"""Pilot fixtures: an app on a temporary store, driven by keys.

Every wait here is on the app's own state (its screen, focus, workers, queued keys, the
store's data), never on a guessed time: ``timeout`` is only how long a wait may take before
the test fails saying what it waited for and what it saw instead. Snapshots go through
``snap`` (``settle``): taken once the app is at rest.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from textual._context import visible_screen_stack
from textual.worker import WorkerState

from remtui.config import Settings, load_settings
from remtui.store.engine import Store
from remtui.ui.app import RemApp

# How long a wait may take before it fails. Not a guess of how long things take (a wait
# ends as soon as its condition holds): only a bound, generous for a machine whose two
# cores are busy with other work, so that a broken feature fails instead of hanging.
WAIT_TIMEOUT = 30.0
POLL_SECONDS = 0.005
SNAPSHOT_SIZE = (80, 24)
_WORKING = (WorkerState.PENDING, WorkerState.RUNNING)


@pytest.fixture
def settings(store: Store) -> Settings:
    return replace(load_settings(), db_url=store.url)


@pytest.fixture
def make_app(settings: Settings) -> Callable[..., RemApp]:
    def make(
        demo_login: str | None = "admin",
        watch: bool = False,
        store_open_delay: float = 0.0,  # the app waits 0.1 s after its first frame
        **changes: object,
    ) -> RemApp:
        app = RemApp(
            replace(settings, **changes),
            demo_login=demo_login,  # type: ignore[arg-type]
            watch=watch,
        )
        app.store_open_delay = store_open_delay
        return app

    return make


# --- waiting -----------------------------------------------------------------------------


def _described(condition: Callable[[], object]) -> str:
    """The source of ``condition`` (the lambda's line), to say what a wait waited for."""
    try:
        source = inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)
    return " ".join(source.split())[:400]


def _app_state(app: Any) -> str:
    """What the app was doing: its screens, focus, workers, queued keys and screen text."""
    lines: list[str] = []
    try:
        stack = " > ".join(f"{type(s).__name__}#{s.id}" for s in app.screen_stack)
        lines.append(f"  screens: {stack}")
        focused = app.focused
        lines.append(
            "  focused: "
            + (f"{type(focused).__name__}#{focused.id}" if focused is not None else "nothing")
        )
        busy = [f"{w.name or w.group}({w.state.name})" for w in app.workers if w.state in _WORKING]
        lines.append(f"  workers running: {', '.join(busy) or 'none'}")
        key_order = getattr(app, "key_order", None)
        if key_order is not None:
            lines.append(f"  keys still settling: {key_order.busy}")
        store = getattr(app, "store_future", None)
        if store is not None:
            lines.append(f"  store open: {store.done()}")
        text = "\n".join("    |" + ln.rstrip() for ln in screen_text(app).splitlines())
        lines.append("  screen:\n" + text)
    except Exception as exc:  # the app is gone or half-built: say so
        lines.append(f"  (app state unavailable: {type(exc).__name__}: {exc})")
    return "\n".join(lines)


async def wait_for(
    pilot: Any,
    condition: Callable[[], object],
    timeout: float = WAIT_TIMEOUT,
    *,
    what: str | Callable[[], str] | None = None,
) -> None:
    """Let the app work (messages, workers) until ``condition()`` holds.

    A condition that raises (say, NoMatches: the widget it reads is not mounted yet) has
    not held yet. A wait that times out fails saying what it waited for (``what`` or the
    condition's source), the condition's last value or exception, and the app's state."""
    deadline = time.monotonic() + timeout
    polls = 0
    seen = "nothing (never polled)"
    while True:
        await pilot.pause()
        polls += 1
        try:
            value = condition()
        except Exception as exc:
            seen = f"raised {type(exc).__name__}: {exc}"
        else:
            if value:
                return
            seen = f"returned {value!r}"[:300]
        if time.monotonic() >= deadline:
            break
        await asyncio.sleep(POLL_SECONDS)
    if callable(what):
        what = what()
    raise AssertionError(
        f"waited {timeout:g} s ({polls} polls) for: {what or _described(condition)}\n"
        f"  the condition last {seen}\n{_app_state(pilot.app)}"
    )


# --- what the screen shows ---------------------------------------------------------------


def screen_text(app: RemApp) -> str:
    """Everything on screen as plain text (what a clerk reads), one line per terminal row.

    Read from the lines the app's compositor draws (a dialog's background screens
    included, as in a screenshot), not from an exported SVG: the same text, without
    building and parsing a picture on every poll."""
    token = visible_screen_stack.set(list(app._background_screens))
    try:
        strips = app.screen._compositor.render_strips()
    finally:
        visible_screen_stack.reset(token)
    return "\n".join(strip.text for strip in strips).replace("\xa0", " ")


# --- snapshots: only of an app at rest -----------------------------------------------------


def _hold_cursor_blink(app: Any) -> None:
    for screen in app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False


async def hold_cursors(pilot: Any) -> None:
    """Text cursors blink every 0.5 s, so a snapshot on a busy machine could catch either
    phase; stop the blinking (the cursor stays shown where it is) so the picture is the
    same each run."""
    _hold_cursor_blink(pilot.app)
    await pilot.pause()


def _unsettled(app: Any, focused: str | None) -> str | None:
    """Why the app is not at rest yet, or None when it is."""
    store = getattr(app, "store_future", None)
    if store is not None and not store.done():
        return "the store is still opening"
    busy = [w.name or w.group for w in app.workers if w.state in _WORKING]
    if busy:
        return f"workers running: {busy}"
    key_order = getattr(app, "key_order", None)
    if key_order is not None and key_order.busy:
        return "typed keys are still settling"
    screen = app.screen
    if (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
        or screen._callbacks
    ):
        return f"{type(screen).__name__} has a refresh pending"
    for node in (app, *screen.walk_children(with_self=True)):
        if node.message_queue_size or node._next_callbacks:
            return f"{node!r} has messages to handle"
        if getattr(node, "_layout_required", False) or getattr(node, "_repaint_required", False):
            return f"{node!r} has a refresh pending"
    if focused is not None:
        want = screen.query_one(focused)
        if app.focused is not want:
            return f"focus is on {app.focused!r}, not {focused}"
    if app.mouse_over is not None:
        return f"the mouse is over {app.mouse_over!r}"
    return None


async def settle(pilot: Any, *, focused: str | None = None, timeout: float = WAIT_TIMEOUT) -> None:
    """Until the app is at rest, so that a snapshot is the same picture every run: the
    store open, no worker running, no typed key still settling, no refresh, message or
    after-refresh callback pending on the screen, text cursors held (not blinking), the
    focus on ``focused`` (a selector) when given, and no mouse over anything (headless,
    the pointer never moves unless a test moves it). Checked twice, a pause apart, so
    that nothing set off by the last check is still on its way."""
    app = pilot.app
    reasons: list[str] = []

    def at_rest() -> bool:
        _hold_cursor_blink(app)  # dialogs opened since the last poll have their own
        reason = _unsettled(app, focused)
        reasons[:] = [reason] if reason else []
        return reason is None

    for _ in range(2):
        await pilot.wait_for_scheduled_animations()
        await wait_for(
            pilot,
            at_rest,
            timeout,
            what=lambda: f"the app at rest; last seen: {reasons[0] if reasons else '?'}",
        )


@pytest.fixture
def snap(snap_compare: Callable[..., bool]) -> Iterator[Callable[..., bool]]:
    """``snap(app, ready, size=(80, 24), focused=None)``: run ``app``, let ``ready(pilot)``
    bring it where the picture is, ``settle`` it, and compare its SVG with the stored one.
    Every snapshot test goes through here."""

    def take(
        app: RemApp,
        ready: Callable[[Any], Awaitable[None]] | None = None,
        *,
        size: tuple[int, int] = SNAPSHOT_SIZE,
        focused: str | None = None,
    ) -> bool:
        async def run_before(pilot: Any) -> None:
            if ready is not None:
                await ready(pilot)
            await settle(pilot, focused=focused)

        return snap_compare(app, terminal_size=size, run_before=run_before)

    yield take
