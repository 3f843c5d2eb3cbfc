"""Style sheets. The app loads only app.tcss (what the first screens draw); each area's
sheet is read when the first screen or dialog that can show it opens (Textual reads a
screen's CSS_PATH then), so the first frame does not wait for parsing rules it never uses."""

from __future__ import annotations

from pathlib import Path, PurePath

UI_DIR = Path(__file__).parent
FIRST: list[str | PurePath] = [UI_DIR / "app.tcss"]
AREAS: list[str | PurePath] = sorted(
    (p for p in UI_DIR.glob("*.tcss") if p.name != "app.tcss"), key=str
)
