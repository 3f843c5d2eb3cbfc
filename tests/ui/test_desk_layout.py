"""It fits at 80x24 and 120x40: footers and tab titles are never cut mid-word, the statement
needs no sideways scrolling, and the first administrator's button is on screen."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Tab
from textual.widgets._footer import FooterKey

from remtui.domain import corrections
from remtui.ui.screens.first_admin import FirstAdminScreen

from .conftest import wait_for
from .test_general_tab import open_profile

SIZES = [(80, 24), (120, 40)]
TABS = ["f2", "f3", "f4", "f5", "f6", "f7", "f8"]


def inside(app, widget) -> bool:
    region = widget.region
    return region.width > 0 and region.right <= app.size.width


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_footer_and_tab_titles_are_whole_on_every_tab(make_app, make_client, size):
    make_client("Ana Silva", "912345678")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_profile(app, pilot, "ana")
        for key in TABS:
            await pilot.press(key)
            keys = list(app.screen.query(FooterKey))
            assert keys and all(inside(app, k) for k in keys), key
            shown = [k.key for k in keys]
            assert "f1" in shown, (key, shown)  # F1 lists what did not fit
            tabs = [t for t in app.screen.query(Tab) if t.display and t.region.width]
            assert len(tabs) >= 7 and all(inside(app, t) for t in tabs), key
        titles = [str(t.label) for t in app.screen.query_one("#tabs").query(Tab)]
        if size[0] >= 120:
            assert titles[0].endswith("F2")


async def test_the_statement_fits_80_columns_and_says_the_whole_reason(
    make_app, store, admin, make_client
):
    rec = make_client("Ana Silva", "912345678")
    reason = "Erro de caixa do dia 3: o talão da máquina mostrava outro valor, confirmado"
    with store.write() as session:
        corrections.add_correction(
            session, admin, rec.id, direction="owes_more", amount=1500, reason=reason
        )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_profile(app, pilot, "ana")
        await pilot.press("f3")
        table = app.screen.query_one("#statement", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling
        detail = app.screen.query_one("#statement-detail")
        assert reason in str(detail.render())
        assert admin.name in str(detail.render())


async def test_the_first_administrator_button_is_on_an_80x24_screen(make_app, store):
    app = make_app(demo_login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstAdminScreen))
        button = app.screen.query_one("#submit")
        assert button.region.bottom <= 23  # above the footer
