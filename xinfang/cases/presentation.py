"""Chinese labels for what pages and documents show of events and clocks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol


class EventLike(Protocol):
    kind: str
    payload: Any


EVENT_LABELS = {
    "registered": "登记",
    "forwarded": "转送",
    "assigned": "交办",
    "answered": "直接答复",
    "declined": "不予受理",
    "refused_again": "不再受理",
    "accepted": "受理",
    "objected": "异议退回",
    "assisting_added": "增加协办单位",
    "hearing_started": "启动听证",
    "hearing_ended": "听证结束",
    "extended": "延期",
    "replied": "出具处理意见书",
    "delivered": "送达",
    "rated": "满意度评价",
    "review_requested": "申请复查",
    "review_decided": "复查意见",
    "rereview_requested": "申请复核",
    "rereview_decided": "复核意见",
    "terminated": "终结",
    "linked": "关联",
    "attached": "上传附件",
    "supervised": "督办",
    "supervision_answered": "督办反馈",
    "supervision_closed": "督办办结",
}

CLOCK_LABELS = {
    "route": "交转办期限（第二十二条）",
    "accept": "受理告知期限（第二十三条）",
    "object": "异议期限（第二十三条）",
    "handle": "办理答复期限（第三十四条）",
    "review_request": "复查申请期限（第三十五条）",
    "review_decide": "复查办理期限（第三十五条）",
    "rereview_request": "复核申请期限（第三十六条）",
    "rereview_decide": "复核办理期限（第三十六条）",
    "rating": "满意度评价期限",
}

CLOCK_STATE_LABELS = {
    "not_started": "未开始",
    "running": "计时中",
    "paused": "已暂停",
    "met": "按期完成",
    "met_late": "超期完成",
    "overdue": "已超期",
    "lapsed": "期满未行使",
    "cancelled": "已取消",
}


def event_summary(kind: str, payload: dict[str, object]) -> str:
    """One line for the timeline: the event's label and what matters in its payload."""
    label = EVENT_LABELS.get(kind, kind)
    details = []
    for key in (
        "to_org_name",
        "report_due",
        "outcome_name",
        "legal_channel_name",
        "method_name",
        "review_org_name",
        "rereview_org_name",
        "reason_name",
        "reasons",
        "reason",
        "conclusion",
        "opinion",
        "note",
        "name",
    ):
        value = payload.get(key)
        if value:
            details.append(f"办结报告期限 {value}" if key == "report_due" else str(value))
    if kind == "extended":
        details.insert(0, f"延长 {payload.get('days')} 日，批准人 {payload.get('approver_name', '')}")
    return label + ("：" + "；".join(details) if details else "")


ROUTING_EVENTS = ("forwarded", "assigned")


def registration_suggestion(events: Iterable[EventLike]) -> dict[str, Any] | None:
    """What the system suggested at registration (the `registered` event's `suggestion`), if recorded."""
    for event in events:
        if event.kind == "registered":
            payload = event.payload if isinstance(event.payload, dict) else {}
            suggestion = payload.get("suggestion")
            return suggestion if isinstance(suggestion, dict) and suggestion else None
    return None


def suggested_unit_id(events: Iterable[EventLike]) -> int | None:
    suggestion = registration_suggestion(events) or {}
    unit = suggestion.get("suggested_unit")
    return unit if isinstance(unit, int) and not isinstance(unit, bool) else None


def _then(first: str, second: str) -> str:
    """Two parts of a line: A（…）· B, or A · B (a closing full-width bracket leaves room already)."""
    return f"{first}{'' if first.endswith('）') else ' '}· {second}"


def suggestion_lines(events: Iterable[EventLike], category_names: Mapping[str, str]) -> list[str]:
    """The case page's lines on what was suggested at registration and what was chosen.

    The category line compares the suggestion with the category registered (`category_names` turns
    the registered code into its name); the unit line names the suggested unit and, once the case
    has been routed (转送/交办), the unit it was last routed to, 采纳 when that is the suggested one.
    Nothing when no suggestion was recorded.
    """
    history = list(events)
    suggestion = registration_suggestion(history)
    if suggestion is None:
        return []
    registered = next(e for e in history if e.kind == "registered").payload
    lines = []
    if "suggested_category" in suggestion:
        label, confidence = suggestion.get("suggested_category"), suggestion.get("confidence")
        if label:
            said = f"系统建议分类：{label}"
            if isinstance(confidence, int | float):
                said += f"（置信度 {confidence:.2f}）"
        else:
            said = "系统未能判断（需人工判断）"
        code = str(registered.get("category") or "")
        lines.append(_then(said, f"登记选择：{category_names.get(code, code) or '—'}"))
    unit = suggested_unit_id(history)
    if unit is not None:
        said = f"系统建议责任单位：{suggestion.get('suggested_unit_name') or unit}"
        if suggestion.get("suggested_unit_basis"):
            said += f"（{suggestion['suggested_unit_basis']}）"
        routed: dict[str, Any] | None = None
        objected = False
        for event in history:
            if event.kind in ROUTING_EVENTS and isinstance(event.payload, dict):
                routed, objected = event.payload, False
            elif event.kind == "objected":
                objected = True
        if routed is not None:
            said = _then(said, f"实际转交：{routed.get('to_org_name') or routed.get('to_org')}")
            if objected:
                said += "（已异议退回）"
            elif routed.get("to_org") == unit:
                said += "（采纳）"
        lines.append(said)
    return lines
