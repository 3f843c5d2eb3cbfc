"""The signed-in employee every change is attributed to, and the permission check.

Its own module so that the audit log and staff (sign-in, employees) both use it without
importing each other."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PermissionDenied
from ..i18n import _
from ..permissions import Perm


@dataclass(frozen=True)
class Actor:
    """The signed-in employee: who every change is attributed to."""

    id: int
    login: str
    name: str
    role: str
    permissions: frozenset[str]

    def can(self, perm: Perm) -> bool:
        return perm.value in self.permissions


def require(actor: Actor, perm: Perm) -> None:
    if not actor.can(perm):
        raise PermissionDenied(_("You do not have permission to do that."))
