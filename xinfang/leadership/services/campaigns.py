"""积案化解 campaigns: open a batch, list its cases, record each case's milestones.

A batch of long-unresolved cases (积案) is handed down from above (中央/省/市交办) or chosen locally;
the receiving organ (a petition bureau, or a Party committee / government whose office runs the
campaign) gives each case a responsible unit, a 包案 leader and a plan date, and follows it
through three milestones: 办结提交 (the unit closed the case and submitted it), 申请化解 (it asked
for the case to be confirmed resolved), 实体化解 (the organ confirmed it resolved in substance).
《信访工作条例》第三十九条 (the petition bureaus' 督查督办 of how matters are handled) and 第十八条
(leaders 包案 difficult and complex matters) are the grounds.

Who may do what:

- create a campaign, add items, change an item, confirm 实体化解, undo a milestone: staff in an
  organising role (``ORGANISER_ROLES``) of the campaign's organ;
- record 办结提交 and 申请化解: those organisers, or the 承办人, 审核人 or head of the item's unit.

Every function locks the row it changes (the campaign when adding items, the item otherwise),
checks everything before writing, and appends a :class:`CampaignItemEvent` for each item step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import IntegrityError, transaction

from xinfang.cases.models import Case
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.leadership.campaign_figures import STAGE_LABELS, STAGES
from xinfang.leadership.models.campaigns import (
    Campaign,
    CampaignItem,
    CampaignItemEvent,
    CampaignSource,
    Denominator,
)
from xinfang.leadership.services._common import (
    ORGANISER_ROLES,
    UNIT_ROLES,
    require_date,
    require_organiser,
    require_sees,
    within_reach,
)
from xinfang.orgs.models import Membership, Org, Role, User
from xinfang.orgs.permissions import holds_role

__all__ = [
    "MAX_NAME",
    "ItemInput",
    "campaign_add_items",
    "campaign_create",
    "campaign_item_progress",
    "campaign_item_undo",
    "campaign_item_update",
    "latest_stage",
    "may_organise",
    "may_report",
]

MAX_NAME = 128
MAX_NOTE = 20000


class ItemInput(NamedTuple):
    """One case to put on a campaign's list."""

    case: Case
    unit: Org
    leader: User | None
    plan_on: dt.date


# ---------------------------------------------------------------- who may act (also for display)


def may_organise(user: User, campaign: Campaign) -> bool:
    return holds_role(user, campaign.org, ORGANISER_ROLES)


def may_report(user: User, item: CampaignItem) -> bool:
    """Whether ``user`` may record 办结提交 / 申请化解 on ``item``."""
    return may_organise(user, item.campaign) or holds_role(user, item.unit, UNIT_ROLES)


# ---------------------------------------------------------------- checks shared by the steps


def _target(value: object) -> Decimal:
    try:
        rate = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        rate = Decimal("NaN")
    if isinstance(value, bool) or not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
        raise ServiceError("化解率目标应为 0 至 100 之间的数（百分比）。", field="target_rate")
    if rate != rate.quantize(Decimal("0.1")):
        raise ServiceError("化解率目标最多保留一位小数。", field="target_rate")
    return rate


def _unit(unit: Org, campaign: Campaign, *, field: str) -> Org:
    if not unit.is_active:
        raise ServiceError(f"{unit.name}已停用，不能作为责任单位。", field=field)
    if not within_reach(unit, campaign.org):
        # A county's campaign gives its cases to the county's units, never another county's.
        raise ServiceError(
            f"{unit.name}不在{campaign.org.name}的辖区内，不能作为本批积案的责任单位。", field=field
        )
    return unit


def _leader(leader: User | None, campaign: Campaign, *, field: str) -> User | None:
    """The 包案 leader: a 领导 of an organ within the campaign organ's reach (第十八条: leaders of
    the Party committee and government, and of its departments, take on cases)."""
    if leader is None:
        return None
    posts = Membership.objects.filter(
        user=leader, role=Role.LEADER, is_active=True, org__is_active=True
    ).select_related("org__region")
    if leader.is_citizen or not leader.is_active or not any(within_reach(m.org, campaign.org) for m in posts):
        raise ServiceError(
            f"{leader}不是{campaign.org.region.name}范围内机关的领导，不能作为包案领导。", field=field
        )
    return leader


