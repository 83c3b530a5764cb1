"""信访简报 and 信访动态 in the demo, written through the bulletins services with ``pinned_now``:

- 示例市信访局's 信访简报 for each of the last two whole months, written by 赵统计 on the 3rd of the
  next month from the standard template (the figures, the month's 类案预警), with one or two 典型案例
  of the month chosen by 李登记 and issued by 王局长 on the 5th: 第1期 and 第2期 of their year (or
  of each year, at the turn of one);
- one 信访动态 of last month with four items: one promoted from a case, one from a 类案预警 (when the
  demo has one the bureau sees), two written by the clerk; issued by 王局长.

Runs once: nothing is added where bulletins exist. Needs the demo organs and staff (``load_demo``);
without them it does nothing.
"""

from __future__ import annotations

import datetime as dt

from xinfang.bulletins import services
from xinfang.bulletins.drafting import draft_from_alert, draft_from_case
from xinfang.bulletins.models import Bulletin, BulletinItem, Kind
from xinfang.cases.models import Case, Nature, Status
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.timeutil import LOCAL_TZ, pinned_now
from xinfang.orgs.models import Org, User
from xinfang.textintel.db.alerts import alerts_for

BUREAU = "示例市信访局"
FREE_ITEMS = (
    (
        "市信访局开展领导干部接访下访活动",
        "市信访局组织市直部门负责同志到市群众来访接待中心轮流接访，并深入县区下访，"
        "现场接待群众来访，对能够当场解决的问题当场解决，对一时难以解决的问题明确责任单位和办理时限。",
    ),
    (
        "《信访工作条例》宣传进社区",
        "市信访局联合各县区信访部门在社区、村居开展《信访工作条例》宣传，引导群众依法逐级反映诉求，"
        "通过网上信访、来信等渠道表达意见建议。",
    ),
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)


def _months_before(moment: dt.datetime, count: int) -> tuple[dt.date, dt.date]:
    """The whole month `count` months before `moment`'s (1: last month)."""
    first = moment.astimezone(LOCAL_TZ).date().replace(day=1)
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


# A matter answered and delivered (and reviewed, or ended): what a 典型案例 of good handling shows.
ANSWERED = (Status.DELIVERED, Status.REVIEWED, Status.TERMINATED)


def _notable(writer: User, start: dt.date, end: dt.date, count: int) -> list[Case]:
    """Cases of the month the writer sees, answered ones first: the 典型案例 a clerk would choose."""
    found = (
        cases_visible_to(writer)
        .filter(received_on__gte=start, received_on__lte=end, duplicate_of__isnull=True)
        .exclude(nature=Nature.ACCUSATION)
    )
    answered = list(found.filter(status__in=ANSWERED).order_by("-closed_at", "pk")[:count])
    return answered or list(found.order_by("-registered_at", "pk")[:count])


def _brief(bureau: Org, writer: User, clerk: User, head: User, months_back: int, now: dt.datetime) -> None:
    start, end = _months_before(now, months_back)
    written = min(_at(end + dt.timedelta(days=3), 9), now - dt.timedelta(hours=2))
    issued = min(_at(end + dt.timedelta(days=5), 10), now - dt.timedelta(hours=1))
    with pinned_now(written):
        bulletin = services.bulletin_create(
            actor=writer, org=bureau, kind=Kind.BRIEF, period_start=start, period_end=end
        )
        for case in _notable(clerk, start, end, 2):
            note = "责任单位已作出处理意见并送达信访人。" if case.status in ANSWERED else ""
            services.bulletin_add_case(actor=clerk, bulletin=bulletin, case_number=case.number, note=note)
    with pinned_now(issued):
        services.bulletin_issue(actor=head, bulletin=bulletin)


def _dynamics(bureau: Org, clerk: User, head: User, now: dt.datetime) -> None:
    start, end = _months_before(now, 1)
    drafts = []
    case = next(iter(_notable(clerk, start, end, 1)), None)
    if case is not None:
        drafts.append(draft_from_case(clerk, case.pk))
    alert = next(iter(alerts_for(clerk)), None)
    if alert is not None:
        drafts.append(draft_from_alert(clerk, alert.alert.pk))
    written = [
        min(_at(start + dt.timedelta(days=7 * (i + 1)), 15), now - dt.timedelta(hours=3)) for i in range(4)
    ]
    items: list[BulletinItem] = []
    for moment, draft in zip(written, drafts, strict=False):
        with pinned_now(moment):
            items.append(
                services.item_create(
                    actor=clerk,
                    org=bureau,
                    title=draft.title,
                    body=draft.body,
                    source_case_id=draft.source_case.pk if draft.source_case else None,
                    source_alert_id=draft.source_alert.pk if draft.source_alert else None,
                )
            )
    for moment, (title, body) in zip(written[len(items) :], FREE_ITEMS, strict=False):
        with pinned_now(moment):
            items.append(services.item_create(actor=clerk, org=bureau, title=title, body=body))
    issued = min(_at(end + dt.timedelta(days=2), 16), now - dt.timedelta(minutes=30))
    with pinned_now(issued - dt.timedelta(hours=2)):
        bulletin = services.bulletin_create(
            actor=clerk, org=bureau, kind=Kind.DYNAMICS, period_start=start, period_end=end
        )
        services.item_collect(actor=clerk, bulletin=bulletin, item_ids=[item.pk for item in items])
    with pinned_now(issued):
        services.bulletin_issue(actor=head, bulletin=bulletin)


def load_bulletins(now: dt.datetime) -> None:
    """Two issued 信访简报 (the last two months) and one 信访动态 of 示例市信访局, as of `now`."""
    if Bulletin.objects.exists() or BulletinItem.objects.exists():
        return
    bureau = Org.objects.filter(name=BUREAU).first()
    writer = User.objects.filter(username="tongji").first()
    clerk = User.objects.filter(username="dengji").first()
    head = User.objects.filter(username="juzhang").first()
    if bureau is None or writer is None or clerk is None or head is None:
        return
    for months_back in (2, 1):
        _brief(bureau, writer, clerk, head, months_back, now)
    _dynamics(bureau, clerk, head, now)
