"""A 动态 item's first wording, when a clerk promotes a case or a 类案预警 (写入信访动态): the
clerk rewrites it before saving. Reads only, through the access policies of cases and alerts; the
petitioners' names are masked (`masking.scrub`), and an accusation is never promoted (第三十条)."""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.bulletins.context import case_progress, case_summary, clause, month_day, sentence
from xinfang.bulletins.masking import petitioner_names, scrub
from xinfang.cases.models import Case, Nature
from xinfang.cases.selectors import case_visible
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import User
from xinfang.textintel.db.alerts import AlertView, alerts_for
from xinfang.textintel.models import ClusterAlert

EXCERPT = 120  # characters of the case's content quoted in a first wording
ACCUSATION_REFUSED = (
    "检举控告类信访事项不编入信访简报和信访动态：检举控告材料不得透露、转给被检举控告的人员和单位"
    "（《信访工作条例》第三十条），而简报要发往各级机关。"
)


@dataclass(frozen=True)
class ItemDraft:
    title: str
    body: str
    source_case: Case | None = None
    source_alert: ClusterAlert | None = None


def visible_case(user: User, case_id: int, *, field: str = "case") -> Case:
    """The case if `user` may see it and it may be written about in a bulletin."""
    case = (
        case_visible(user, case_id)
        .select_related("current_org", "problem_region", "category", "registered_org")
        .first()
    )
    if case is None:
        raise ServiceError(f"信访件 {case_id} 不存在，或您无权查看。", field=field, code="not_found")
    if case.nature == Nature.ACCUSATION:
        raise ServiceError(ACCUSATION_REFUSED, field=field)
    return case


def visible_alert(user: User, alert_id: int, *, field: str = "alert") -> AlertView:
    """The alert as `user` may see it (only their visible cases), or a ServiceError."""
    for view in alerts_for(user):
        if view.alert.pk == alert_id:
            return view
    raise ServiceError(f"类案预警 {alert_id} 不存在，或您无权查看。", field=field, code="not_found")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + "……"


def draft_from_case(user: User, case_id: int) -> ItemDraft:
    case = visible_case(user, case_id)
    names = petitioner_names([case.pk])
    received = case.received_on
    body = (
        f"{received.month}月{received.day}日，{case_summary(case)}（信访件编号{case.number}）。"
        f"主要内容：{sentence(_excerpt(case.content))}"
        f"目前该事项{clause(case_progress(case))}。"
    )
    return ItemDraft(title=scrub(clause(case.subject), names), body=scrub(body, names), source_case=case)


def draft_from_alert(user: User, alert_id: int) -> ItemDraft:
    view = visible_alert(user, alert_id)
    alert = view.alert
    names = petitioner_names(c.pk for c in view.cases)
    title = clause(view.title)
    where = f"{alert.place}" if alert.place and alert.place != view.title else ""
    first = local_date(alert.first_raised_at)
    body = (
        f"{first.year}年{month_day(alert.first_raised_at)}起，{where}相继出现同类信访事项"
        f"{len(view.cases)}件：{title}（{alert.reason}）。"
    )
    review = view.latest_review
    if review is not None:
        body += f"{review.org.name}研判意见：{sentence(review.note)}"
    return ItemDraft(title=scrub(title, names), body=scrub(body, names), source_alert=alert)
