"""Permission names (a light module: the UI checks them without the database stack)."""

from __future__ import annotations

from enum import StrEnum


class Perm(StrEnum):
    EDIT_CLIENTS = "edit_clients"
    CORRECTIONS = "corrections"
    REFUND = "refund"
    EXPORT = "export"
    VIEW_CHATS = "view_chats"
    MANAGE_EMPLOYEES = "manage_employees"
