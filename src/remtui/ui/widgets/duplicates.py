"""While a clerk types a phone, warn when another client already has it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...i18n import _
from ..context import desk
from ..work import run_store

if TYPE_CHECKING:
    from .client_form import ClientFormView


def warn_duplicate_phone(form: ClientFormView, number: str, client_id: int | None) -> None:
    app = desk(form)
    region = app.settings.phone_region
    if sum(ch.isdigit() for ch in number) < 9:
        form.show_phone_warning("")
        return

    def owners() -> list[tuple[int, str]]:
        from ...domain.clients import phone_owners

        with app.store().read() as session:
            return phone_owners(session, number, region, exclude=client_id)

    def show(found: list[tuple[int, str]]) -> None:
        if found:
            names = ", ".join(name for _id, name in found)
            form.show_phone_warning(
                _("Possible duplicate: {names} already has this number.").format(names=names)
            )
        else:
            form.show_phone_warning("")

    run_store(form, owners, show, group="phone-duplicates")
