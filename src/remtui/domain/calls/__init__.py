"""Phone calls with clients: logged by hand or imported from the shop's telephone system.

The package: ``log`` (labels, durations, logging a call by hand, the Calls tab's pages),
``recordings`` (which recording references are safe to show as links), ``csv_import``
(the telephone system's CSV file, below).

Import format (``remtui calls import FILE.csv``, :func:`import_calls_csv`)
-------------------------------------------------------------------------
A UTF-8 CSV file (a byte-order mark is fine) whose first line is the header::

    time,direction,number,duration,recording
    2026-11-20T09:15:00+00:00,incoming,+351 912 345 678,2:05,https://pbx.example/rec/1.wav
    2026-11-20T10:02:31Z,missed,912345678,0,
    2026-11-20T11:40:00+01:00,outgoing,00351 21 123 4567,45,/var/spool/pbx/rec/2.wav

- Columns may come in any order; extra columns are ignored; ``recording`` may be left
  out. Fields are separated by commas (a file whose header uses semicolons is read with
  semicolons). Fields may be quoted as usual in CSV. Empty lines are skipped.
- ``time``: ISO 8601 with a UTC offset or ``Z`` (a time without its zone is refused: we
  cannot know which clock it was).
- ``direction``: ``incoming``, ``outgoing`` or ``missed`` (a missed call is an
  unanswered incoming one).
- ``number``: the client's number in any format (spaces, dashes, ``+351``, ``00351``, or
  national). It is matched to a client through the normalised phone digits.
- ``duration``: whole seconds (``125``), ``m:ss`` (``2:05``) or ``h:mm:ss``; empty is 0.
- ``recording``: an ``http(s)`` URL or an absolute path on the server. Anything else is
  kept as plain text and never shown as a link.

What happens to each row:

- **imported**: it names a client's number and was not imported before.
- **duplicate** (skipped): a call with the same time, number and direction (missed
  counts as incoming) is already in the store or earlier in the file. Importing the same
  file twice therefore changes nothing the second time.
- **unmatched** (skipped, reported): a well-formed row whose number belongs to no client,
  to several clients, or is withheld (no digits, e.g. ``anonymous``). The telephone system
  also logs calls with strangers, so these never stop an import.
- **bad** (reported with its line number and the reason): anything malformed. By default
  one bad row stops the whole import and nothing is written (fix the file and import it
  again); with ``skip_bad=True`` (``--skip-bad``) the good rows are imported and the bad
  ones only reported.

Rows are validated first and written afterwards, in the caller's transaction: an import
is either written whole or not at all.
"""

from __future__ import annotations

from .csv_import import (
    CSV_COLUMNS,
    ImportReport,
    RowProblem,
    call_key,
    import_calls_csv,
)
from .log import (
    DIRECTIONS,
    FILTERS,
    KINDS,
    MAX_DURATION,
    PAGE,
    CallCounts,
    CallPage,
    CallRow,
    call_counts,
    filter_label,
    format_duration,
    get_call,
    kind_label,
    list_calls,
    log_call,
    next_filter,
    parse_duration,
)
from .recordings import (
    MAX_RECORDING,
    Recording,
    check_recording,
    recording_href,
)

__all__ = [
    "CSV_COLUMNS",
    "DIRECTIONS",
    "FILTERS",
    "KINDS",
    "MAX_DURATION",
    "MAX_RECORDING",
    "PAGE",
    "CallCounts",
    "CallPage",
    "CallRow",
    "ImportReport",
    "Recording",
    "RowProblem",
    "call_counts",
    "call_key",
    "check_recording",
    "filter_label",
    "format_duration",
    "get_call",
    "import_calls_csv",
    "kind_label",
    "list_calls",
    "log_call",
    "next_filter",
    "parse_duration",
    "recording_href",
]
