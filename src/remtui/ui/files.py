"""Files for the clerk: downloaded by the browser when served on the web, saved on the
server in a terminal (and the clerk is told the full path)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import _
from .context import desk

if TYPE_CHECKING:
    from textual.dom import DOMNode


def unique_path(folder: Path, filename: str) -> Path:
    """``folder/filename``, or ``name (2).xlsx`` and so on if that is taken."""
    target = folder / filename
    stem, suffix = target.stem, target.suffix
    n = 2
    while target.exists():
        target = folder / f"{stem} ({n}){suffix}"
        n += 1
    return target


def save_bytes(folder: Path, filename: str, data: bytes) -> Path:
    """Write atomically (a temporary file renamed at the end: never half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = unique_path(folder, filename)
    fd, tmp = tempfile.mkstemp(prefix=".remtui-", suffix=target.suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def deliver(node: DOMNode, data: bytes, filename: str, mime_type: str) -> None:
    """Hand a file to the clerk. Textual 8.2's terminal delivery opens binary files in
    text mode, so in a terminal we save the file ourselves."""
    app = node.app
    if app.is_web:
        app.deliver_binary(io.BytesIO(data), save_filename=filename, mime_type=mime_type)
        return
    try:
        path = save_bytes(desk(node).settings.exports_path(), filename, data)
    except OSError as exc:
        app.notify(
            _("The file could not be saved: {error}").format(error=exc),
            severity="error",
            timeout=15,
            markup=False,
        )
        return
    app.notify(_("Saved: {path}").format(path=path), title=_("Export"), timeout=20, markup=False)