def _plan_on(value: object, campaign: Campaign, *, field: str) -> dt.date:
    day = require_date(value, field=field, label="计划完成日期")
    if not campaign.received_on <= day <= campaign.deadline:
        raise ServiceError(
            f"计划完成日期应在交办日期 {campaign.received_on:%Y-%m-%d} 至完成期限 "
            f"{campaign.deadline:%Y-%m-%d} 之间，现为 {day:%Y-%m-%d}。",
            field=field,
        )
    return day


def _case_in_reach(case: Case, org: Org) -> bool:
    """The matter is about the organ's region, or is handled by an organ within its reach."""
    if case.problem_region.path.startswith(org.region.path):
        return True
    return case.current_org is not None and within_reach(case.current_org, org)


def _lock_campaign(campaign: Campaign) -> Campaign:
    try:
        return (
            Campaign.objects.select_for_update(of=("self",)).select_related("org__region").get(pk=campaign.pk)
        )
    except Campaign.DoesNotExist:
        raise ServiceError("积案化解批次不存在。", field="campaign", code="not_found") from None


def _lock_item(item: CampaignItem) -> CampaignItem:
    # Only the item's row (of self): the leader is an outer join, which PostgreSQL cannot lock.
    try:
        return (
            CampaignItem.objects.select_for_update(of=("self",))
            .select_related("campaign__org__region", "unit__region", "case", "leader")
            .get(pk=item.pk)
        )
    except CampaignItem.DoesNotExist:
        raise ServiceError("积案事项不存在。", field="item", code="not_found") from None


def _record(
    item: CampaignItem,
    kind: str,
    *,
    actor: User,
    org: Org | None,
    on: dt.date | None = None,
    stage: str = "",
    note: str = "",
) -> CampaignItemEvent:
    return CampaignItemEvent.objects.create(
        item=item, kind=kind, on=on, stage=stage, note=note, actor=actor, org=org, at=now()
    )


def _acting_org(actor: User, item: CampaignItem) -> Org:
    return item.campaign.org if may_organise(actor, item.campaign) else item.unit


# ---------------------------------------------------------------- the campaign


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    org: Org,
    name: str,
    source: str,
    received_on: dt.date,
    deadline: dt.date,
    target_rate: Decimal | int | str = Decimal(90),
    denominator: str = Denominator.ALL,
    note: str = "",
) -> Campaign:
    """Open a batch: its name (unique in the organ), where it came from, when it was received,
    the deadline and the target 化解率, and what the rates divide by."""
    require_organiser(actor, org, doing="建立积案化解批次")
    name = required_text(name, field="name", label="批次名称", max_length=MAX_NAME, empty="请填写{label}。")
    if source not in CampaignSource.values:
        raise ServiceError(f"来源应为：{'、'.join(CampaignSource.labels)}。", field="source")
    received_on = require_date(received_on, field="received_on", label="交办日期")
    if received_on > local_date():
        raise ServiceError("交办日期不能晚于今天。", field="received_on")
    deadline = require_date(deadline, field="deadline", label="完成期限")
    if deadline < received_on:
        raise ServiceError(f"完成期限不能早于交办日期 {received_on:%Y-%m-%d}。", field="deadline")
    rate = _target(target_rate)
    if denominator not in Denominator.values:
        raise ServiceError(f"统计口径应为：{'、'.join(Denominator.labels)}。", field="denominator")
    note = optional_text(note)
    if len(note) > MAX_NOTE:
        raise ServiceError(f"工作要求不能超过 {MAX_NOTE} 个字。", field="note")
    if Campaign.objects.filter(org=org, name=name).exists():
        raise ServiceError(f"{org.name}已有名为“{name}”的批次。", field="name", code="conflict")
    try:
        with transaction.atomic():
            return Campaign.objects.create(
                org=org,
                name=name,
                source=source,
                received_on=received_on,
                deadline=deadline,
                target_rate=rate,
                denominator=denominator,
                note=note,
                created_by=actor,
            )
    except IntegrityError:  # the same name created at the same moment by someone else
        raise ServiceError(f"{org.name}已有名为“{name}”的批次。", field="name", code="conflict") from None


