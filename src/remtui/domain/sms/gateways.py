"""Gateways: the configured program run with the number and the text (no shell), with a
timeout, and the check of the ``[sms]`` settings."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from ...config import SmsSettings
from ...errors import DomainError
from ...i18n import _, ngettext
from ...safetext import clean_input
from .messages import trim_error

GATEWAYS = ("none", "command")

# --- gateways ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayResult:
    ok: bool
    error: str = ""  # translated or the program's own output; "" when ok


def run_command_gateway(
    command: Sequence[str], number: str, text: str, timeout_seconds: float
) -> GatewayResult:
    """Run the gateway program with ``number`` and ``text`` as two more arguments (never a
    shell). Exit 0: sent. Otherwise failed, its output (trimmed) as the error."""
    argv = [*command, number, text]
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            shell=False,
            start_new_session=True,  # its children can be killed with it on a timeout
        )
    except OSError as exc:
        return GatewayResult(
            False,
            _("The SMS gateway program could not be started: {error}").format(
                error=trim_error(exc.strerror or str(exc))
            ),
        )
    try:
        output, _err = proc.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        return GatewayResult(
            False,
            ngettext(
                "The SMS gateway program did not finish within {n} second.",
                "The SMS gateway program did not finish within {n} seconds.",
                int(timeout_seconds),
            ).format(n=timeout_seconds),
        )
    if proc.returncode == 0:
        return GatewayResult(True)
    message = trim_error(output.decode("utf-8", errors="replace"))
    if not message:
        message = _("The SMS gateway program failed (exit status {status}).").format(
            status=proc.returncode
        )
    return GatewayResult(False, message)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - not POSIX
            proc.kill()
    except ProcessLookupError:
        pass


def check_settings(settings: SmsSettings) -> None:
    """DomainError when the SMS settings cannot work."""
    if settings.gateway not in GATEWAYS:
        raise DomainError(
            _("Unknown SMS gateway {gateway!r}: use none or command.").format(
                gateway=clean_input(settings.gateway)[:30]
            ),
            "gateway",
        )
    if settings.gateway == "command":
        if not settings.command or not settings.command[0].strip():
            raise DomainError(
                _("The command SMS gateway needs a command (the program to run)."), "command"
            )
        if settings.timeout_seconds <= 0:
            raise DomainError(_("The SMS gateway timeout must be above zero."), "timeout")
