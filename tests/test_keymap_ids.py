"""remtui.keymap_ids (what the config's [keymap] may name, read without Textual) is exactly
what the UI classes declare: a binding added, renamed or moved in the UI fails here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import pprint
import string

from textual.dom import DOMNode
from textual.keys import _character_to_key

import remtui.ui
from remtui import keymap_ids


def declared() -> tuple[dict[str, dict[str, str]], set[str]]:
    """Every UI class with id'd bindings: {place: {id: keys}} as Textual merges them, and
    the ids of the app's priority bindings."""
    places: dict[str, dict[str, str]] = {}
    priority: set[str] = set()
    for info in pkgutil.walk_packages(remtui.ui.__path__, "remtui.ui."):
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, DOMNode)):
                continue
            if cls.__module__ != info.name:
                continue
            ids: dict[str, list[str]] = {}
            for key, bindings in cls._merge_bindings().key_to_bindings.items():
                for binding in bindings:
                    if binding.id:
                        ids.setdefault(binding.id, []).append(key)
                        if name == "RemApp" and binding.priority:
                            priority.add(binding.id)
            if ids:
                place = f"{info.name.removeprefix('remtui.ui.')}.{name}"
                places[place] = {i: ",".join(keys) for i, keys in ids.items()}
    return places, priority


def test_the_table_is_what_the_ui_declares():
    places, priority = declared()
    assert places, "no UI class found"
    assert places == keymap_ids.PLACES, (
        "remtui/keymap_ids.py PLACES is out of date; what the UI declares:\n"
        + pprint.pformat(places, sort_dicts=True, width=100)
    )
    assert set(keymap_ids.EVERYWHERE) == priority
    # Every id the app's own code knows by name is in the table.
    from remtui.ui.keys import SAVE_BINDING_IDS

    assert set(SAVE_BINDING_IDS) <= keymap_ids.BINDING_IDS


def test_keys_are_named_as_textual_names_them():
    for ch in string.printable.strip():
        assert keymap_ids.normalise_key(ch) == _character_to_key(ch), ch
    assert keymap_ids.split_keys(" f4 , ctrl+n,?") == ["f4", "ctrl+n", "question_mark"]


def test_clashes_are_found_in_the_place_where_both_are_active():
    assert keymap_ids.clashes({}) == {}
    assert keymap_ids.clashes({"clients.new": "f4"}) == {}
    assert keymap_ids.clashes({"clients.new": "ctrl+f"}) == {
        ("ctrl+f", ("clients.focus_search", "clients.new")): ["ClientsScreen"]
    }
    # Swapping two keys is no clash; a priority key of the app is taken everywhere.
    assert keymap_ids.clashes({"clients.new": "ctrl+f", "clients.focus_search": "ctrl+n"}) == {}
    assert keymap_ids.clashes({"balance.export": "ctrl+q"}) == {
        ("ctrl+q", ("app.quit", "balance.export")): ["BalanceTab"]
    }
    # One clash in the base dialog is one entry, naming every dialog it reaches.
    found = keymap_ids.clashes({"dialog.confirm": "escape"})
    assert list(found) == [("escape", ("dialog.cancel", "dialog.confirm"))]
    assert "NewClientDialog" in found["escape", ("dialog.cancel", "dialog.confirm")]
