"""The two letters of a supervision, as .docx in the house layout (xinfang.core.docx_layout).

- 督办提醒函: from the bureau to the responsible unit, once the supervision is open;
- 问责建议函: from the bureau to the unit's superior organ, once the unit let the feedback date
  pass or the bureau closed the supervision recommending accountability.

Accusation cases (第三十条): the accused unit's name is replaced in free text, as in every case
document (``Source.scrub``).
"""

from __future__ import annotations

import datetime as dt

from xinfang.cases.documents.kinds import Source, sentence
from xinfang.core.docx_layout import Letter, chinese_date
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import local_date
from xinfang.supervision.models import Supervision, SupervisionStatus

LETTERS = {"reminder": "督办提醒函", "accountability": "问责建议函"}


def available_letters(supervision: Supervision) -> list[tuple[str, str]]:
    found = [("reminder", LETTERS["reminder"])]
    if _accountability_due(supervision):
        found.append(("accountability", LETTERS["accountability"]))
    return found


def render_letter(supervision: Supervision, code: str) -> tuple[str, bytes]:
    """(file name, .docx bytes); ServiceError when the letter does not exist (yet)."""
    if code not in LETTERS:
        raise ServiceError(f"没有名为 {code} 的督办文书。", field="letter", code="not_found")
    if code == "accountability" and not _accountability_due(supervision):
        raise ServiceError(
            "责任单位未逾期且未建议问责，不能生成问责建议函。", field="letter", code="invalid_state"
        )
    build = _reminder if code == "reminder" else _accountability
    doc = build(supervision, Source(supervision.case))
    return f"{LETTERS[code]}-{supervision.case.number}-{supervision.pk}.docx", doc.to_bytes()


def _accountability_due(supervision: Supervision) -> bool:
    return supervision.status == SupervisionStatus.OVERDUE or supervision.accountability


def _letter(supervision: Supervision, title: str, day: dt.date, created: dt.datetime) -> Letter:
    organ = supervision.opened_by_org
    return Letter(
        organ=organ.name,
        title=title,
        doc_number=f"{organ.short_name or organ.name}督〔{day.year}〕第{supervision.pk}号",
        author=organ.name,
        created=created,
    )


def _matter(supervision: Supervision, source: Source) -> str:
    case = supervision.case
    return (
        f"信访人于{chinese_date(case.received_on)}反映的“{source.scrub(case.subject)}”问题"
        f"（信访件编号：{case.number}）"
    )


def _reminder(supervision: Supervision, source: Source) -> Letter:
    day = local_date(supervision.opened_at)
    doc = _letter(supervision, LETTERS["reminder"], day, supervision.opened_at)
    doc.line(f"{supervision.unit.name}：")
    doc.para(
        f"{_matter(supervision, source)}，已交由你单位办理。经核查，该事项办理中存在"
        f"{supervision.get_reason_display()}问题。根据《信访工作条例》第三十九条、第四十二条的规定，现予督办。"
    )
    doc.section("督办要求")
    doc.paras(source.scrub(supervision.details))
    doc.section("反馈期限")
    doc.para(
        f"请于{chinese_date(supervision.feedback_due)}前将办理情况书面反馈本机关。逾期未反馈或者办理不到位的，"
        "本机关将依规提出问责建议。"
    )
    doc.para("特此函告。")
    doc.signature(supervision.opened_by_org.name, day)
    return doc


def _accountability(supervision: Supervision, source: Source) -> Letter:
    day = local_date(supervision.closed_at) if supervision.closed_at else local_date()
    doc = _letter(supervision, LETTERS["accountability"], day, supervision.closed_at or supervision.opened_at)
    superior = supervision.unit.parent.name if supervision.unit.parent else "有关机关"
    doc.line(f"{superior}：")
    doc.para(
        f"{_matter(supervision, source)}，本机关于{chinese_date(local_date(supervision.opened_at))}"
        f"以{supervision.get_reason_display()}为由向{supervision.unit.name}发出督办，要求于"
        f"{chinese_date(supervision.feedback_due)}前反馈办理情况。"
    )
    if supervision.feedback_at:
        doc.para(
            f"{supervision.unit.name}于{chinese_date(local_date(supervision.feedback_at))}反馈："
            f"{sentence(source.scrub(supervision.feedback))}"
        )
    else:
        doc.para(f"截至{chinese_date(day)}，{supervision.unit.name}未按期反馈办理情况。")
    if supervision.closing_note:
        doc.para(f"本机关意见：{sentence(source.scrub(supervision.closing_note))}")
    doc.para(
        "根据《信访工作条例》第四十二条、第四十五条的规定，建议对该单位有关责任人员依规依纪依法追究责任，"
        "并将处理结果函告本机关。"
    )
    doc.signature(supervision.opened_by_org.name, day)
    return doc
