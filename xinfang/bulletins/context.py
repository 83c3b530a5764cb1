"""What a bulletin template sees: the whole report context of the period
(`xinfang.statistics.render_context.context`, docs/statistics.md "报告模板") and the bulletin's own
names (docs/bulletins.md, "模板"):

- ``期号`` "第3期" (in a draft, the placeholder ``PENDING_NUMBER``, replaced when it is issued),
  ``年度`` "2026", ``编发单位`` the editing organ;
- ``热点``: the 类案预警 raised in the period that the writer may see, largest first, each with
  ``序号`` (一、二 …), ``问题``, ``地点``, ``件数``, ``首次预警``, ``最近预警``, ``研判``;
- ``典型案例``: the cases the clerk chose, each with ``序号``, ``编号``, ``摘要``, ``办理情况``,
  ``说明``, ``内容分类``, ``问题属地``;
- ``动态``: the organ's 动态 items written in the period, each with ``序号``, ``标题``, ``内容``.

Every text taken from a case passes through `masking.scrub`: a petitioner's name is never printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xinfang.bulletins.masking import petitioner_names, scrub
from xinfang.bulletins.models import Bulletin, BulletinCase, BulletinItem
from xinfang.cases.models import Case, Nature, Status
from xinfang.core.timeutil import local_date, local_midnight
from xinfang.orgs.models import Org, User
from xinfang.statistics.figures import compute_report
from xinfang.statistics.indicators import Comparison
from xinfang.statistics.render_context import context as report_context
from xinfang.textintel.db.alerts import AlertView, alerts_for

PENDING_NUMBER = "〔期号〕"
HOT_LIMIT = 5  # the hot issues a 简报 names: the largest clusters of the period
_DIGITS = "零一二三四五六七八九"
_END = "。！？；…"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (the 序号 of headings, up to 99)."""
    if n < 1 or n > 99:
        return str(n)
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[units] if units else "")


def sentence(text: str) -> str:
    """The text ending with a full stop (unless it ends with one of its own)."""
    text = text.strip()
    return text if not text or text[-1] in _END else text + "。"


def clause(text: str) -> str:
    """The text without its final punctuation, to be set inside a sentence."""
    return text.strip().rstrip(_END + "，,. ")


def month_day(moment: dt.datetime) -> str:
    day = local_date(moment)
    return f"{day.month}月{day.day}日"


# ---------------------------------------------------------------- 热点 (类案预警)


@dataclass(frozen=True)
class HotIssue:
    view: AlertView

    @property
    def size(self) -> int:
        return len(self.view.cases)


def hot_issues(viewer: User, start: dt.date, end: dt.date) -> list[HotIssue]:
    """The 类案预警 first or last raised from `start` to `end` that `viewer` may see (with only the
    cases they may see), not made of accusations alone, largest first."""
    since = local_midnight(start)
    until = local_midnight(end + dt.timedelta(days=1))
    views = [
        view
        for view in alerts_for(viewer, since=since)
        if since <= view.alert.first_raised_at < until or since <= view.alert.last_raised_at < until
    ]
    # 第三十条: accusation material is not passed on; a cluster of accusations stays on the alert page.
    ordinary = set(
        Case.objects.filter(pk__in={c.pk for view in views for c in view.cases})
        .exclude(nature=Nature.ACCUSATION)
        .values_list("pk", flat=True)
    )
    found = [HotIssue(view) for view in views if any(c.pk in ordinary for c in view.cases)]
    found.sort(key=lambda issue: (-issue.size, -issue.view.alert.last_raised_at.timestamp()))
    return found[:HOT_LIMIT]


def hot_case_ids(issues: Sequence[HotIssue]) -> list[int]:
    return sorted({c.pk for issue in issues for c in issue.view.cases})


def hot_issue_values(issues: Sequence[HotIssue]) -> list[dict[str, Any]]:
    names = petitioner_names(c.pk for issue in issues for c in issue.view.cases)
    values = []
    for rank, issue in enumerate(issues, start=1):
        alert, review = issue.view.alert, issue.view.latest_review
        values.append(
            {
                "序号": chinese_numeral(rank),
                "问题": scrub(clause(issue.view.title), names),
                "地点": scrub(alert.place, names) if alert.place != issue.view.title else "",
                "件数": issue.size,
                "首次预警": month_day(alert.first_raised_at),
                "最近预警": month_day(alert.last_raised_at),
                "研判": scrub(sentence(review.note), names) if review else "",
            }
        )
    return values


