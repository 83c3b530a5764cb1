"""The assessment's actions: freeze a period's scores (定稿), publish them (发布), and start next
year's version of a scheme. Each checks who may do it (`selectors.visibility`) and runs in one
transaction; a refusal is an `AssessmentError` with a Chinese message for the page."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from xinfang.assessment import scoring, standings
from xinfang.assessment.models import Scheme, SchemeItem, Scorecard
from xinfang.assessment.periods import PERIODS, period_dates, period_label
from xinfang.assessment.selectors import visibility
from xinfang.core.timeutil import local_date, now
from xinfang.orgs.models import Org, User

__all__ = [
    "AssessmentError",
    "item_problems",
    "scheme_copy_to_year",
    "scheme_create",
    "scorecard_freeze",
    "scorecard_publish",
]


class AssessmentError(Exception):
    """A refused action; `str()` is the message shown to the user."""


def scorecard_freeze(*, user: User, scheme: Scheme, period: str, today: dt.date | None = None) -> Scorecard:
    """定稿: the period's live table stored as it stands. Only for a period that has ended (its
    figures are then those of a closed period, 第三十九条's assessment is of a past period), once."""
    if period not in PERIODS:
        raise AssessmentError("没有这个考核期间。")
    if not visibility(user, scheme).may_freeze:
        raise AssessmentError("只有考核机构的负责人或统计员可以定稿。")
    today = today or local_date()
    start, end = period_dates(scheme.year, period)
    if end >= today:
        raise AssessmentError(f"{period_label(scheme.year, period)}尚未结束，结束后才能定稿。")
    if not scheme.units.exists() or not scheme.items.exists():
        raise AssessmentError("考核方案还没有被考核单位或考核项目，不能定稿。")
    rows, _before, _at = standings.live_rows(scheme, period, today=today, fresh=True)
    try:
        with transaction.atomic():
            return Scorecard.objects.create(
                scheme=scheme,
                period=period,
                start=start,
                end=end,
                rows=scoring.rows_to_json(rows),
                frozen_at=now(),
                frozen_by=user,
            )
    except IntegrityError:
        raise AssessmentError(f"{period_label(scheme.year, period)}已经定稿。") from None


def scorecard_publish(*, user: User, card: Scorecard) -> Scorecard:
    """发布: the frozen ranking becomes visible to the assessed units."""
    with transaction.atomic():
        card = Scorecard.objects.select_for_update().select_related("scheme__org").get(pk=card.pk)
        if not visibility(user, card.scheme, card).may_publish:
            raise AssessmentError("只有考核机构的负责人可以发布考核结果。")
        if card.published_at is not None:
            raise AssessmentError("该期考核结果已经发布。")
        card.published_at = now()
        card.published_by = user
        card.save(update_fields=["published_at", "published_by"])
    return card


def item_problems(item: SchemeItem) -> dict[str, list[str]]:
    """What is wrong with an item, in Chinese, by field: its indicator, its 分档, its rule's
    numbers (the back office's item form and `scheme_create` both check with this)."""
    found: dict[str, list[str]] = {}
    indicator = standings.check_indicator(item.indicator)
    if indicator:
        found["indicator"] = indicator
    try:
        rule = standings.rule_of(item)
    except ValueError as exc:  # 分档 that cannot be read
        found.setdefault("steps", []).append(str(exc))
        return found
    for name, messages in rule.problems().items():
        found.setdefault(name, []).extend(messages)
    return found


@transaction.atomic
def scheme_create(
    *,
    org: Org,
    year: int,
    name: str,
    units: list[Org],
    items: list[SchemeItem],
    description: str = "",
    top_count: int = 3,
) -> Scheme:
    """A scheme with its units and items (unsaved `SchemeItem`s, numbered in order); every item is
    checked (`item_problems`) before anything is written."""
    for item in items:
        problems = [message for messages in item_problems(item).values() for message in messages]
        if problems:
            raise AssessmentError(f"考核项目“{item.name}”：{'；'.join(problems)}")
    if Scheme.objects.filter(org=org, year=year, name=name).exists():
        raise AssessmentError(f"{year}年度已有同名考核方案。")
    scheme = Scheme.objects.create(
        org=org, year=year, name=name, description=description, top_count=top_count
    )
    scheme.units.set(units)
    for position, item in enumerate(items, start=1):
        item.scheme = scheme
        item.position = position
    SchemeItem.objects.bulk_create(items)
    return scheme


@transaction.atomic
def scheme_copy_to_year(scheme: Scheme, year: int) -> Scheme:
    """Next year's version of a scheme: the same name, units and items, for `year`; the earlier
    year's scheme and its frozen scores stay as they were (a scheme is versioned per year)."""
    if Scheme.objects.filter(org=scheme.org, name=scheme.name, year=year).exists():
        raise AssessmentError(f"{year}年度已有同名考核方案。")
    copy = Scheme.objects.create(
        org=scheme.org,
        year=year,
        name=scheme.name,
        description=scheme.description,
        top_count=scheme.top_count,
        is_active=scheme.is_active,
    )
    copy.units.set(scheme.units.all())
    SchemeItem.objects.bulk_create(
        [
            SchemeItem(
                scheme=copy,
                position=item.position,
                name=item.name,
                indicator=item.indicator,
                rule=item.rule,
                weight=item.weight,
                floor=item.floor,
                target=item.target,
                steps=item.steps,
                lower_is_better=item.lower_is_better,
                cap=item.cap,
                when_empty=item.when_empty,
                note=item.note,
            )
            for item in scheme.items.all()
        ]
    )
    return copy
