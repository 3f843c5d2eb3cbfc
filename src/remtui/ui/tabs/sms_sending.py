"""Handing a queued SMS to the gateway from the Communications tab (off the UI thread),
then telling the clerk whether it went, failed or still waits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widget import Widget

from ...errors import DomainError
from ...i18n import _
from ..context import desk
from ..work import run_store

if TYPE_CHECKING:
    from ...domain.sms import SendReport, SmsRow


def send_and_tell(tab: Widget, sms_id: int, reload: Callable[[], None]) -> None:
    """Send what is queued, then ``reload`` the list and say what became of ``sms_id``."""
    app = desk(tab)
    settings = app.settings.sms

    def send() -> tuple[SendReport, SmsRow]:
        from ...domain.sms import get_sms, send_queued

        report = send_queued(app.store(), settings)
        with app.store().read() as session:
            return report, get_sms(session, sms_id)

    def done(result: tuple[SendReport, SmsRow]) -> None:
        report, row = result
        reload()
        if row.status in ("sent", "delivered"):
            tab.notify(_("SMS sent to {number}.").format(number=row.number_display), markup=False)
        elif row.status == "failed":
            tab.notify(
                _("The SMS to {number} failed: {error}").format(
                    number=row.number_display, error=row.error
                ),
                severity="error",
                markup=False,
                timeout=10,
            )
        else:
            tab.notify(
                _("The SMS is queued and not sent yet.") + " " + report.message,
                severity="warning",
                markup=False,
                timeout=10,
            )

    def failed(exc: DomainError) -> None:
        reload()
        tab.notify(
            _("The SMS is queued but could not be sent: {reason}").format(reason=exc.message),
            severity="error",
            markup=False,
            timeout=10,
        )

    run_store(
        tab,
        send,
        done,
        group="comms-send",
        error=failed,
        exclusive=False,
        hold_keys=False,  # the gateway may take its timeout; the clerk works on
    )
