"""Documents: work orders, estimates and sales — their lines, statuses and balance effect.

The package, by idea: ``workflow`` (kinds, statuses, moves, labels), ``lines`` (quantities,
arithmetic, the line editor's check), ``records`` (what reading returns, the errors),
``reading`` (queries), ``writing`` (changes). What a payment needs to know about a
document (kind, status, due, paid, the lock) is in ``domain.settlement``, shared with
``payments``. Import the package (``from remtui.domain import documents as docs``).

**Numbers.** Each kind has its own sequence (``numbering``: series "work_order",
"estimate", "sale"), with a prefix from the ``prefixes`` dict (default WO-/E-/S-):
``WO-000123``. Numbers are taken inside the creating transaction, so they are unique,
never reused and have no gaps even with several clerks creating documents at once.

**Arithmetic** (integers only: money in minor units, quantities in thousandths)::

    round_half_up(n / d)  = (2n + d) // 2d                  (n >= 0: halves go up)
    line gross            = round_half_up(quantity_milli * unit_price / 1000)
    percent discount      = round_half_up(gross * basis_points / 10000)   (0 .. 100 %)
    amount discount       = the amount given                              (0 .. gross)
    line total            = gross - discount                              (never < 0)
    document total        = sum of the line totals
    (document gross and discount shown = the sums of the lines' grosses and discounts)

Quantities are typed as "2", "1,5" or "0.25": more than zero, at most 3 decimals, at most
1 000 000. Unit prices are minor units from 0 up; a line's gross and the document's total
are at most ``ledger.MAX_ENTRY``. A new line without an explicit discount
(``discount_kind=None``) gets the client's discount (``Client.discount_bp``) as a
percentage unless ``apply_client_discount=False``.

**Statuses** and the only moves between them (``TRANSITIONS``)::

    work order: new -> in_progress <-> waiting_parts
                       in_progress -> ready -> closed        (issued to the client)
                       ready -> in_progress                  (back to the bench)
                       closed -> in_progress                 (reopen; needs "corrections")
                       new | in_progress | waiting_parts | ready -> cancelled   (final)
    estimate:   draft -> sent | accepted | rejected          (the client may accept at
                sent -> accepted | rejected                   the counter, unsent)
                accepted, rejected: final (an accepted estimate becomes a work order or a
                sale with ``convert_estimate``, once)
    sale:       completed (when made) -> refunded            (needs "refund"; final)

A closed work order is reopened to in_progress; to cancel it, reopen it first. Every
change (and the first status, from "") writes a ``document_status_change`` row with the
employee, the document's total at that moment and an optional note, bumps
``Document.version`` and writes an audit record.

**Balance effect** (ledger entries with source_type "document", source_id = the
document's id, reference = its number, in the same transaction)::

    sale made            Kind.SALE               +total
    sale refunded        Kind.SALE_REFUND        -total
    work order closed    Kind.WORK_ORDER         +total
    work order reopened  Kind.WORK_ORDER_REOPEN  -total   (closing again charges again)

Estimates and cancelled documents never charge. A zero total writes no entry.

**Editing.** Lines (and the asset) can be changed while a work order is open (new,
in_progress, waiting_parts, ready) and while an estimate is a draft or sent; never on a
sale, a closed or cancelled work order, or an accepted/rejected estimate. The comment can
always be changed. Saves carry the version the clerk opened: a stale save raises
:class:`StaleDocument` (with the current version and document) and writes nothing.

**What is paid and due.** paid = money in against the document minus money out against
it (voids of its payments). due = max(0, total - paid) for work orders (open or closed)
and completed sales; 0 for estimates, cancelled documents and refunded sales.
"""

from __future__ import annotations

from ..settlement import (
    DOCUMENT_SOURCE_TYPE as SOURCE_TYPE,
)
from ..settlement import (
    DocKind,
    Status,
    charged,
    due_amount,
    lock_for_write,
    paid_by_document,
    takes_payments,
)
from .lines import (
    MAX_DESCRIPTION,
    MAX_LINES,
    MAX_PERCENT_BP,
    MAX_QUANTITY_MILLI,
    DiscountKind,
    LineAmounts,
    LineInput,
    LineRecord,
    LinesPreview,
    Totals,
    compute_line,
    format_percent,
    format_quantity,
    parse_percent,
    parse_quantity,
    preview_lines,
    round_half_up,
    totals_of,
)
from .reading import (
    PAGE,
    asset_choices,
    document_version,
    get_document,
    list_documents,
    payable_documents,
)
from .records import (
    DocumentDetail,
    DocumentRow,
    IllegalTransition,
    StaleDocument,
    StatusChangeRecord,
    StatusOption,
)
from .workflow import (
    EFFECTS,
    INITIAL_STATUS,
    OPEN_WORK_ORDER,
    PERMISSIONS,
    TRANSITIONS,
    action_label,
    allowed_next,
    kind_choices,
    kind_label,
    ledger_effect,
    lines_editable,
    status_choices,
    status_label,
)
from .writing import (
    KEEP,
    MAX_COMMENT,
    MAX_NOTE,
    change_status,
    convert_estimate,
    create_document,
    refund_sale,
    reopen,
    update_document,
)

__all__ = [
    "EFFECTS",
    "INITIAL_STATUS",
    "KEEP",
    "MAX_COMMENT",
    "MAX_DESCRIPTION",
    "MAX_LINES",
    "MAX_NOTE",
    "MAX_PERCENT_BP",
    "MAX_QUANTITY_MILLI",
    "OPEN_WORK_ORDER",
    "PAGE",
    "PERMISSIONS",
    "SOURCE_TYPE",
    "TRANSITIONS",
    "DiscountKind",
    "DocKind",
    "DocumentDetail",
    "DocumentRow",
    "IllegalTransition",
    "LineAmounts",
    "LineInput",
    "LineRecord",
    "LinesPreview",
    "StaleDocument",
    "Status",
    "StatusChangeRecord",
    "StatusOption",
    "Totals",
    "action_label",
    "allowed_next",
    "asset_choices",
    "change_status",
    "charged",
    "compute_line",
    "convert_estimate",
    "create_document",
    "document_version",
    "due_amount",
    "format_percent",
    "format_quantity",
    "get_document",
    "kind_choices",
    "kind_label",
    "ledger_effect",
    "lines_editable",
    "list_documents",
    "lock_for_write",
    "paid_by_document",
    "parse_percent",
    "parse_quantity",
    "payable_documents",
    "preview_lines",
    "refund_sale",
    "reopen",
    "round_half_up",
    "status_choices",
    "status_label",
    "takes_payments",
    "totals_of",
    "update_document",
]
