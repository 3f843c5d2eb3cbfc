"""Two clerks on one store: what one saves, the other's open Balance tab shows in seconds."""

from __future__ import annotations

import time

from remtui.domain import payments, staff
from remtui.store.engine import Store

from .conftest import screen_text, wait_for
from .test_balance_tab import open_balance


async def test_payment_by_another_clerk_appears_in_the_balance_tab(
    make_app, store, admin, make_client
):
    rec = make_client("Ana Silva", "912345678")
    app = make_app(watch=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_balance(app, pilot, "ana")
        await wait_for(pilot, lambda: "You are settled" in screen_text(app))
        other = Store(store.url)  # the other clerk's process: its own connections
        try:
            with other.write() as session:
                box = staff.cashboxes(session)[0][0]
                payments.take_payment(
                    session, admin, rec.id, cashbox_id=box, amount=2500, note="Adiantamento"
                )
        finally:
            other.close()
        started = time.monotonic()
        await wait_for(pilot, lambda: "We owe the client" in screen_text(app))
        assert time.monotonic() - started < 4  # one-second poll + fetch, with room for a loaded CI
        assert "-€25.00" in screen_text(app)  # the new row, with the running balance
        assert "We owe the client" in str(app.screen.query_one("#profile-extra").render())
