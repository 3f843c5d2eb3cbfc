"""SMS to clients: composing (segment counting), queueing, and sending through a gateway.

The package: ``segments`` (how many SMS a text takes), ``messages`` (statuses, the SMS
tab's rows, queueing and status changes), ``gateways`` (running the configured program),
``sending`` (claiming, sending and recording the queue).

Life of a message: ``queued`` (written by :func:`queue_sms`) -> ``sending`` (claimed by one
sender) -> ``sent`` or ``failed`` (the gateway's answer) -> ``delivered`` or ``failed``
(a delivery report, :func:`set_status`).

Gateways (``[sms]`` in the config, :class:`remtui.config.SmsSettings`):

- ``none``: nothing is sent; messages stay queued and :func:`send_queued` says so.
- ``command``: runs ``command`` (a list: the program and its arguments) with two more
  arguments, the number (E.164, e.g. ``+351912345678``) and the text, exactly as they are:
  no shell is involved, so quotes, ``$()`` and the like arrive as typed. Exit status 0
  means sent; anything else means failed, with the program's output as the error. A
  program that runs longer than ``timeout_seconds`` is killed and the message is failed.
  (A program that parses options should end ``command`` with ``--``, since a text may
  begin with a dash.)

Sending never sends one message twice: :func:`send_queued` claims each message in its own
write transaction (``queued`` -> ``sending``, compare-and-set) before it runs the program
outside any transaction, then records the result in another transaction. A message left
in ``sending`` by a sender that died is marked failed (it may or may not have gone out),
never re-sent on its own; a clerk can queue it again with :func:`requeue_sms`.
"""

from __future__ import annotations

from .gateways import (
    GATEWAYS,
    GatewayResult,
    check_settings,
    run_command_gateway,
)
from .messages import (
    MAX_ERROR,
    PAGE,
    STATUSES,
    SmsNumber,
    SmsPage,
    SmsRow,
    check_text,
    client_numbers_for_sms,
    get_sms,
    list_sms,
    queue_sms,
    requeue_sms,
    set_status,
    sms_counts,
    status_label,
)
from .segments import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    MAX_SEGMENTS,
    SegmentCount,
    segments,
)
from .sending import (
    SendReport,
    SendResult,
    send_queued,
    stale_after,
)

__all__ = [
    "GATEWAYS",
    "GSM7_BASIC",
    "GSM7_EXTENDED",
    "MAX_ERROR",
    "MAX_SEGMENTS",
    "PAGE",
    "STATUSES",
    "GatewayResult",
    "SegmentCount",
    "SendReport",
    "SendResult",
    "SmsNumber",
    "SmsPage",
    "SmsRow",
    "check_settings",
    "check_text",
    "client_numbers_for_sms",
    "get_sms",
    "list_sms",
    "queue_sms",
    "requeue_sms",
    "run_command_gateway",
    "segments",
    "send_queued",
    "set_status",
    "sms_counts",
    "stale_after",
    "status_label",
]
