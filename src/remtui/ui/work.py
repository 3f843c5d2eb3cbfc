"""Store work off the event loop: run a function in a thread, hand its result back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from ..errors import DomainError
from .context import desk

T = TypeVar("T")


def run_store(
    node: DOMNode,
    fn: Callable[[], T],
    done: Callable[[T], Any],
    *,
    group: str,
    error: Callable[[DomainError], Any] | None = None,
    exclusive: bool = True,
    hold_keys: bool = True,
) -> Worker[None]:
    """Run ``fn`` in a thread worker; call ``done(result)`` on the UI thread.

    A DomainError goes to ``error`` (or a notification); anything else to the app's one
    error dialog. A result that arrives after the worker was superseded or the widget went
    away is dropped, so a slow search never overwrites a newer one.

    Keys typed meanwhile wait until the result is shown (``hold_keys``; ui/typeahead.py):
    the next key acts on what this work brings, as it would if typed slowly. Refreshes
    that no key waits for (another clerk's change) pass ``hold_keys=False``.
    """
    app = desk(node)

    def deliver(callback: Callable[..., Any], value: Any) -> None:
        if node.is_attached:
            callback(value)

    def job() -> None:
        worker = get_current_worker()
        try:
            try:
                result = fn()
            except DomainError as exc:
                if not worker.is_cancelled:
                    app.call_from_thread(deliver, error or app.notify_domain_error, exc)
                return
            except Exception as exc:
                app.call_from_thread(app.show_failure, exc)
                return
            if not worker.is_cancelled:
                app.call_from_thread(deliver, done, result)
        finally:
            if hold_keys:
                with suppress(Exception):  # the app may be closing
                    app.call_from_thread(app.key_order.release, worker)

    started = node.run_worker(
        job, thread=True, group=group, exclusive=exclusive, exit_on_error=False
    )
    if hold_keys:
        app.key_order.hold(started)
    return started
