"""The steps a petitioner is told of (群众短信通知), their placeholders and default wording.

A bureau edits the wording in the back office (`MessageTemplate`); this module says which steps
exist, which placeholders each may use, and renders a text. Rendering is a plain substitution of
``{名称}`` by its value: no attribute access, no format specifications, nothing a template edited in
the back office could use to read anything but the values given (``str.format`` would allow
``{编号.__class__}``). A placeholder the step does not know is refused when the template is saved
(`placeholder_problem`), so a message can always be rendered when the step happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import NamedTuple


class Step(NamedTuple):
    name: str  # what the back office and the delivery log call the message
    placeholders: tuple[str, ...]
    text: str  # the wording shipped (data migration 0004)


# Every step knows the case's number and query code (the petitioner follows the matter with both).
COMMON = ("编号", "查询码")

PLACEHOLDER_HELP = {
    "编号": "信访件编号",
    "查询码": "查询码（凭编号和查询码查询办理情况）",
    "单位": "本步骤的机关（登记、接收、受理、答复或复查复核的机关）",
    "日期": "本步骤的日期",
    "期限": "本步骤之后的法定期限届满日",
    "方式": "转送或交办",
    "理由": "不予受理、不再受理或延期的理由",
    "法律途径": "不予受理时应当通过的法定途径",
    "天数": "延长的天数",
    "原编号": "已经复核终结的原信访件编号",
    "结论": "复查、复核意见的结论（维持、撤销、变更、责令重新办理）",
}

STEPS: dict[str, Step] = {
    "received": Step(
        "登记告知",
        (*COMMON, "单位", "日期", "期限"),
        "您反映的信访事项已于{日期}由{单位}登记，编号{编号}，查询码{查询码}。"
        "我们将在{期限}前告知您是否受理或转交有权处理的机关办理，可凭编号和查询码查询办理进展。",
    ),
    "forwarded": Step(
        "转送交办告知",
        (*COMMON, "单位", "日期", "期限", "方式"),
        "您的信访事项（编号{编号}）已于{日期}{方式}{单位}办理，该单位将在{期限}前告知您是否受理。",
    ),
    "accepted": Step(
        "受理告知",
        (*COMMON, "单位", "日期", "期限"),
        "您的信访事项（编号{编号}）已由{单位}于{日期}受理，将在{期限}前出具处理意见。",
    ),
    "declined": Step(
        "不予受理告知",
        (*COMMON, "单位", "日期", "理由", "法律途径"),
        "您的信访事项（编号{编号}）经{单位}审查不予受理，理由：{理由}。"
        "该事项应当通过{法律途径}等法定途径解决，请依法向有关机关提出。书面告知将另行送达。",
    ),
    "refused_again": Step(
        "不再受理告知",
        (*COMMON, "单位", "日期", "理由", "原编号"),
        "您的信访事项（编号{编号}）与已经复核终结的信访事项（编号{原编号}）事实和理由相同，"
        "依照《信访工作条例》第三十六条，{单位}不再受理。理由：{理由}。",
    ),
    "extended": Step(
        "延期告知",
        (*COMMON, "单位", "日期", "期限", "理由", "天数"),
        "您的信访事项（编号{编号}）经{单位}批准延期办理，办理期限延长{天数}日，至{期限}。延期理由：{理由}",
    ),
    "replied": Step(
        "答复告知",
        (*COMMON, "单位", "日期"),
        "{单位}已于{日期}对您的信访事项（编号{编号}）出具处理意见，书面意见书将依法送达。"
        "收到后可凭编号和查询码对办理情况进行满意度评价。",
    ),
    "rating_reminder": Step(
        "评价提醒",
        (*COMMON, "单位", "期限"),
        "您的信访事项（编号{编号}）处理意见书已送达，请于{期限}前对信访部门和{单位}的办理情况作出满意度评价"
        "（满意、基本满意、不满意），可凭编号和查询码评价。",
    ),
    "review_requested": Step(
        "复查申请收到告知",
        (*COMMON, "单位", "日期", "期限"),
        "您对信访事项（编号{编号}）提出的复查请求已由{单位}于{日期}收到，将在{期限}前提出复查意见。",
    ),
    "review_decided": Step(
        "复查意见告知",
        (*COMMON, "单位", "日期", "结论"),
        "{单位}已于{日期}对您的信访事项（编号{编号}）提出复查意见（{结论}），复查意见书将依法送达。"
        "如不服，可自收到复查意见书之日起三十日内向上一级机关请求复核。",
    ),
    "rereview_requested": Step(
        "复核申请收到告知",
        (*COMMON, "单位", "日期", "期限"),
        "您对信访事项（编号{编号}）提出的复核请求已由{单位}于{日期}收到，将在{期限}前提出复核意见。",
    ),
    "rereview_decided": Step(
        "复核意见告知",
        (*COMMON, "单位", "日期", "结论"),
        "{单位}已于{日期}对您的信访事项（编号{编号}）提出复核意见（{结论}），复核意见书将依法送达。"
        "复核意见为最终处理意见，以同一事实和理由再次提出的，不再受理（《信访工作条例》第三十六条）。",
    ),
}

STEP_CHOICES = [(key, step.name) for key, step in STEPS.items()]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def placeholder_problem(key: str, text: str) -> str | None:
    """Why `text` cannot be the wording of step `key`, or None."""
    step = STEPS.get(key)
    if step is None:
        return f"未知的通知类型“{key}”。"
    if not text.strip():
        return "请填写通知内容。"
    unknown = [name for name in dict.fromkeys(placeholders_in(text)) if name not in step.placeholders]
    if unknown:
        names = "、".join(f"{{{name}}}" for name in unknown)
        allowed = "、".join(f"{{{name}}}" for name in step.placeholders)
        return f"“{step.name}”不能使用占位符 {names}，可用的占位符：{allowed}。"
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        return "花括号不成对：占位符应写成 {编号} 这样的形式。"
    return None


Value = str | Callable[[], str]


def render(text: str, values: Mapping[str, Value]) -> str:
    """`text` with each ``{名称}`` replaced by its value; a value may be a function, called only when
    the text uses it (a due date costs a reading of the case's clocks). A name without a value is a
    ``KeyError``: `placeholder_problem` keeps such texts out of the templates."""

    def value(match: re.Match[str]) -> str:
        found = values[match.group(1)]
        return found() if callable(found) else found

    return _PLACEHOLDER.sub(value, text)


SAMPLE_VALUES: dict[str, str] = {
    "编号": "330102202503030000012",
    "查询码": "K7P2Q9",
    "单位": "示例市住房和城乡建设局",
    "日期": "2025年3月3日",
    "期限": "2025年3月18日",
    "方式": "转送",
    "理由": "该事项已进入行政复议程序",
    "法律途径": "行政复议",
    "天数": "30",
    "原编号": "330102202401150000007",
    "结论": "维持",
}


def sample(text: str) -> str:
    """The text with invented values, for the back office's preview."""
    return render(text, SAMPLE_VALUES)
