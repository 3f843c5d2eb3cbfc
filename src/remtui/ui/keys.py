"""Key bindings: stable ids (remappable in the config), labels translated when shown."""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from ..i18n import _


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
