"""Reads over the region and organisation trees and over staff roles."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.orgs.models import Membership, Org, OrgKind, Region, Role, User


def regions_under(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    qs = Region.objects.filter(path__startswith=region.path)
    return qs if include_self else qs.exclude(pk=region.pk)


def orgs_under(org: Org, *, include_self: bool = True) -> QuerySet[Org]:
    """The organisation and every organ below it in the tree of superiors."""
    qs = Org.objects.filter(path__startswith=org.path)
    return qs if include_self else qs.exclude(pk=org.pk)


def orgs_in_region(region: Region) -> QuerySet[Org]:
    """Organs located in the region or any region below it."""
    return Org.objects.filter(region__path__startswith=region.path)


def org_ancestors(org: Org) -> list[Org]:
    """Superiors from the root down to the direct parent."""
    ids = [int(part) for part in org.path.strip("/").split("/")[:-1]]
    by_id = Org.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def supervising_orgs(org: Org) -> QuerySet[Org]:
    """The active organs with authority over `org`: its superiors in the organisation tree, and the
    纪检监察 organs of its region or of a region above it. Never `org` itself or an organ below it.

    Derived from the organisation data (tree and kind), so adding a 纪委监委 makes it a choice.
    """
    superiors = [int(part) for part in org.path.strip("/").split("/")[:-1]]
    regions = [code for code in org.region.path.strip("/").split("/") if code]
    return (
        Org.objects.filter(Q(pk__in=superiors) | Q(kind=OrgKind.DISCIPLINE, region__code__in=regions))
        .filter(is_active=True)
        .exclude(path__startswith=org.path)
        .select_related("region")
    )


def user_memberships(user: User) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True, org__is_active=True).select_related(
        "org", "org__region"
    )


def user_orgs(user: User) -> QuerySet[Org]:
    return Org.objects.filter(pk__in=user_memberships(user).values("org")).distinct()


def user_has_role(user: User, role: Role | str, *, org: Org | None = None) -> bool:
    qs = user_memberships(user).filter(role=role)
    if org is not None:
        qs = qs.filter(org=org)
    return qs.exists()
