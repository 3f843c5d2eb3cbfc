"""The key bindings a config's ``[keymap]`` may remap, without importing Textual.

``PLACES`` lists, for every UI class that declares bindings with an id, each id and its
default keys, as Textual merges them for that class (a subclass's binding replaces its
base's on the same key). The keys of one place are active together, so the keymap must
not give one key to two of them. ``tests/test_keymap_ids.py`` checks this table against
the BINDINGS the UI classes really declare: add a binding there, add it here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

_DIALOG = {"dialog.cancel": "escape", "dialog.confirm": "ctrl+s", "dialog.help": "f1"}
# Dialogs that carry the documents' help binding (documents_text.HELP_BINDING) instead.
_DOCUMENT_DIALOG = {"dialog.cancel": "escape", "dialog.confirm": "ctrl+s", "app.help": "f1"}
_LIST = {"list.first_row": "home", "list.last_row": "end"}

PLACES: dict[str, dict[str, str]] = {
    "app.RemApp": {"app.quit": "ctrl+q", "app.help": "f1", "app.command_palette": "ctrl+p"},
    "dialogs.asset.AssetDialog": {**_DIALOG, "asset.move": "m", "asset.restore": "ctrl+r"},
    "dialogs.asset.MoveDialog": _DIALOG,
    "dialogs.asset.NewAssetDialog": _DIALOG,
    "dialogs.base.Dialog": _DIALOG,
    "dialogs.comms.LogCallDialog": _DIALOG,
    "dialogs.comms.NewChatDialog": _DIALOG,
    "dialogs.comms.SmsComposer": _DIALOG,
    "dialogs.comms._FormDialog": _DIALOG,
    "dialogs.confirm.ConfirmDialog": {**_DIALOG, "confirm.yes": "y", "confirm.no": "n"},
    "dialogs.conflict.ConflictDialog": {
        **_DIALOG,
        "conflict.mine": "k",
        "conflict.theirs": "t",
        "conflict.edit": "e",
    },
    "dialogs.correction.CorrectionDialog": {
        **_DIALOG,
        "correction.next_direction": "down",
        "correction.previous": "up",
    },
    "dialogs.crm_base.CrmChangeDialog": _DIALOG,
    "dialogs.crm_base.CrmNewDialog": _DIALOG,
    "dialogs.crm_base.CrmProfileDialog": _DIALOG,
    "dialogs.document.ConvertDialog": {
        **_DOCUMENT_DIALOG,
        "convert.work_order": "w",
        "convert.sale": "s",
    },
    "dialogs.document.DocumentDialog": {
        **_DOCUMENT_DIALOG,
        "document.status": "s",
        "document.take_payment": "p",
        "document.edit": "e",
        "document.convert": "c",
    },
    "dialogs.document.StatusDialog": _DOCUMENT_DIALOG,
    "dialogs.document_editor.DocumentEditor": {
        "dialog.cancel": "escape",
        "document_editor.save": "ctrl+s",
        "app.help": "f1",
        "document_editor.add_line": "ctrl+n",
        "document_editor.remove_line": "ctrl+r",
    },
    "dialogs.document_lines.CatalogMatches": {"document_editor.back": "escape"},
    "dialogs.help.HelpDialog": _DIALOG,
    "dialogs.lead.LeadDialog": {
        **_DIALOG,
        "lead.start_work": "w",
        "lead.won": "o",
        "lead.lost": "l",
        "lead.restore": "ctrl+r",
    },
    "dialogs.lead.LostDialog": _DIALOG,
    "dialogs.lead.NewLeadDialog": _DIALOG,
    "dialogs.lead.WinDialog": _DIALOG,
    "dialogs.message.MessageDialog": _DIALOG,
    "dialogs.new_client.NewClientDialog": _DIALOG,
    "dialogs.payment.MoneyDialog": _DOCUMENT_DIALOG,
    "dialogs.payment.PaymentDialog": _DOCUMENT_DIALOG,
    "dialogs.payment.RefundDialog": _DOCUMENT_DIALOG,
    "dialogs.payment.VoidDialog": _DOCUMENT_DIALOG,
    "screens.audit.AuditScreen": {"audit.back": "escape", "audit.focus_filter": "ctrl+f"},
    "screens.audit.AuditTable": {"audit.to_filter": "escape"},
    "screens.chat.ChatScreen": {
        "chat.back": "escape",
        "chat.close": "f5",
        "chat.reopen": "f6",
        "chat.older": "f3",
        "chat.page_up": "pageup",
        "chat.page_down": "pagedown",
    },
    "screens.clients.ClientsScreen": {
        "clients.new": "ctrl+n",
        "clients.focus_search": "ctrl+f",
        "clients.audit": "ctrl+l",
    },
    "screens.clients.ResultsTable": {
        "clients.first": "home",
        "clients.last": "end",
        "clients.search_box": "escape",
    },
    "screens.profile.ProfileScreen": {
        "profile.back": "escape",
        "profile.general": "f2",
        "profile.balance": "f3",
        "profile.leads": "f4",
        "profile.assets": "f5",
        "profile.documents": "f6",
        "profile.payments": "f7",
        "profile.comms": "f8",
    },
    "tabs.assets.AssetsTab": {"assets.new": "n"},
    "tabs.balance.BalanceTab": {
        "balance.correction": "c",
        "balance.export": "e",
        "balance.period": "p",
    },
    "tabs.comms.CommsTab": {
        "comms.next_section": "f9",
        "comms.filter_calls": "f",
        "comms.log_call": "l",
        "comms.new_sms": "m",
        "comms.resend_sms": "r",
        "comms.new_chat": "n",
    },
    "tabs.documents.DocumentsTab": {
        "documents.new_work_order": "w",
        "documents.new_sale": "s",
        "documents.new_estimate": "t",
    },
    "tabs.documents.DocumentsTable": _LIST,
    "tabs.general.GeneralTab": {"general.save": "ctrl+s", "general.revert": "ctrl+r"},
    "tabs.leads.LeadsTab": {"leads.new": "n"},
    "tabs.paged.PagedTable": _LIST,
    "tabs.payments.PaymentsTab": {
        "payments.advance": "a",
        "payments.refund": "r",
        "payments.void": "v",
    },
    "tabs.payments.PaymentsTable": _LIST,
}

# The app's priority bindings act before any screen's, so they are in every place.
EVERYWHERE = ("app.quit", "app.command_palette")

BINDING_IDS: frozenset[str] = frozenset(i for ids in PLACES.values() for i in ids)


def default_keys() -> dict[str, str]:
    """Each binding id's default keys (the same in every place that has it)."""
    return {i: keys for ids in PLACES.values() for i, keys in ids.items()}


