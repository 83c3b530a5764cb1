"""The two documents of a hearing (信访听证), as .docx in the house layout (xinfang.core.docx_layout):

- 听证通知书: to the petitioner, once the hearing is announced: the matter, the time and the venue,
  the participants by role, the petitioner's rights and duties, and that failing to attend without
  good reason may be taken as withdrawing (视为撤回);
- 听证结论: once concluded: the matter, the participants, the course of the session (陈述、询问、
  辩论、评议) and the conclusion, signed by the hearing's organ on the day it ended.

Accusation cases (第三十条): the accused unit's name is replaced in every free text, as in every
case document (``Source.scrub``).
"""

from __future__ import annotations

import datetime as dt

from xinfang.cases.documents.kinds import Source, sentence
from xinfang.core.docx_layout import Letter, chinese_date
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import LOCAL_TZ
from xinfang.leadership.models.hearings import Hearing, HearingOrigin, HearingStatus
from xinfang.leadership.selectors.hearings import participants_by_role

DOCUMENTS = {"notice": "听证通知书", "conclusion": "听证结论"}
NOTICE_STATUSES = frozenset(
    {HearingStatus.ANNOUNCED, HearingStatus.IN_SESSION, HearingStatus.CONCLUDED, HearingStatus.PUBLISHED}
)
CONCLUSION_STATUSES = frozenset({HearingStatus.CONCLUDED, HearingStatus.PUBLISHED})
COURSE = (
    ("statement", "陈述"),
    ("questioning", "询问"),
    ("debate", "辩论"),
    ("deliberation", "评议"),
)

RIGHTS = (
    "信访人及其代表有权陈述事实和理由，提交证据材料，对其他参加人的陈述提出意见，并进行辩论；",
    "认为主持人、听证员与本信访事项有直接利害关系的，可以在听证开始前申请其回避；",
    "可以委托一至二名代理人参加听证，代理人应当提交授权委托书；",
    "听证结束后，可以查阅听证记录，认为记录有遗漏或者差错的，可以请求补正。",
)
DUTIES = (
    "按时参加听证，携带本人身份证件和与信访事项有关的证据材料；",
    "如实陈述，不得提供虚假证据；",
    "遵守听证纪律，服从主持人的安排，不得扰乱听证秩序。",
)


def available_documents(hearing: Hearing) -> list[tuple[str, str]]:
    found = []
    if hearing.status in NOTICE_STATUSES:
        found.append(("notice", DOCUMENTS["notice"]))
    if hearing.status in CONCLUSION_STATUSES:
        found.append(("conclusion", DOCUMENTS["conclusion"]))
    return found


def render_document(hearing: Hearing, kind: str) -> tuple[str, bytes]:
    """(file name, .docx bytes); ServiceError when the document does not exist (yet)."""
    if kind not in DOCUMENTS:
        raise ServiceError(f"没有名为 {kind} 的听证文书。", field="kind", code="not_found")
    if kind == "notice" and hearing.status not in NOTICE_STATUSES:
        raise ServiceError("听证公告发布后才能生成听证通知书。", field="kind", code="invalid_state")
    if kind == "conclusion" and hearing.status not in CONCLUSION_STATUSES:
        raise ServiceError("作出听证结论后才能生成听证结论书。", field="kind", code="invalid_state")
    source = Source(hearing.case)
    doc = _notice(hearing, source) if kind == "notice" else _conclusion(hearing, source)
    return f"{DOCUMENTS[kind]}-{hearing.case.number}-{hearing.pk}.docx", doc.to_bytes()


# ---------------------------------------------------------------- pieces


def _letter(hearing: Hearing, title: str, mark: str, day: dt.date) -> Letter:
    organ = hearing.org
    return Letter(
        organ=organ.name,
        title=title,
        doc_number=f"{organ.short_name or organ.name}{mark}〔{day.year}〕第{hearing.pk}号",
        author=organ.name,
        created=dt.datetime.combine(day, dt.time(9), tzinfo=LOCAL_TZ),
    )


