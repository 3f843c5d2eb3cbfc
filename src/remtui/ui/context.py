"""The app as screens, dialogs, tabs and widgets see it: the store, the signed-in clerk,
the settings and the app-wide operations they use, typed, without importing ui/app.py.

``RemApp`` satisfies ``DeskContext``; a widget reaches it with ``desk(self)`` (or the
``desk`` property of the screen, dialog and tab bases). Light module: the store, the
domain and the settings are named for the type checker only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard, TypeVar, runtime_checkable

from textual.dom import DOMNode

if TYPE_CHECKING:
    from ..config import Settings
    from ..domain.staff import Actor
    from ..errors import DomainError
    from ..store.engine import Store
    from .typeahead import KeyOrder

R = TypeVar("R")


@runtime_checkable
class DeskContext(Protocol):
    """What the desk offers every part of the UI (``RemApp`` is the one implementation)."""

    settings: Settings
    actor: Actor | None  # the signed-in employee (None until someone signs in)
    key_order: KeyOrder  # keys typed ahead wait for store work (ui/typeahead.py)

    def store(self) -> Store:
        """The open store (waits for it; call from worker threads only)."""
        ...

    def broadcast_change(self) -> None:
        """Tell every screen the store changed (they refresh what they show)."""
        ...

    def show_clients(self) -> None:
        """After signing in: the clients screen."""
        ...

    def notify_domain_error(self, exc: DomainError) -> None:
        """A rule the domain refused, said in a toast."""
        ...

    def show_failure(self, exc: BaseException, fatal: bool = False) -> None:
        """The one error dialog for an unexpected failure."""
        ...

    def call_from_thread(
        self, callback: Callable[..., R | Awaitable[R]], *args: Any, **kwargs: Any
    ) -> R:
        """Run ``callback`` on the UI thread from a worker thread, and return its result."""
        ...


# App classes already found to be desks: the protocol check reads every member (~15 µs),
# and a tab asks for its desk many times while it draws.
_DESK_CLASSES: set[type] = set()


def is_desk(app: object) -> TypeGuard[DeskContext]:
    """Whether ``app`` offers all that ``DeskContext`` promises."""
    if type(app) in _DESK_CLASSES:
        return True
    if isinstance(app, DeskContext):
        _DESK_CLASSES.add(type(app))
        return True
    return False


def desk(node: DOMNode) -> DeskContext:
    """The desk that ``node`` (a screen, dialog, tab or widget) is mounted in."""
    app = node.app
    if not is_desk(app):
        raise TypeError(f"{type(app).__name__} is not a remtui desk app")
    return app
