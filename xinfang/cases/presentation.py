"""Chinese labels for what pages and documents show of events and clocks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from xinfang.cases.models import Rating
from xinfang.cases.services.appeals import LINK_KINDS, TERMINATION_REASONS
from xinfang.cases.services.approvals import RECORDED_NOTE
from xinfang.cases.vocabulary import CLOCK_LONG_LABELS, EVENT_LABELS, EventKind


class EventLike(Protocol):
    kind: str
    payload: Any


# The timeline's text of each event kind is vocabulary.EVENT_LABELS; the case page names clocks in
# their long rendering, with the article (the rule tables use the short one: deadlines.models).
CLOCK_LABELS = CLOCK_LONG_LABELS

RATING_TRACKS = dict(Rating.Track.choices)
RATING_VALUES = dict(Rating.Value.choices)

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


# Payload values that are codes: what the timeline writes for them. Most events carry the label
# beside the code (`reason` and `reason_name`); these are the codes recorded without one.
PAYLOAD_CODE_LABELS: dict[str, dict[str, str]] = {
    "reason": {
        **TERMINATION_REASONS,
        # 复核 is final (第三十六条): the 复核意见 ends the matter.
        EventKind.REREVIEW_DECIDED.value: "复核意见为最终意见（第三十六条）",
        # An accusation against the registering organ is forwarded at once (第三十条).
        "accused_is_registering_org": "检举控告涉及登记机关，登记时即转送（第三十条）",
    },
    "kind": dict(LINK_KINDS),
}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

# The payload keys the timeline writes, in order; a key whose `<key>_name` is present is written
# through that label instead.
_SHOWN_KEYS = (
    "to_org",
    "report_due",
    "outcome",
    "legal_channel",
    "method",
    "review_org",
    "rereview_org",
    "reason",
    "reasons",
    "conclusion",
    "opinion",
    "note",
    "name",
)


def _shown(key: str, payload: dict[str, object]) -> str:
    """The text of one payload key on the timeline, "" when nothing is to be shown. A code never
    shows as such: it is written through its label, and an unknown code is left out."""
    named = payload.get(f"{key}_name")
    if named:
        return str(named)
    value = payload.get(key)
    if value in (None, "", [], {}) or isinstance(value, bool | int | float | list | dict):
        # Ids (to_org, review_org) and flags are not text for the reader.
        return ""
    text = str(value)
    if key == "report_due":
        return f"办结报告期限 {text}"
    labels = PAYLOAD_CODE_LABELS.get(key, {})
    if text in labels:
        return labels[text]
    return "" if _CODE.match(text) else text


def _rated(payload: dict[str, object]) -> list[str]:
    track = payload.get("track_name") or RATING_TRACKS.get(str(payload.get("track")), "")
    value = payload.get("value_name") or RATING_VALUES.get(str(payload.get("value")), "")
    head = (
        f"{track}{'（' + str(payload['org_name']) + '）' if payload.get('org_name') else ''} {value}".strip()
    )
    details = [head] if head else []
    if payload.get("reason"):
        details.append(f"理由：{payload['reason']}")
    if payload.get("by_petitioner"):
        details.append("信访人本人评价")
    return details


_INSTRUCTION_EVENTS = (
    EventKind.SENT_FOR_INSTRUCTION,
    EventKind.INSTRUCTED,
    EventKind.INSTRUCTION_REPORTED,
)


def _instruction(kind: str, payload: dict[str, object]) -> list[str]:
    """领导阅批's steps: the leader sent to, the 批示 and its unit and date, the report."""
    details: list[str] = []
    if kind == EventKind.SENT_FOR_INSTRUCTION:
        if payload.get("leader_name"):
            org = payload.get("leader_org_name")
            details.append(f"{payload['leader_name']}{'（' + str(org) + '）' if org else ''}")
        if payload.get("note"):
            details.append(str(payload["note"]))
        return details
    if payload.get("text"):
        details.append(str(payload["text"]))
    if kind == EventKind.INSTRUCTED:
        if payload.get("unit_name"):
            details.append(f"落实单位 {payload['unit_name']}")
        if payload.get("due_on"):
            details.append(f"落实期限 {payload['due_on']}")
    elif "late" in payload:
        details.append("逾期报告" if payload["late"] else "按期报告")
    return details


def event_summary(kind: str, payload: dict[str, object]) -> str:
    """One line for the timeline: the event's label and what matters in its payload, in Chinese
    only (no payload code is ever written as such)."""
    label = EVENT_LABELS.get(kind, kind)
    payload = payload if isinstance(payload, dict) else {}
    if kind == EventKind.RATED:
        details = _rated(payload)
    elif kind in _INSTRUCTION_EVENTS:
        details = _instruction(kind, payload)
    else:
        details = [text for key in _SHOWN_KEYS if (text := _shown(key, payload))]
    if payload.get("tracking_number"):
        details.append(f"邮寄单号 {payload['tracking_number']}")
    if kind == EventKind.EXTENDED:
        who = (
            "本单位无需审核，自行批准"
            if payload.get("self_approved")
            else f"批准人 {payload.get('approver_name', '')}"
        )
        details.insert(0, f"延长 {payload.get('days')} 日，{who}")
    elif kind in (EventKind.EXTENSION_REQUESTED, EventKind.EXTENSION_RETURNED) and payload.get("days"):
        details.insert(0, f"申请延长 {payload.get('days')} 日")
    elif kind == EventKind.REPLY_SUBMITTED:
        details.append("待审核人审核")
    elif kind == EventKind.REPLIED and payload.get("approver_name"):
        details.append(f"审核人 {payload['approver_name']}")
    if payload.get("recorded"):
        details.append(RECORDED_NOTE)
    if kind == EventKind.LINKED and payload.get("target_number"):
        details.append(str(payload["target_number"]))
    if kind == EventKind.SUPERVISED and payload.get("feedback_due"):
        details.append(f"反馈期限 {payload['feedback_due']}")
    if kind == EventKind.SUPERVISION_ANSWERED and "late" in payload:
        details.append("逾期反馈" if payload["late"] else "按期反馈")
    if kind == EventKind.SUPERVISION_CLOSED and payload.get("accountability"):
        details.append("建议问责")
    return label + ("：" + "；".join(details) if details else "")


ROUTING_EVENTS = (EventKind.FORWARDED, EventKind.ASSIGNED)


def registration_suggestion(events: Iterable[EventLike]) -> dict[str, Any] | None:
    """What the system suggested at registration (the `registered` event's `suggestion`), if recorded."""
    for event in events:
        if event.kind == EventKind.REGISTERED:
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
    registered = next(e for e in history if e.kind == EventKind.REGISTERED).payload
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
            elif event.kind == EventKind.OBJECTED:
                objected = True
        if routed is not None:
            said = _then(said, f"实际转交：{routed.get('to_org_name') or routed.get('to_org')}")
            if objected:
                said += "（已异议退回）"
            elif routed.get("to_org") == unit:
                said += "（采纳）"
        lines.append(said)
    return lines