# Textual's names for single-character keys (textual.keys._character_to_key).
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def normalise_key(key: str) -> str:
    """A key as Textual names it: "?" -> "question_mark", " f4 " -> "f4"."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return _KEY_NAME_REPLACEMENTS.get(name, name)


def split_keys(keys: str) -> list[str]:
    """The keys of a keymap value ("f4, ctrl+n"), as Textual names them."""
    return [normalise_key(k) for k in keys.split(",")]


def place_name(place: str) -> str:
    """ "screens.clients.ClientsScreen" -> "ClientsScreen"."""
    return place.rpartition(".")[2]


def clashes(keymap: Mapping[str, str]) -> dict[tuple[str, tuple[str, ...]], list[str]]:
    """Where the keymap gives one key to two bindings that are active together:
    (key, binding ids) -> the places, with at least one of the ids remapped (the defaults
    never clash)."""
    found: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    everywhere = PLACES["app.RemApp"]
    for place, defaults in PLACES.items():
        ids = dict(defaults)
        ids.update({i: everywhere[i] for i in EVERYWHERE if i not in ids})
        by_key: dict[str, list[str]] = {}
        for binding_id, default in ids.items():
            for key in split_keys(keymap.get(binding_id, default)):
                if binding_id not in by_key.setdefault(key, []):
                    by_key[key].append(binding_id)
        for key, bound in by_key.items():
            if len(bound) > 1 and any(b in keymap for b in bound):
                found.setdefault((key, tuple(sorted(bound))), []).append(place_name(place))
    return found