@transaction.atomic
def campaign_add_items(
    *, actor: User, campaign: Campaign, items: Sequence[ItemInput | tuple[Case, Org, User | None, dt.date]]
) -> list[CampaignItem]:
    """Put cases on the campaign's list, each with its unit, 包案 leader and plan date.

    All or nothing: every row is checked first, and one refusal adds none. A refusal names the
    row: ``items[2].unit``."""
    locked = _lock_campaign(campaign)
    require_organiser(actor, locked.org, doing="列入积案事项")
    rows = [ItemInput(*row) for row in items]
    if not rows:
        raise ServiceError("请至少列入一件信访件。", field="items")
    listed = set(CampaignItem.objects.filter(campaign=locked).values_list("case_id", flat=True))
    seen: set[int] = set()
    checked: list[ItemInput] = []
    for index, row in enumerate(rows):
        at = f"items[{index}]"
        case = row.case
        require_sees(actor, case, field=f"{at}.case")
        if not _case_in_reach(case, locked.org):
            raise ServiceError(
                f"信访件 {case.number} 不在{locked.org.name}的辖区内，不能列入本批积案。", field=f"{at}.case"
            )
        if case.pk in listed:
            raise ServiceError(f"信访件 {case.number} 已在本批积案中。", field=f"{at}.case", code="conflict")
        if case.pk in seen:
            raise ServiceError(f"信访件 {case.number} 重复列出。", field=f"{at}.case")
        seen.add(case.pk)
        checked.append(
            ItemInput(
                case,
                _unit(row.unit, locked, field=f"{at}.unit"),
                _leader(row.leader, locked, field=f"{at}.leader"),
                _plan_on(row.plan_on, locked, field=f"{at}.plan_on"),
            )
        )
    created = []
    for row in checked:
        item = CampaignItem.objects.create(
            campaign=locked, case=row.case, unit=row.unit, leader=row.leader, plan_on=row.plan_on
        )
        _record(item, CampaignItemEvent.Kind.ADDED, actor=actor, org=locked.org, on=row.plan_on)
        created.append(item)
    return created


# ---------------------------------------------------------------- one item


@transaction.atomic
def campaign_item_update(
    *,
    actor: User,
    item: CampaignItem,
    unit: Org,
    leader: User | None,
    plan_on: dt.date,
    note: str = "",
) -> CampaignItem:
    """Change an item's unit, 包案 leader, plan date or 进展情况 (by the campaign's organisers)."""
    locked = _lock_item(item)
    campaign = locked.campaign
    require_organiser(actor, campaign.org, doing="调整积案事项")
    unit = _unit(unit, campaign, field="unit")
    leader = _leader(leader, campaign, field="leader")
    plan_on = _plan_on(plan_on, campaign, field="plan_on")
    note = optional_text(note)
    if len(note) > MAX_NOTE:
        raise ServiceError(f"进展情况不能超过 {MAX_NOTE} 个字。", field="note")
    changes = []
    if unit.pk != locked.unit_id:
        changes.append(f"责任单位：{locked.unit.name} → {unit.name}")
    if (leader.pk if leader else None) != locked.leader_id:
        changes.append(f"包案领导：{locked.leader or '无'} → {leader or '无'}")
    if plan_on != locked.plan_on:
        changes.append(f"计划完成日期：{locked.plan_on:%Y-%m-%d} → {plan_on:%Y-%m-%d}")
    if note != locked.note:
        changes.append("进展情况已更新")
    if not changes:
        return locked
    locked.unit, locked.leader, locked.plan_on, locked.note = unit, leader, plan_on, note
    locked.save(update_fields=["unit", "leader", "plan_on", "note", "updated_at"])
    _record(
        locked,
        CampaignItemEvent.Kind.UPDATED,
        actor=actor,
        org=campaign.org,
        on=plan_on,
        note="；".join(changes),
    )
    return locked


