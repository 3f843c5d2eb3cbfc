"""Table cells (ui/safe.py Cell): drawn like a one-line Text with an ellipsis, never
parsed as markup, aligned as asked or as the container's column says."""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from remtui.ui.safe import cell


def draw(renderable: object, width: int) -> str:
    """What a one-line DataTable cell of this width shows (DataTable's own pipeline)."""
    console = Console(width=120, color_system=None, legacy_windows=False)
    options = console.options.update_dimensions(width, 1).update(no_wrap=True)
    lines = console.render_lines(Padding(renderable, (0, 0)), options)  # type: ignore[arg-type]
    return "".join(segment.text for segment in lines[0])


def test_drawn_as_text_would_be_with_an_ellipsis():
    for value in [
        "Maria Costa",
        "Substituição de ecrã",
        "日本語のテキストです",
        "🙂🙂🙂🙂🙂🙂",
        "",
    ]:
        for width in (1, 2, 3, 5, 8, 30):
            shown = draw(cell(value), width)
            expected = draw(Text(value, no_wrap=True, overflow="ellipsis"), width)
            assert shown == expected, (value, width)


def test_markup_and_controls_stay_text():
    shown = draw(cell("[@click=app.quit]x[/] \x1b[31mred \u202eevil"), 80)
    assert "[@click=app.quit]x[/]" in shown
    assert "\x1b" not in shown and "\u202e" not in shown


def test_right_aligned_cells_and_table_columns():
    money = cell("€9.90")
    money.justify = "right"
    assert draw(money, 10) == "     €9.90"
    table = Table(show_header=False, box=None, padding=0)
    table.add_column(justify="right", width=6)
    table.add_row(cell("1"))
    console = Console(width=6, color_system=None, legacy_windows=False)
    with console.capture() as out:
        console.print(table)
    assert out.get().rstrip("\n") == "     1"


def test_text_copy_keeps_a_link_style():
    from rich.style import Style

    shown = cell("https://pbx.example/rec/1.wav")
    shown.stylize(Style(link="https://pbx.example/rec/1.wav"))
    assert shown.as_text().style.link == "https://pbx.example/rec/1.wav"  # type: ignore[union-attr]
    assert str(shown) == "https://pbx.example/rec/1.wav"


def test_text_fields_show_controls_as_symbols_and_read_back_clean():
    from remtui.ui.safe import field_text, read_back, shown_class

    assert field_text("a\tb\x1b]0;x\x07\nc") == "a b␛]0;x␇ c"  # an Input: one line
    assert field_text("a\tb\x1b\nc", multiline=True) == "a\tb␛\nc"  # a TextArea keeps tabs
    assert read_back("Ana\x1b[2J\u202e") == "Ana[2J"
    assert read_back("Ana ␛ ok") == "Ana ␛ ok"  # typed symbols in clean text stay
    assert shown_class("x\x9b") == "shown-controls" and shown_class("Zé") == ""
