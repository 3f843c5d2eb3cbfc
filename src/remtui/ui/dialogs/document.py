"""One document in a dialog: header, lines, totals, payments, due, history and actions.

Other areas open it as ``DocumentDialog(document_id)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...errors import DomainError
from ...i18n import N_, _
from ...permissions import Perm
from ..documents_text import HELP_BINDING, money, status_text, when
from ..messages import StoreChanged
from ..safe import cell, content, line
from ..widgets.note import FieldNote
from ..work import run_store
from .base import Dialog

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from ...domain.documents import DocumentDetail, StatusOption
    from ..context import DeskContext


def _actor_can(app: DeskContext, permission: str | None) -> bool:
    if permission is None:
        return True
    return app.actor is not None and app.actor.can(Perm(permission))


def _table(*headers: tuple[str, JustifyMethod]) -> Table:
    table = Table(box=None, expand=True, padding=(0, 1), show_edge=False, pad_edge=False)
    for title, justify in headers:
        table.add_column(Text(title, style="bold"), justify=justify, no_wrap=True)
    return table


class DocumentDialog(Dialog[None]):
    HELP_TEXT = N_(
        "A document: its lines, totals, the payments made against it and what is still due, "
        "its status history. s changes the status (the list says what each change does to "
        "the balance), p takes a payment of what is due, e edits the lines while the "
        "document is open, c turns an accepted estimate into a work order or a sale."
    )
    BINDINGS = [
        HELP_BINDING,
        Binding("s", "change_status", N_("Change status"), id="document.status"),
        Binding("p", "take_payment", N_("Take payment"), id="document.take_payment"),
        Binding("e", "edit", N_("Edit"), id="document.edit"),
        Binding("c", "convert", N_("Convert"), id="document.convert"),
    ]

    def __init__(
        self, document_id: int, *, take_payment: bool = False, just_saved: bool = False
    ) -> None:
        super().__init__()
        self.document_id = document_id
        self._just_saved = just_saved  # the editor saved it: the title says so
        # A sale just made: what is due is taken next (Escape leaves it due).
        self._take_payment_first = take_payment
        self.detail: DocumentDetail | None = None
        self.advance = 0  # money the client has paid in advance, not yet consumed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog doc-dialog"):
            yield Static(_("Loading…"), id="doc-title", classes="dialog-title")
            with VerticalScroll(id="doc-body"):
                yield Static("", id="doc-header")
                yield Static("", id="doc-lines")
                yield Static("", id="doc-totals")
                yield Static(_("Payments"), classes="doc-section", id="doc-payments-title")
                yield Static("", id="doc-payments")
                yield Static(_("Status history"), classes="doc-section")
                yield Static("", id="doc-history")
            yield FieldNote("", id="doc-notice", classes="field-warning")
            with Horizontal(classes="dialog-buttons doc-actions"):
                yield Button(_("Change status") + " (s)", id="doc-status", compact=True)
                yield Button(_("Take payment") + " (p)", id="doc-pay", compact=True)
                yield Button(_("Edit") + " (e)", id="doc-edit", compact=True)
                yield Button(_("Convert") + " (c)", id="doc-convert", compact=True)
                yield Button(_("Close") + " (Esc)", id="doc-close", compact=True)

    def on_mount(self) -> None:
        for button in self.query(".doc-actions Button"):
            button.display = button.id == "doc-close"
        self.query_one("#doc-body").focus()
        self.load()

    # --- loading -------------------------------------------------------------------------

    def load(self) -> None:
        document_id = self.document_id

        def fetch() -> tuple[DocumentDetail, int]:
            from ...domain.documents import get_document
            from ...domain.payments import advance_held

            with self.desk.store().read() as session:
                detail = get_document(session, document_id)
                return detail, advance_held(session, detail.client_id)

        run_store(self, fetch, self._show, group="doc-load", error=self._load_failed)

    def _load_failed(self, exc: DomainError) -> None:
        self.query_one("#doc-title", Static).update(line(exc.message))

    def on_store_changed(self, _event: StoreChanged) -> None:
        self.load()

    def _options(self) -> list[StatusOption]:
        if self.detail is None:
            return []
        return [o for o in self.detail.next_statuses if _actor_can(self.desk, o.permission)]

    def _can_convert(self) -> bool:
        # an accepted estimate becomes one document: once it has, the key is gone
        detail = self.detail
        return detail is not None and detail.status == "accepted" and not detail.converted_to

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        detail = self.detail
        if action == "change_status":
            return bool(self._options())
        if action == "take_payment":
            return detail is not None and detail.can_take_payment
        if action == "edit":
            return detail is not None and detail.editable
        if action == "convert":
            return self._can_convert()
        return True

    def _show(self, data: tuple[DocumentDetail, int]) -> None:
        detail, self.advance = data
        self.detail = detail
        app = self.desk
        title = f"{detail.kind_label} {detail.number} · {status_text(detail.status)}"
        if self._just_saved:
            title += " · " + _("Saved ✓")
        self.query_one("#doc-title", Static).update(line(title))
        header = [
            _("Client: {name}").format(name=detail.client_name),
            _("Created {when} by {who}").format(
                when=when(app, detail.at), who=detail.employee or "?"
            ),
        ]
        if when(app, detail.updated_at) != when(app, detail.at):
            header.append(_("Last changed {when}").format(when=when(app, detail.updated_at)))
        if detail.asset_label:
            header.append(_("Asset: {asset}").format(asset=detail.asset_label))
        if detail.estimate_number:
            header.append(_("Made from estimate {number}").format(number=detail.estimate_number))
        if detail.converted_to:
            header.append(
                _("Turned into {numbers}").format(
                    numbers=", ".join(number for _id, number in detail.converted_to)
                )
            )
        if detail.comment:
            header.append(_("Comment: {text}").format(text=detail.comment))
        self.query_one("#doc-header", Static).update(content("\n".join(header), limit=3000))
        self._show_lines(detail)
        self._show_totals(detail)
        self._show_payments(detail)
        self._show_history(detail)
        buttons = {
            "doc-status": bool(self._options()),
            "doc-pay": detail.can_take_payment,
            "doc-edit": detail.editable,
            "doc-convert": self._can_convert(),
            "doc-close": True,
        }
        for button_id, shown in buttons.items():
            self.query_one(f"#{button_id}", Button).display = shown
        self.refresh_bindings()
        if self._take_payment_first:
            self._take_payment_first = False
            if detail.can_take_payment and detail.due > 0:
                self.action_take_payment()

    def _show_lines(self, detail: DocumentDetail) -> None:
        from ...domain.documents import format_percent, format_quantity

        locale = self.desk.settings.locale
        table = _table(
            (_("Item"), "left"),
            (_("Qty"), "right"),
            (_("Price"), "right"),
            (_("Discount"), "right"),
            (_("Total"), "right"),
        )
        table.columns[0].no_wrap = False
        table.columns[0].ratio = 1
        for ln in detail.lines:
            if ln.discount_kind == "percent" and ln.discount:
                discount = (
                    f"{format_percent(ln.discount_value, locale)} ({money(self.desk, ln.discount)})"
                )
            elif ln.discount:
                discount = money(self.desk, ln.discount)
            else:
                discount = ""
            table.add_row(
                cell(ln.description, limit=200),
                cell(format_quantity(ln.quantity_milli, locale)),
                cell(money(self.desk, ln.unit_price)),
                cell(discount),
                cell(money(self.desk, ln.line_total)),
            )
        self.query_one("#doc-lines", Static).update(table)

    def _show_totals(self, detail: DocumentDetail) -> None:
        app = self.desk
        parts = []
        if detail.discount:
            parts.append(
                _("Gross {gross} − discount {discount}").format(
                    gross=money(app, detail.gross), discount=money(app, detail.discount)
                )
            )
        parts.append(_("Total {total}").format(total=money(app, detail.total)))
        text = Text(" · ".join(parts), style="bold")
        if detail.kind != "estimate":
            text.append("\n")
            text.append(_("Paid {paid}").format(paid=money(app, detail.paid)))
            text.append(" · ")
            if detail.due > 0:
                text.append(_("Due {due}").format(due=money(app, detail.due)), style="bold")
            elif detail.status in ("cancelled", "refunded"):
                text.append(_("Nothing is due: the document charges nothing."))
            else:
                text.append(_("Nothing is due."))
            # An open (or reopened) work order charges nothing yet, so what was paid against
            # it is held on the balance as an advance: that part of the advance is this
            # document's own payment, not money the clerk could still use for it.
            charging = not (detail.kind == "work_order" and detail.status != "closed")
            if not charging and detail.total:
                text.append("\n")
                text.append(
                    _(
                        "The client is charged when the work order is closed; what was paid "
                        "is held as an advance until then."
                    )
                    if detail.paid
                    else _("The client is charged when the work order is closed."),
                    style="italic",
                )
            other_advance = self.advance - (0 if charging else detail.paid)
            if detail.due > 0 and other_advance > 0:
                text.append("\n")
                text.append(
                    _(
                        "The client has {amount} paid in advance: it counts on the balance, "
                        "not against this document."
                    ).format(amount=money(app, other_advance)),
                    style="italic",
                )
        else:
            text.append("\n")
            text.append(_("An estimate never charges the client."), style="italic")
        self.query_one("#doc-totals", Static).update(text)

    def _show_payments(self, detail: DocumentDetail) -> None:
        widget = self.query_one("#doc-payments", Static)
        shown = detail.kind != "estimate" or bool(detail.payments)
        widget.display = shown
        self.query_one("#doc-payments-title").display = shown
        if not detail.payments:
            widget.update(line(_("No payments against this document.")))
            return
        table = _table(
            (_("Date and time"), "left"),
            (_("Type"), "left"),
            (_("Cashbox"), "left"),
            (_("Amount"), "right"),
        )
        for p in detail.payments:
            label = p.label
            if p.voided:
                label = _("{label} (voided)").format(label=label)
            table.add_row(
                cell(when(self.desk, p.at)),
                cell(label),
                cell(p.cashbox),
                cell(money(self.desk, p.signed_amount, signed=True)),
            )
        widget.update(table)

    def _show_history(self, detail: DocumentDetail) -> None:
        table = _table((_("Date and time"), "left"), (_("Status"), "left"), (_("By"), "left"))
        table.columns[1].no_wrap = False
        for change in detail.history:
            moved = (
                f"{status_text(change.from_status)} → {status_text(change.to_status)}"
                if change.from_status
                else status_text(change.to_status)
            )
            if change.note:
                moved += f" — {change.note}"
            table.add_row(
                cell(when(self.desk, change.at)), cell(moved, limit=600), cell(change.employee)
            )
        self.query_one("#doc-history", Static).update(table)

    # --- buttons -------------------------------------------------------------------------

    @on(Button.Pressed, "#doc-status")
    def _status_pressed(self) -> None:
        self.action_change_status()

    @on(Button.Pressed, "#doc-pay")
    def _pay_pressed(self) -> None:
        self.action_take_payment()

    @on(Button.Pressed, "#doc-edit")
    def _edit_pressed(self) -> None:
        self.action_edit()

    @on(Button.Pressed, "#doc-convert")
    def _convert_pressed(self) -> None:
        self.action_convert()

    @on(Button.Pressed, "#doc-close")
    def _close_pressed(self) -> None:
        self.dismiss(None)

    # --- actions -------------------------------------------------------------------------

    def _changed(self) -> None:
        """Something was written: show it here and everywhere else in the profile."""
        self.desk.broadcast_change()
        self.load()

    def action_change_status(self) -> None:
        detail = self.detail
        options = self._options()
        if detail is None or not options:
            return

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                self._set_status(detail, *choice)

        self.app.push_screen(StatusDialog(detail, options), chosen)

    def _set_status(self, detail: DocumentDetail, status: str, note: str) -> None:
        actor, document_id, version = self.desk.actor, detail.id, detail.version

        def write() -> DocumentDetail:
            from ...domain.documents import change_status

            assert actor is not None
            with self.desk.store().write() as session:
                return change_status(
                    session, actor, document_id, status, expected_version=version, note=note
                )

        def done(_new: DocumentDetail) -> None:
            self.notify(
                _("{number} is now {status}.").format(
                    number=detail.number, status=status_text(status)
                ),
                markup=False,
            )
            self._changed()

        run_store(self, write, done, group="doc-status", error=self._write_failed)

    def _write_failed(self, exc: DomainError) -> None:
        self.query_one("#doc-notice", Static).update(line(exc.message, limit=400))
        self.notify(exc.message, severity="error", markup=False)
        self.load()

    def action_take_payment(self) -> None:
        detail = self.detail
        if detail is None or not detail.can_take_payment:
            return
        from .payment import PaymentDialog

        def paid(result: object) -> None:
            if result is not None:
                self._changed()

        self.app.push_screen(
            PaymentDialog(detail.client_id, document_id=detail.id, amount=detail.due), paid
        )

    def action_edit(self) -> None:
        detail = self.detail
        if detail is None or not detail.editable:
            return
        from .document_editor import DocumentEditor

        def saved(result: int | None) -> None:
            if result is not None:
                self._just_saved = True
                self._changed()

        self.app.push_screen(
            DocumentEditor(detail.client_id, detail.kind, document_id=detail.id), saved
        )

    def action_convert(self) -> None:
        detail = self.detail
        if detail is None or not self._can_convert():
            return

        def chosen(kind: str | None) -> None:
            if kind:
                self._convert(detail, kind)

        self.app.push_screen(ConvertDialog(detail.number), chosen)

    def _convert(self, detail: DocumentDetail, kind: str) -> None:
        actor, estimate_id = self.desk.actor, detail.id
        prefixes = dict(self.desk.settings.document_prefixes)

        def write() -> DocumentDetail:
            from ...domain.documents import convert_estimate

            assert actor is not None
            with self.desk.store().write() as session:
                return convert_estimate(session, actor, estimate_id, kind, prefixes=prefixes)

        def done(new: DocumentDetail) -> None:
            self.notify(
                _("{number} was made from {estimate}.").format(
                    number=new.number, estimate=detail.number
                ),
                markup=False,
            )
            self._changed()
            self.app.push_screen(DocumentDialog(new.id))

        run_store(self, write, done, group="doc-convert", error=self._write_failed)


class StatusDialog(Dialog[tuple[str, str]]):
    """Pick the next status; each choice says what it does to the client's balance."""

    ENTER_CONFIRMS = True

    BINDINGS = [HELP_BINDING]

    HELP_TEXT = N_(
        "Choose the new status with Up and Down and press Enter. The note is optional and "
        "stays in the document's history."
    )

    def __init__(self, detail: DocumentDetail, options: list[StatusOption]) -> None:
        super().__init__()
        self._detail = detail
        self._choices = options

    def compose(self) -> ComposeResult:
        detail = self._detail
        with Vertical(classes="dialog"):
            yield Static(
                line(
                    _("Status of {number}: {status}").format(
                        number=detail.number, status=status_text(detail.status)
                    )
                ),
                classes="dialog-title",
            )
            options = []
            for option in self._choices:
                prompt = Text(option.action, style="bold")
                prompt.append(" → " + status_text(option.status), style="")
                effect = self._effect(option)
                if effect:
                    prompt.append("\n   " + effect, style="italic")
                options.append(Option(prompt, id=option.status))
            yield OptionList(*options, id="status-options", compact=True)
            with Horizontal(classes="form-row"):
                yield Static(_("Note"), classes="form-label")
                yield Input(
                    id="status-note",
                    max_length=500,
                    compact=True,
                    placeholder=_("optional: stays in the history"),
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Change") + " (ctrl+s)", id="status-ok", variant="primary")
                yield Button(_("Cancel") + " (Esc)", id="status-cancel")

    def _effect(self, option: StatusOption) -> str:
        amount = money(self.desk, abs(option.charges))
        if option.charges > 0:
            return _("charges the client {amount}").format(amount=amount)
        if option.charges < 0:
            return _("takes {amount} off what the client owes").format(amount=amount)
        if option.status in ("cancelled", "rejected"):
            return _("final: cannot be undone")
        return ""

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#status-ok")
    def _ok(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#status-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def action_confirm(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id is None:
            return
        self.dismiss((option.id, self.query_one("#status-note", Input).value))


class ConvertDialog(Dialog[str]):
    """An accepted estimate becomes a work order (w) or a sale (s)."""

    HELP_TEXT = N_(
        "The new document gets the estimate's lines, prices and discounts. A sale charges "
        "the client at once; a work order when it is closed."
    )
    BINDINGS = [
        HELP_BINDING,
        Binding("w", "pick('work_order')", N_("Work order"), id="convert.work_order"),
        Binding("s", "pick('sale')", N_("Sale"), id="convert.sale"),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self._number = number

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                line(_("Turn {number} into…").format(number=self._number)), classes="dialog-title"
            )
            yield Static(content(_(self.HELP_TEXT)), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Work order") + " (w)", id="convert-work_order", variant="primary")
                yield Button(_("Sale") + " (s)", id="convert-sale")
                yield Button(_("Cancel") + " (Esc)", id="convert-cancel")

    def on_mount(self) -> None:
        self.query_one("#convert-work_order").focus()

    def action_pick(self, kind: str) -> None:
        self.dismiss(kind)

    def action_confirm(self) -> None:
        self.dismiss("work_order")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        kind = (event.button.id or "").removeprefix("convert-")
        self.dismiss(kind if kind in ("work_order", "sale") else None)
