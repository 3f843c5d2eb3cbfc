"""SQLModel tables, one module per area. The schema is created only by migrations."""

from . import comms, crm, documents, ledger
from .core import AuditEntry, Cashbox, Client, ClientPhone, Employee, Meta, Role, Warehouse

__all__ = [
    "AuditEntry",
    "Cashbox",
    "Client",
    "ClientPhone",
    "Employee",
    "Meta",
    "Role",
    "Warehouse",
    "comms",
    "crm",
    "documents",
    "ledger",
]
