"""Who may read, write and issue bulletins: the one access policy of every bulletin page, the list,
the .docx and the 动态 items.

A bulletin belongs to the organ that edits it (编发单位).

- **Reading.** Staff of that organ, and of every organ above it in the tree of superiors (its
  government, the province), see all of its bulletins, drafts included. Once issued (签发) the
  bulletin is sent out: staff of the organs under it in the tree see it; a petition bureau's
  bulletin goes down to every organ in the bureau's region and the regions below it (the organs
  it writes for, as the access policy of cases gives a bureau its region) and up to the petition
  bureaus of the regions above (报上级信访部门).
- **Writing.** A draft is written by the organ's 登记员, 承办人, 审核人, 信访部门负责人 or 统计员.
- **Issuing (签发).** The organ's 信访部门负责人 or 领导.

An issued bulletin is never changed, by anyone (`services`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.bulletins.models import Bulletin, BulletinItem, Status
from xinfang.orgs.models import Org, OrgKind, Role, User
from xinfang.orgs.permissions import holds_role
from xinfang.orgs.selectors import user_memberships, user_orgs

EDIT_ROLES = (Role.REGISTRAR, Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD, Role.STATS_VIEWER)
ISSUE_ROLES = (Role.BUREAU_HEAD, Role.LEADER)


def _staff_orgs(user: User) -> list[Org]:
    if not user.is_authenticated or not user.is_active or user.is_citizen:
        return []
    return list(user_orgs(user).select_related("region"))


def _own_or_below(orgs: list[Org], field: str = "org") -> Q:
    """The rows whose organ is one of `orgs` or under one of them (the reader is above)."""
    condition = Q(pk__in=[])
    for org in orgs:
        condition |= Q(**{f"{field}__path__startswith": org.path})
    return condition


def _path_ids(path: str) -> set[int]:
    return {int(part) for part in path.strip("/").split("/") if part}


def _region_codes(path: str) -> set[str]:
    return {part for part in path.strip("/").split("/") if part}


def _reader_condition(orgs: list[Org]) -> Q:
    if not orgs:
        return Q(pk__in=[])
    own_or_above = _own_or_below(orgs)
    # The organs the reader's organs sit under (themselves included): their issued bulletins.
    superiors = set().union(*(_path_ids(org.path) for org in orgs))
    regions = set().union(*(_region_codes(org.region.path) for org in orgs))
    sent_out = Q(org_id__in=superiors) | Q(
        org__kind=OrgKind.PETITION_BUREAU, org__region__code__in=sorted(regions)
    )
    # A reader at a petition bureau: the issued bureau bulletins of its region and those below.
    for org in orgs:
        if org.is_petition_bureau:
            sent_out |= Q(org__kind=OrgKind.PETITION_BUREAU, org__region__path__startswith=org.region.path)
    return own_or_above | (Q(status=Status.ISSUED) & sent_out)


def bulletins_visible_to(user: User) -> QuerySet[Bulletin]:
    """The bulletins `user` may read (see the module docstring)."""
    return Bulletin.objects.filter(_reader_condition(_staff_orgs(user)))


def bulletin_for(user: User, bulletin_id: int) -> Bulletin | None:
    """The bulletin if `user` may read it, else None: what every page and the .docx start from."""
    return (
        bulletins_visible_to(user)
        .filter(pk=bulletin_id)
        .select_related("org", "org__region", "created_by", "issued_by")
        .first()
    )


def may_edit(user: User, bulletin: Bulletin) -> bool:
    """Whether `user` may change this bulletin (a draft, by the organ's writers)."""
    return bulletin.is_draft and holds_role(user, bulletin.org, EDIT_ROLES)


def may_issue(user: User, bulletin: Bulletin) -> bool:
    return bulletin.is_draft and holds_role(user, bulletin.org, ISSUE_ROLES)


def writing_orgs(user: User) -> list[Org]:
    """The organs in whose name `user` may write bulletins and 动态 items, by name."""
    if not user.is_authenticated or user.is_citizen:
        return []
    memberships = user_memberships(user).filter(role__in=EDIT_ROLES)
    return sorted({m.org for m in memberships}, key=lambda org: (org.path, org.pk))


def items_visible_to(user: User) -> QuerySet[BulletinItem]:
    """The 动态 items `user` may read: those of their organs and of the organs under them (items are
    working material until an issued bulletin carries them; that bulletin is read as a bulletin)."""
    return BulletinItem.objects.filter(_own_or_below(_staff_orgs(user)))


def uncollected_items(bulletin: Bulletin) -> QuerySet[BulletinItem]:
    """The organ's items not yet in any issue: what a draft 信访动态 may collect."""
    return BulletinItem.objects.filter(org=bulletin.org, bulletin__isnull=True).order_by("written_at", "pk")


def archive_years(bulletins: QuerySet[Bulletin]) -> list[int]:
    return sorted(set(bulletins.values_list("year", flat=True)), reverse=True)