def moment_text(moment: dt.datetime) -> str:
    """2026年9月29日（星期二）9时30分, Beijing time."""
    local = moment.astimezone(LOCAL_TZ)
    weekday = "一二三四五六日"[local.weekday()]
    return f"{chinese_date(local.date())}（星期{weekday}）{local.hour}时{local.minute:02d}分"


def _matter(hearing: Hearing, source: Source) -> str:
    case = hearing.case
    return (
        f"信访人{source.addressee()}于{chinese_date(case.received_on)}反映的“{source.scrub(case.subject)}”问题"
        f"（信访件编号：{case.number}）"
    )


def _participants(doc: Letter, hearing: Hearing, source: Source) -> None:
    groups = participants_by_role(hearing)
    if not groups:
        doc.para("参加人名单另行通知。")
        return
    for label, people in groups:
        names = "、".join(
            source.scrub(f"{p.name}（{p.affiliation}）" if p.affiliation else p.name) for p in people
        )
        doc.para(names, lead=f"{label}：")


# ---------------------------------------------------------------- 听证通知书


def _notice(hearing: Hearing, source: Source) -> Letter:
    assert hearing.scheduled_at is not None and hearing.announced_on is not None
    day = hearing.announced_on
    doc = _letter(hearing, DOCUMENTS["notice"], "听通", day)
    doc.line(f"{source.addressee()}：")
    case = hearing.case
    why = (
        f"{source.you}于{chinese_date(hearing.applied_on)}申请听证，本机关经审查，决定举行听证"
        if hearing.origin == HearingOrigin.APPLIED and hearing.applied_on
        else "本机关决定举行听证"
    )
    doc.para(
        f"对{source.you}于{chinese_date(case.received_on)}反映的“{source.scrub(case.subject)}”问题"
        f"（信访件编号：{case.number}），根据《信访工作条例》第三十一条、第三十六条的规定，{why}。"
        "现将有关事项通知如下："
    )
    doc.section("听证时间和地点")
    doc.para(moment_text(hearing.scheduled_at), lead="时间：")
    doc.para(source.scrub(hearing.venue), lead="地点：")
    doc.section("听证参加人")
    _participants(doc, hearing, source)
    doc.section("信访人的权利")
    for i, text in enumerate(RIGHTS, start=1):
        doc.para(f"{i}. {text}")
    doc.section("信访人的义务")
    for i, text in enumerate(DUTIES, start=1):
        doc.para(f"{i}. {text}")
    doc.section("注意事项")
    doc.para(
        "信访人无正当理由不按时参加听证，或者未经主持人许可中途退出听证的，可以视为撤回听证申请、"
        "放弃听证，本机关将依法继续处理该信访事项。因故不能按时参加的，请在听证举行前告知本机关。"
    )
    doc.para("特此通知。")
    doc.signature(hearing.org.name, day)
    return doc


# ---------------------------------------------------------------- 听证结论


def _conclusion(hearing: Hearing, source: Source) -> Letter:
    assert hearing.ended_on is not None and hearing.started_on is not None
    day = hearing.ended_on
    doc = _letter(hearing, DOCUMENTS["conclusion"], "听结", day)
    held = (
        f"{chinese_date(hearing.started_on)}"
        if hearing.started_on == hearing.ended_on
        else f"{chinese_date(hearing.started_on)}至{chinese_date(hearing.ended_on)}"
    )
    doc.para(
        f"{_matter(hearing, source)}，本机关根据《信访工作条例》第三十一条、第三十六条的规定，"
        f"于{held}在{source.scrub(hearing.venue)}举行听证。现将听证情况和结论公布如下："
    )
    doc.section("听证参加人")
    _participants(doc, hearing, source)
    doc.section("听证过程")
    for field, label in COURSE:
        text = source.scrub(getattr(hearing, field)).strip()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            doc.para("未记录。", lead=f"{label}：")
            continue
        doc.para(sentence(lines[0]), lead=f"{label}：")
        for line in lines[1:]:
            doc.para(line)
    doc.section("听证结论")
    doc.paras(source.scrub(hearing.conclusion))
    if hearing.published_on:
        doc.para(f"本听证结论已于{chinese_date(hearing.published_on)}向社会公开。")
    doc.signature(hearing.org.name, day)
    return doc
