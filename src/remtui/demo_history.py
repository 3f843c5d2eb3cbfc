"""The demo's history: documents, payments, corrections, leads, assets and messages."""

from __future__ import annotations

import random
from collections.abc import Callable

from .config import Settings
from .domain.staff import Actor
from .store.engine import Store


def add_history(
    store: Store,
    settings: Settings,
    admin: Actor,
    client_ids: list[int],
    rng: random.Random,
    progress: Callable[[str], None],
) -> None:
    progress("adding history")