# ---------------------------------------------------------------- 典型案例


def case_summary(case: Case) -> str:
    """ "青山县群众反映小区住房质量问题长期未解决" (a group: "青山县12名群众反映…"); a subject that
    says who raised it ("某某等反映…") is not given a second 反映."""
    people = f"{case.headcount}名群众" if case.headcount > 1 else "群众"
    subject = clause(case.subject)
    return f"{case.problem_region.name}{people}{'' if '反映' in subject else '反映'}{subject}"


# Answered (the 处理意见书 or the 复查意见 written) but not concluded: the appeal windows are open.
ANSWERED = (Status.REPLIED, Status.DELIVERED, Status.REVIEWED)


def case_progress(case: Case) -> str:
    """Where the case stands, without a name: "已于3月20日办结（已终结）" / "示例市住房和城乡建设局
    已作出处理意见（已送达）" / "示例市住房和城乡建设局正在办理（办理中）"."""
    status = case.get_status_display()
    if case.closed_at is not None:
        return f"已于{month_day(case.closed_at)}办结（{status}）"
    if case.status in ANSWERED:
        return f"{case.current_org.name}已作出处理意见（{status}）"
    return f"{case.current_org.name}正在办理（{status}）"


def notable_values(rows: Iterable[BulletinCase]) -> list[dict[str, Any]]:
    rows = list(rows)
    names = petitioner_names(row.case_id for row in rows)
    values = []
    for rank, row in enumerate(rows, start=1):
        case = row.case
        values.append(
            {
                "序号": chinese_numeral(rank),
                "编号": case.number,
                "摘要": scrub(case_summary(case), names),
                "办理情况": scrub(case_progress(case), names),
                "说明": scrub(sentence(row.note), names),
                "内容分类": case.category.name,
                "问题属地": case.problem_region.name,
            }
        )
    return values


def notable_rows(bulletin: Bulletin) -> list[BulletinCase]:
    return list(
        bulletin.notable.select_related(
            "case__current_org", "case__problem_region", "case__category"
        ).order_by("position", "pk")
    )


# ---------------------------------------------------------------- 动态


def item_values(items: Iterable[BulletinItem]) -> list[dict[str, Any]]:
    return [
        {"序号": chinese_numeral(rank), "标题": item.title, "内容": item.body}
        for rank, item in enumerate(items, start=1)
    ]


def period_items(org: Org, start: dt.date, end: dt.date) -> list[BulletinItem]:
    return list(
        BulletinItem.objects.filter(
            org=org,
            written_at__gte=local_midnight(start),
            written_at__lt=local_midnight(end + dt.timedelta(days=1)),
        ).order_by("written_at", "pk")
    )


# ---------------------------------------------------------------- the whole context


def bulletin_context(bulletin: Bulletin, hot: Sequence[HotIssue]) -> dict[str, Any]:
    """The context a bulletin's template is rendered on, with these hot issues (`hot_issues` as the
    writer may see them)."""
    report = compute_report(
        org=bulletin.org, start=bulletin.period_start, end=bulletin.period_end, comparison=Comparison.YOY
    )
    values = report_context(report)
    values.update(
        {
            "期号": f"第{bulletin.number}期" if bulletin.number else PENDING_NUMBER,
            "年度": str(bulletin.year),
            "编发单位": bulletin.org.name,
            "热点": hot_issue_values(hot),
            "典型案例": notable_values(notable_rows(bulletin)),
            "动态": item_values(period_items(bulletin.org, bulletin.period_start, bulletin.period_end)),
        }
    )
    return values


def bulletin_names(bulletin: Bulletin) -> list[str]:
    """The petitioners' names a bulletin's texts must not print: of the cases its text was drawn
    from, of its 典型案例, of its items' cases, and of the cases of the alerts its items come from."""
    ids = {int(pk) for pk in bulletin.drawn_case_ids}
    ids.update(bulletin.notable.values_list("case_id", flat=True))
    items = list(bulletin.items.select_related("source_alert")) if bulletin.pk else []
    ids.update(item.source_case_id for item in items if item.source_case_id)
    for item in items:
        if item.source_alert is not None:
            ids.update(item.source_alert.case_ids)
    return petitioner_names(ids)
