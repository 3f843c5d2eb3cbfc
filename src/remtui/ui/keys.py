"""Key bindings: stable ids (remappable in the config), labels translated when shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache

from textual.actions import SkipAction
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from ..i18n import _

# Type-ahead: over a slow SSH link, keys arrive in bursts ("name<Tab>phone", "50<Enter>").
# Textual queues each key for the focused widget as the app reads it, but runs a widget's
# own bindings (Enter submits an Input) only after the key has bubbled up to the app, by
# which time the keys behind it are already in the field. These priority bindings act
# while the app reads the key instead: Tab, and Enter in an ENTER_NEXT field, move the
# focus at once. (A field's own keys, Enter that submits included, run in its queue:
# RemApp.on_event with edits_text.)
ENTER_NEXT = "enter-next"  # the class of fields where Enter moves to the next field
FOCUS_BINDINGS = [
    Binding("tab", "app.focus_next", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    Binding("enter", "app.enter", show=False, priority=True),
]


# Bindings that save a form (remappable): they must read the fields after the keys typed
# before them and before those typed after, so the app runs them in the focused field's
# queue (``in_order_keys``, RemApp.on_event).
SAVE_BINDING_IDS = ("general.save", "dialog.confirm", "document_editor.save")


def in_order_keys(keymap: Mapping[str, str]) -> list[str]:
    """The keys of the saving bindings, as remapped by the clerk's keymap."""
    keys: set[str] = set()
    for binding_id in SAVE_BINDING_IDS:
        keys.update(k.strip() for k in keymap.get(binding_id, "ctrl+s").split(",") if k.strip())
    return sorted(keys)


@cache
def _editing_keys() -> tuple[tuple[type[Widget], frozenset[str]], ...]:
    """Each text field class with the keys of its own BINDINGS. Only those: what the
    classes inherit (scrolling with Up and Down) is left to bubble as usual, so a screen
    can still move on with Down from a field. (TextArea is imported at the first key, not
    at start-up.)"""
    from textual.widgets import TextArea

    return tuple(
        (cls, frozenset(BindingsMap(cls.__dict__.get("BINDINGS", [])).key_to_bindings))
        for cls in (Input, TextArea)
    )


def edits_text(widget: Widget, key: str) -> bool:
    """Whether ``key`` is one of a text field's own editing keys (Backspace, Left,
    ctrl+k...: a binding of Input or TextArea itself)."""
    return any(isinstance(widget, cls) and key in keys for cls, keys in _editing_keys())


def press_enter(screen: Screen[object]) -> None:
    """Enter in a field marked ENTER_NEXT moves on at once. Anywhere else Enter is the
    widget's own (in a field it is an editing key: it submits in order, see edits_text)."""
    focused = screen.focused
    if focused is None or not focused.has_class(ENTER_NEXT):
        raise SkipAction()
    screen.focus_next()


def keep_what_was_entered(event: Input.Submitted) -> None:
    """Put back what the field held when Enter was pressed: keys typed after Enter reach
    the field before the form reads it, and must not change what is saved."""
    if event.input.value != event.value:
        event.input.value = event.value


def translate_bindings(node: DOMNode) -> None:
    """Give this node's bindings labels in the clerk's language.

    BINDINGS are class attributes, written once in English (marked with N_); each node
    gets its own copy of them, which we translate here. (Textual 8.2 keeps that copy in
    ``_bindings``; Textual is pinned exactly.)
    """
    table = node._bindings.key_to_bindings
    for key, bindings in list(table.items()):
        table[key] = [
            replace(
                b,
                description=_(b.description) if b.description else "",
                tooltip=_(b.tooltip) if b.tooltip else "",
            )
            for b in bindings
        ]
