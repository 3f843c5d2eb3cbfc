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


def _leads(client_id: int) -> ProfileTab:
    from .leads import LeadsTab

    return LeadsTab(client_id)


def _assets(client_id: int) -> ProfileTab:
    from .assets import AssetsTab

    return AssetsTab(client_id)


def _documents(client_id: int) -> ProfileTab:
    from .documents import DocumentsTab

    return DocumentsTab(client_id)


def _payments(client_id: int) -> ProfileTab:
    from .payments import PaymentsTab

    return PaymentsTab(client_id)


def _comms(client_id: int) -> ProfileTab:
    from .comms import CommsTab

    return CommsTab(client_id)


TABS: list[TabSpec] = [
    TabSpec("general", N_("General"), "f2", _general),
    TabSpec("balance", N_("Balance"), "f3", _balance),
    TabSpec("leads", N_("Leads"), "f4", _leads),
    TabSpec("assets", N_("Assets"), "f5", _assets),
    TabSpec("documents", N_("Documents"), "f6", _documents),
    TabSpec("payments", N_("Payments"), "f7", _payments),
    TabSpec("comms", N_("Communications"), "f8", _comms),
]
