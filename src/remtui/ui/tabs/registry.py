"""The profile's tabs, in SPEC order. A tab is listed here only once it is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...i18n import N_
from .base import ProfileTab


@dataclass(frozen=True)
class TabSpec:
    id: str
    title: str  # English msgid, translated when shown
    key: str
    factory: Callable[[int], ProfileTab]


def _general(client_id: int) -> ProfileTab:
    from .general import GeneralTab

    return GeneralTab(client_id)


def _balance(client_id: int) -> ProfileTab:
    from .balance import BalanceTab

    return BalanceTab(client_id)


TABS: list[TabSpec] = [
    TabSpec("general", N_("General"), "f2", _general),
    TabSpec("balance", N_("Balance"), "f3", _balance),
]

# The keys of SPEC.md, whether or not the tab exists yet.
TAB_KEYS = {
    "general": "f2",
    "balance": "f3",
    "leads": "f4",
    "assets": "f5",
    "documents": "f6",
    "payments": "f7",
    "comms": "f8",
}
