"""How a balance looks: green when the client owes us, red when we owe the client,
plain when settled, and always the words too (colour is never the only signal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ...money import format_money

if TYPE_CHECKING:
    from ...config import Settings
    from ...domain.ledger import Balance

STYLES = {"receivable": "bold green", "payable": "bold red", "settled": "bold"}


def balance_style(amount: int) -> str:
    return STYLES["receivable" if amount > 0 else "payable" if amount < 0 else "settled"]


def money_text(amount: int, settings: Settings, *, signed: bool = False) -> Text:
    """An amount; ``signed`` shows + for what increases the client's debt."""
    shown = format_money(amount, settings.currency, settings.locale)
    if signed and amount > 0:
        shown = "+" + shown
    return Text(shown, style=balance_style(amount) if signed else "", no_wrap=True)


def badge(balance: Balance, settings: Settings) -> Text:
    """The balance with its note: "125,00 € · The client owes us"."""
    amount = format_money(abs(balance.amount), settings.currency, settings.locale)
    return Text.assemble((amount, STYLES[balance.state.value]), " · ", (balance.note, "bold"))
