"""Reads of the leaders' records, every one through the one access policy (``sees_case`` /
``cases_visible_to``): a record about a case the user may not see is not shown, and an organ's
own records are shown to its staff and to the organs above it."""

from __future__ import annotations

from xinfang.orgs.models import Org, User
from xinfang.orgs.selectors import user_orgs


def staff_orgs(user: User) -> list[Org]:
    """The organs where ``user`` holds an active role, with their regions; none for an anonymous,
    inactive or citizen account. Each mechanism's visibility starts from these."""
    if not user.is_authenticated or not user.is_active or user.is_citizen:
        return []
    return list(user_orgs(user).select_related("region"))