def latest_stage(item: CampaignItem) -> str | None:
    """The furthest milestone recorded on ``item`` (the one an undo takes back), or None."""
    for stage in reversed(STAGES):
        if getattr(item, f"{stage}_on") is not None:
            return stage
    return None


@transaction.atomic
def campaign_item_progress(
    *, actor: User, item: CampaignItem, stage: str, on: dt.date, note: str = ""
) -> CampaignItem:
    """Record the item's next milestone on the day it happened.

    The order is 办结提交 → 申请化解 → 实体化解, each once, dated no earlier than the one before,
    not before the campaign was received and not in the future. The unit records its own
    办结提交 and 申请化解; only the campaign's organ confirms 实体化解 (its acceptance of the
    resolution is what 对账销号 strikes off)."""
    locked = _lock_item(item)
    campaign = locked.campaign
    if stage not in STAGES:
        raise ServiceError("进展阶段应为：办结提交、申请化解或实体化解。", field="stage")
    label = STAGE_LABELS[stage]
    if stage == "resolved":
        require_organiser(actor, campaign.org, doing="确认实体化解")
    elif not may_report(actor, locked):
        raise NotAllowed(
            f"只有{locked.unit.name}的承办人、审核人或负责人，或{campaign.org.name}的工作人员可以记录{label}。",
        )
    require_sees(actor, locked.case, field="item")
    latest = latest_stage(locked)
    done = STAGES.index(latest) + 1 if latest else 0
    wanted = STAGES.index(stage)
    if wanted < done:
        raise InvalidState(
            f"该事项已于 {getattr(locked, f'{stage}_on'):%Y-%m-%d} 记录{label}。", field="stage"
        )
    if wanted > done:
        raise InvalidState(f"请先记录{STAGE_LABELS[STAGES[done]]}，再记录{label}。", field="stage")
    day = require_date(on, field="on", label=f"{label}日期")
    if day > local_date():
        raise ServiceError(f"{label}日期不能晚于今天。", field="on")
    if day < campaign.received_on:
        raise ServiceError(
            f"{label}日期不能早于本批积案的交办日期 {campaign.received_on:%Y-%m-%d}。", field="on"
        )
    if latest is not None:
        before: dt.date = getattr(locked, f"{latest}_on")
        if day < before:
            raise ServiceError(
                f"{label}日期不能早于{STAGE_LABELS[latest]}日期 {before:%Y-%m-%d}。", field="on"
            )
    note = optional_text(note)
    if len(note) > MAX_NOTE:
        raise ServiceError(f"进展情况不能超过 {MAX_NOTE} 个字。", field="note")
    setattr(locked, f"{stage}_on", day)
    fields = [f"{stage}_on", "updated_at"]
    if note:
        locked.note = note
        fields.append("note")
    locked.save(update_fields=fields)
    _record(locked, stage, actor=actor, org=_acting_org(actor, locked), on=day, stage=stage, note=note)
    return locked


@transaction.atomic
def campaign_item_undo(*, actor: User, item: CampaignItem, reason: str) -> CampaignItem:
    """Take back the item's latest milestone (recorded in error, or the resolution did not hold),
    by the campaign's organisers, with the reason kept in the item's record."""
    locked = _lock_item(item)
    require_organiser(actor, locked.campaign.org, doing="撤销积案事项的进展")
    reason = required_text(
        reason, field="reason", label="撤销理由", max_length=MAX_NOTE, empty="请填写{label}。"
    )
    latest = latest_stage(locked)
    if latest is None:
        raise InvalidState("该事项尚未记录任何进展，无可撤销。", field="stage")
    was: dt.date = getattr(locked, f"{latest}_on")
    setattr(locked, f"{latest}_on", None)
    locked.save(update_fields=[f"{latest}_on", "updated_at"])
    _record(
        locked,
        CampaignItemEvent.Kind.UNDONE,
        actor=actor,
        org=locked.campaign.org,
        on=was,
        stage=latest,
        note=reason,
    )
    return locked
