"""Chinese labels for what pages and documents show of events and clocks."""

from __future__ import annotations

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
