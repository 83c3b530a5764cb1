"""The one check that a staff user holds a role in an organisation, for every app's services."""

from __future__ import annotations

from collections.abc import Iterable

from xinfang.core.errors import NotAllowed
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.selectors import user_memberships


def holds_role(user: User, org: Org, roles: Iterable[str]) -> bool:
    """Whether `user` holds one of `roles` in `org` (citizens never hold a post)."""
    return not user.is_citizen and user_memberships(user).filter(org=org, role__in=list(roles)).exists()


def require_role(user: User, org: Org, roles: Iterable[str], *, doing: str) -> None:
    """Refuse unless `user` holds one of `roles` in `org`; the message names them and the act."""
    roles = list(dict.fromkeys(roles))  # each role once, in the order given
    if not holds_role(user, org, roles):
        names = "或".join(Role(r).label for r in roles)
        raise NotAllowed(f"只有{org.name}的{names}可以{doing}。")
