"""Which organisations' figures a user may see: the one rule of the statistics page, its report
files, the statistics API and the case lists behind a figure (those lists then go through the case
access policy too).

A user sees the figures of each organ they belong to and of every organ under it in the
organisation tree (the `Org.path` prefix)."""

from __future__ import annotations

from xinfang.orgs.models import Org, User
from xinfang.orgs.selectors import orgs_under, user_orgs

__all__ = ["may_report_on", "reportable_orgs"]


def reportable_orgs(user: User) -> list[Org]:
    """The organisations `user` may ask for: each of their organs and every organ under it."""
    found: dict[int, Org] = {}
    for org in user_orgs(user):
        for under in orgs_under(org):
            found.setdefault(under.pk, under)
    return sorted(found.values(), key=lambda org: (org.path, org.pk))


def may_report_on(user: User, org: Org) -> bool:
    """Whether `org` is one of `reportable_orgs(user)`, without listing them all."""
    return any(org.path.startswith(own.path) for own in user_orgs(user))
