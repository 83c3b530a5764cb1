"""Reads of 积案化解 campaigns for the pages, the API and the reports.

Who sees a campaign: the staff of its organ and of the organs above it in the organisation tree
(they see every item), the staff of a unit that has items on it (they see only their own unit's
items), and a 包案 leader of an item (who sees the items they answer for). Item rows are narrowed further by the one access policy (``sees_case``), and the
figures, the bars and the reports are computed from the items a user sees, never from more.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from xinfang.cases.documents.kinds import ACCUSED_STAND_IN
from xinfang.cases.models import Case, Nature
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.leadership.campaign_figures import Item
from xinfang.leadership.models.campaigns import Campaign, CampaignItem, CampaignItemEvent
from xinfang.leadership.selectors import staff_orgs
from xinfang.leadership.services._common import ORGANISER_ROLES
from xinfang.orgs.models import Membership, Org, OrgKind, Role, User
from xinfang.orgs.selectors import user_memberships


def _above_or_at(orgs: Iterable[Org]) -> Q:
    """Campaigns of these organs or of an organ below one of them."""
    condition = Q(pk__in=[])
    for org in orgs:
        condition |= Q(org__path__startswith=org.path)
    return condition


def _own_items(user: User, orgs: list[Org]) -> Q:
    """The items of the user's units, and those the user answers for as 包案 leader."""
    return Q(unit__in=[org.pk for org in orgs]) | Q(leader=user)


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    orgs = staff_orgs(user)
    if not orgs:
        return Campaign.objects.none()
    involved = CampaignItem.objects.filter(_own_items(user, orgs)).values("campaign_id")
    return (
        Campaign.objects.filter(_above_or_at(orgs) | Q(pk__in=involved))
        .select_related("org__region", "created_by")
        .order_by("-received_on", "-pk")
    )


def campaign_detail(user: User, campaign_id: int) -> Campaign | None:
    return campaigns_visible_to(user).filter(pk=campaign_id).first()


def sees_every_item(user: User, campaign: Campaign) -> bool:
    """Staff of the campaign's organ or of an organ above it (not merely a unit with items)."""
    return any(campaign.org.path.startswith(org.path) for org in staff_orgs(user))


def campaign_items(user: User, campaign: Campaign) -> QuerySet[CampaignItem]:
    """The items of ``campaign`` that ``user`` sees, by plan date."""
    items = CampaignItem.objects.filter(campaign=campaign)
    if not sees_every_item(user, campaign):
        items = items.filter(_own_items(user, staff_orgs(user)))
    return (
        items.filter(sees_case(user, "case_id"))
        .select_related("case__accused_org", "unit", "leader", "campaign__org__region")
        .order_by("plan_on", "unit__path", "pk")
    )


def item_detail(user: User, item_id: int) -> CampaignItem | None:
    item = CampaignItem.objects.select_related("campaign").filter(pk=item_id).first()
    if item is None or campaign_detail(user, item.campaign_id) is None:
        return None
    return campaign_items(user, item.campaign).filter(pk=item_id).first()


def item_events(item: CampaignItem) -> QuerySet[CampaignItemEvent]:
    return item.events.select_related("actor", "org").order_by("at", "pk")


def scrubbed_subject(case: Case) -> str:
    """The subject with an accused unit's name replaced, for what leaves the system (a report):
    the rule of ``Source.scrub`` (第三十条)."""
    text = case.subject
    org = case.accused_org
    if case.nature != Nature.ACCUSATION or org is None:
        return text
    for name in sorted({n for n in (org.name, org.short_name) if n}, key=len, reverse=True):
        text = text.replace(name, ACCUSED_STAND_IN)
    return text


def figure_items(items: Iterable[CampaignItem], *, scrub: bool = False) -> list[Item]:
    """The rows as the pure figures take them (``scrub``: subjects as a document shows them)."""
    return [
        Item(
            key=item.pk,
            unit_key=item.unit_id,
            unit=item.unit.name,
            leader_key=item.leader_id,
            leader=str(item.leader) if item.leader_id else None,
            plan_on=item.plan_on,
            submitted_on=item.submitted_on,
            applied_on=item.applied_on,
            resolved_on=item.resolved_on,
            number=item.case.number,
            subject=scrubbed_subject(item.case) if scrub else item.case.subject,
        )
        for item in items
    ]


# ---------------------------------------------------------------- choices for the forms


def organiser_orgs(user: User) -> list[Org]:
    """The organs where ``user`` may open a campaign: petition bureaus and Party committees /
    governments in which they hold an organising role."""
    if user.is_citizen:
        return []
    found = {
        m.org.pk: m.org
        for m in user_memberships(user).filter(
            org__kind__in=(OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT), role__in=ORGANISER_ROLES
        )
    }
    return sorted(found.values(), key=lambda org: org.path)


def unit_choices(campaign: Campaign) -> QuerySet[Org]:
    """Active organs within the campaign organ's region: who may answer for an item."""
    return Org.objects.filter(is_active=True, region__path__startswith=campaign.org.region.path).order_by(
        "path"
    )


def leader_choices(campaign: Campaign) -> list[User]:
    """Leaders (领导) of active organs within the campaign organ's region: the 包案 leaders."""
    posts = (
        Membership.objects.filter(
            role=Role.LEADER,
            is_active=True,
            org__is_active=True,
            org__region__path__startswith=campaign.org.region.path,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("org__path", "user__username")
    )
    return list({post.user.pk: post.user for post in posts}.values())


def case_campaign_items(user: User, case: Case) -> QuerySet[CampaignItem]:
    """The campaigns a case is on, as its items (for the case page): none if ``user`` may not see
    the case, and only the campaigns the user sees."""
    return (
        CampaignItem.objects.filter(
            case__in=case_visible(user, case.pk), campaign__in=campaigns_visible_to(user)
        )
        .select_related("campaign", "unit", "leader")
        .order_by("-campaign__received_on", "pk")
    )
