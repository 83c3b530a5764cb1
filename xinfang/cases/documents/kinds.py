"""What each document says: one builder per kind, reading the case and the event that made it.

Every builder takes a :class:`Source` (the case, its events in order, its policy profile) and the
event the document records, and returns the finished :class:`Letter`. Periods and legal references
come from the case's policy profile, never from literals, so a provincial profile prints its own.

检举控告 (第三十条): the accused unit's name is printed only on a routing slip to a 纪检监察 organ. In
every other document it appears in no field, and free text (subject, content, reasons ...) has it
replaced by "有关单位".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from xinfang.cases import pii
from xinfang.cases.clocks import case_clocks, profile_for
from xinfang.cases.models import Case, CaseEvent, Nature
from xinfang.core.docx_layout import Letter, chinese_date
from xinfang.core.timeutil import local_date
from xinfang.deadlines.profiles import DeadlineRule
from xinfang.orgs.models import LEVEL_RANK, Level, Org, OrgKind, Region

from .numbers import number_for

ACCUSED_STAND_IN = "有关单位"
UNKNOWN_EARLIER_ORG = "原办理机关"  # an appeal whose earlier decision is not in the log

# 第三十二条: how the decision reads in the opinion.
REPLY_DECISIONS = {
    "support": "本机关对{you}的信访请求予以支持，并将督促有关单位执行。",
    "explain": "{you}的信访请求事由合理，但缺乏法律依据，本机关予以解释说明。",
    "not_support": "{you}的信访请求缺乏事实根据或者不符合法律、法规、规章或者其他有关规定，本机关不予支持。",
}
# 复查 / 复核 outcomes (xinfang.cases.services.appeals.REVIEW_OUTCOMES) as a sentence about `{org}`.
APPEAL_DECISIONS = {
    "uphold": "维持{org}作出的{what}。",
    "revoke": "撤销{org}作出的{what}。",
    "change": "变更{org}作出的{what}。",
    "redo": "责令{org}重新办理。",
}


@dataclass
class Source:
    """The case as the documents see it: its events in order, loaded once."""

    case: Case
    events: list[CaseEvent] = field(init=False)

    def __post_init__(self) -> None:
        self.events = list(self.case.events.select_related("org", "actor").order_by("seq"))

    @cached_property
    def rules(self) -> dict[str, DeadlineRule]:
        return dict(profile_for(self.case).rules)

    def last(self, kinds: Iterable[str], *, before: CaseEvent | None = None) -> CaseEvent | None:
        kinds = set(kinds)
        found = None
        for event in self.events:
            if before is not None and event.seq >= before.seq:
                break
            if event.kind in kinds:
                found = event
        return found

    def due_on(self, clock: str, *, at: CaseEvent, before: bool = False) -> dt.date | None:
        """A clock's due date on the day of event `at`: right after it, or right `before` it."""
        known = [e for e in self.events if e.seq < at.seq or (e.seq == at.seq and not before)]
        try:
            found = case_clocks(self.case, events=known, today=local_date(at.at))
        except ValueError:  # an event log the clocks cannot fold: print no date rather than fail
            return None
        return next((c.due_on for c in found if c.name == clock), None)

    # -- the accused unit (第三十条) ----------------------------------------------------------

    def scrub(self, text: str, *, reveal_accused: bool = False) -> str:
        org = self.case.accused_org
        if reveal_accused or self.case.nature != Nature.ACCUSATION or org is None:
            return text
        for name in sorted({n for n in (org.name, org.short_name) if n}, key=len, reverse=True):
            text = text.replace(name, ACCUSED_STAND_IN)
        return text

    # -- common phrases ------------------------------------------------------------------------

    def addressee(self) -> str:
        """The petitioner(s) as a letter addresses them: representatives first, "等N人" for groups."""
        people = list(self.case.petitioners.all())
        named = [p for p in people if p.is_representative] or people
        if not named:
            return "信访人"
        names = "、".join(p.name for p in named[:5])
        total = max(self.case.headcount, len(people))
        return f"{names}等{total}人" if total > len(named[:5]) else names

    @cached_property
    def you(self) -> str:
        """你, or 你们 when the letter goes to a group."""
        return "你们" if max(self.case.headcount, self.case.petitioners.count()) > 1 else "你"

    def matter(self) -> str:
        """你于2025年3月1日通过来访方式反映的“……”问题（信访件编号：……）"""
        case = self.case
        subject = self.scrub(case.subject)
        return (
            f"{self.you}于{chinese_date(case.received_on)}通过{case.get_channel_display()}方式反映的“{subject}”问题"
            f"（信访件编号：{case.number}）"
        )


def period(rule: DeadlineRule, length: int | None = None) -> str:
    days = rule.length if length is None else length
    return f"{days}个工作日" if rule.unit == "workday" else f"{days}日"


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；", "…", ".", "”")) else text + "。"


def issuer(source: Source, event: CaseEvent) -> Org:
    org: Org = event.org or source.case.current_org
    return org


def letter(source: Source, event: CaseEvent, title: str) -> tuple[Letter, Org, dt.date]:
    """The letter with its 版头: the issuing organ, its 文号 (given once: numbers.number_for)."""
    org = issuer(source, event)
    day = local_date(event.at)
    number = number_for(event)
    doc = Letter(
        organ=org.name,
        title=title,
        doc_number=number.number if number is not None else "",
        author=org.name,
        created=event.at,
        masthead=True,
    )
    return doc, org, day


def finish(
    source: Source, event: CaseEvent, doc: Letter, org: Org, day: dt.date, *, copy_to: Iterable[str] = ()
) -> Letter:
    """Signature and 版记. A unit's letter is copied (抄送) to the bureau that routed the case to it."""
    doc.signature(org.name, day)
    copies = list(copy_to)
    routed = source.last(["forwarded", "assigned"], before=event)
    if (
        routed is not None
        and routed.org is not None
        and routed.org.pk != org.pk
        and routed.org.name not in copies
    ):
        copies.append(routed.org.name)
    doc.colophon(printer=org.name, printed_on=day, copy_to=copies)
    return doc


def region_path(region: Region) -> str:
    """示例省示例市示例区: the region with the regions above it, below the national level."""
    codes = [code for code in region.path.strip("/").split("/") if code]
    names = dict(
        Region.objects.filter(code__in=codes).exclude(level=Level.NATIONAL).values_list("code", "name")
    )
    return "".join(names[code] for code in codes if code in names) or region.name


def _is_above(org: Org, other: Org) -> bool:
    """Whether `org` stands above `other`: one of its superiors, or of a higher level."""
    return other.path.startswith(org.path) or LEVEL_RANK.get(org.level, 99) < LEVEL_RANK.get(other.level, 99)


def _higher(org: Org) -> str:
    return org.parent.name if org.parent is not None else "上一级机关"


# -- the kinds ---------------------------------------------------------------------------------


def acceptance_notice(source: Source, event: CaseEvent, title: str) -> Letter:
    doc, org, day = letter(source, event, title)
    handle = source.rules["handle"]
    due = source.due_on("handle", at=event)
    until = f"（即{chinese_date(due)}前）" if due else ""
    doc.line(f"{source.addressee()}：")
    doc.para(f"{source.matter()}，本机关已于{chinese_date(day)}依法受理。现将有关事项告知如下：")
    doc.para(
        f"一、本机关将依照{handle.legal_ref}的规定，自受理之日起{period(handle)}内{until}办结，"
        f"并向{source.you}出具书面处理意见。"
        + (
            f"情况复杂的，经本机关负责人批准，可以适当延长办理期限，延长期限不超过{period(handle, handle.extension_limit)}，"
            f"并告知{source.you}延期理由。"
            if handle.extension_limit
            else ""
        ),
    )
    doc.para(
        f"二、{source.you}可以凭查询码 {source.case.query_code} 通过网上信访平台查询办理进展，并对办理情况进行评价。",
    )
    doc.para(f"三、请{source.you}妥善保管本告知书，依法有序表达诉求。")
    doc.para("特此告知。")
    return finish(source, event, doc, org, day)


def decline_notice(source: Source, event: CaseEvent, title: str) -> Letter:
    doc, org, day = letter(source, event, title)
    payload = event.payload
    channel = payload.get("legal_channel_name", "其他法定途径")
    reasons = source.scrub(str(payload.get("reasons", "")))
    doc.line(f"{source.addressee()}：")
    doc.para(f"{source.matter()}，本机关已收悉。经审查，{sentence(reasons)}")
    basis = str(payload.get("legal_basis", ""))
    where = str(payload.get("where_to_go", ""))
    doc.para(
        f"根据《信访工作条例》第三十一条的规定，该事项应当通过法定途径（{channel}）解决，"
        f"本机关不予受理。请{source.you}依照有关法律、法规规定的程序，向有权处理的机关提出。"
    )
    if basis:
        doc.para(f"法律依据：{sentence(basis)}")
    if where:
        doc.para(f"受理机关：{sentence(where)}")
    doc.para("特此告知。")
    return finish(source, event, doc, org, day)


def routing_slip(source: Source, event: CaseEvent, title: str) -> Letter:
    case = source.case
    payload = event.payload
    assigned = event.kind == "assigned"
    doc, org, day = letter(source, event, title)
    recipient = Org.objects.filter(pk=payload.get("to_org")).first()
    to_name = str(payload.get("to_org_name") or (recipient.name if recipient else ""))
    to_discipline = recipient is not None and recipient.kind == OrgKind.DISCIPLINE
    verb = "交办" if assigned else "转送"
    route, accept, objection = (source.rules[n] for n in ("route", "accept", "object"))
    people = list(case.petitioners.all())

    # "你单位" is how an organ addresses one below it; the only 转送 upward is an accusation against
    # the registering organ, handed at registration to an organ with authority over it (第三十条).
    upward = recipient is not None and _is_above(recipient, org)
    you = "贵机关" if upward else "你单位"
    doc.line(f"{to_name}：")
    doc.para(
        f"根据{route.legal_ref}的规定，现将{source.addressee() if people else '匿名信访人'}"
        f"通过{case.get_channel_display()}方式反映的“"
        f"{source.scrub(case.subject, reveal_accused=to_discipline)}”信访事项"
        + (f"转请{you}依法办理。" if upward else f"{verb}{you}，请依法办理。")
        + "有关情况如下："
    )
    person_lines: list[str] = []
    for person in people:
        person_lines.append(person.name + ("（代表）" if person.is_representative else ""))
        if person.phone:
            person_lines.append(f"联系电话：{person.phone}")
        if person.id_number:
            person_lines.append(f"证件号码：{pii.mask_id_number(person.id_number)}")
        if person.address:
            person_lines.append(f"住址：{person.address}")
    rows: list[tuple[str, str | list[str]]] = [
        ("信访件编号", case.number),
        ("信访日期", chinese_date(case.received_on)),
        ("信访形式", case.get_channel_display()),
        ("信访性质", case.get_nature_display()),
        ("内容分类", case.category.name),
        ("问题属地", region_path(case.problem_region)),
        ("信访人", person_lines or ["匿名"]),
    ]
    if case.headcount > 1:
        rows.append(("信访人数", f"{case.headcount}人"))
    if case.nature == Nature.ACCUSATION:
        if case.accused_person:
            rows.append(("被反映人", case.accused_person))
        if to_discipline and case.accused_org is not None:
            rows.append(("被反映单位", case.accused_org.name))
    rows.append(("标题", source.scrub(case.subject, reveal_accused=to_discipline)))
    content = source.scrub(case.content, reveal_accused=to_discipline)
    rows.append(("主要内容", [line.strip() for line in content.splitlines() if line.strip()]))
    assisting = [a.get("name", "") for a in payload.get("assisting", [])]
    if assisting:
        rows.append(("协办单位", "、".join(assisting)))
    if payload.get("note"):
        rows.append((f"{verb}说明", source.scrub(str(payload["note"]), reveal_accused=to_discipline)))
    report_due = (
        dt.date.fromisoformat(payload["report_due"]) if assigned and payload.get("report_due") else None
    )
    if report_due:
        rows.append(("办结报告期限", chinese_date(report_due)))
    doc.table(rows)

    doc.blank()
    doc.heading("办理要求")
    doc.para(
        f"一、请依照{accept.legal_ref}的规定，自收到本{title}之日起{period(accept)}内决定是否受理，"
        "并书面告知信访人。"
    )
    doc.para(
        f"二、经审查不属于{you}职权范围的，请自收到之日起{period(objection)}内向本机关提出异议，"
        "说明理由，经同意后退回有关材料。"
    )
    if report_due:
        doc.para(
            f"三、本事项为交办事项，请于{chinese_date(report_due)}前将办理结果以办结报告形式书面报送本机关（{route.legal_ref}）。"
        )
    if case.nature == Nature.ACCUSATION:
        doc.para(
            "检举控告材料不得透露、转送给被检举控告的人员和单位（《信访工作条例》第三十条）。", lead="注意："
        )
    if event.actor is not None:
        doc.blank()
        doc.line(f"经办人：{event.actor}", right_indent=0)
    return finish(source, event, doc, org, day, copy_to=[name for name in assisting if name])


def reply_opinion(source: Source, event: CaseEvent, title: str) -> Letter:
    doc, org, day = letter(source, event, title)
    payload = event.payload
    accepted = source.last(["accepted"], before=event)
    review = source.rules["review_request"]
    opening = source.matter()
    if accepted is not None:
        opening += f"，本机关已于{chinese_date(local_date(accepted.at))}受理"
    doc.line(f"{source.addressee()}：")
    doc.para(f"{opening}。经调查核实，现依照《信访工作条例》第三十二条的规定提出处理意见如下：")
    doc.section("信访请求")
    doc.paras(source.scrub(str(payload.get("request", ""))))
    doc.section("查明事实")
    doc.paras(source.scrub(str(payload.get("facts", ""))))
    doc.section(f"处理意见：{payload.get('outcome_name', '')}")
    decision = REPLY_DECISIONS.get(str(payload.get("outcome")), str(payload.get("outcome_name", "")))
    doc.para(decision.format(you=source.you))
    doc.section("理由及依据")
    doc.paras(source.scrub(str(payload.get("reasons", ""))))
    doc.para(sentence(source.scrub(str(payload.get("legal_basis", "")))), lead="法律依据：")
    # The 三到位一处理 tags are the bureau's own assessment of the handling (第二十七条), not a part of
    # the decision: they stay on the case and out of the letter to the petitioner.
    doc.section("权利告知")
    doc.para(
        f"{source.you}如对本处理意见不服，可以自收到本意见书之日起{period(review)}内，"
        f"向{_higher(org)}书面提出复查请求（{review.legal_ref}）。"
    )
    return finish(source, event, doc, org, day)


def extension_notice(source: Source, event: CaseEvent, title: str) -> Letter:
    doc, org, day = letter(source, event, title)
    payload = event.payload
    handle = source.rules["handle"]
    accepted = source.last(["accepted"], before=event)
    old_due = source.due_on("handle", at=event, before=True)
    new_due = source.due_on("handle", at=event)
    opening = source.matter()
    if accepted is not None:
        opening += f"，本机关已于{chinese_date(local_date(accepted.at))}受理"
    if old_due is not None:
        opening += f"，原定于{chinese_date(old_due)}前办结"
    approver = str(payload.get("approver_name", "")).strip()
    doc.line(f"{source.addressee()}：")
    doc.para(f"{opening}。")
    doc.para(sentence(source.scrub(str(payload.get("reason", "")))), lead="延期理由：")
    doc.para(
        f"经本机关负责人{approver}批准，依照{handle.legal_ref}的规定，办理期限延长{period(handle, int(payload.get('days', 0)))}"
        + (f"，至{chinese_date(new_due)}" if new_due else "")
        + f"。本机关将在延长期限内办结，并向{source.you}出具书面处理意见。"
    )
    doc.para("特此告知。")
    return finish(source, event, doc, org, day)


def _appeal_opinion(
    source: Source,
    event: CaseEvent,
    title: str,
    *,
    request_kind: str,
    decided_before: tuple[str, ...],
    what: str,
    word: str,
) -> tuple[Letter, Org, dt.date, str]:
    """The shared part of a 复查 and a 复核 opinion; `what` names the decision appealed against.
    Returns the letter, its organ and date, and the organ whose decision was appealed against."""
    doc, org, day = letter(source, event, title)
    request = source.last([request_kind], before=event)
    earlier = source.last(decided_before, before=request or event)
    earlier_org = issuer(source, earlier) if earlier is not None else None
    earlier_name = earlier_org.name if earlier_org is not None else UNKNOWN_EARLIER_ORG
    payload = event.payload
    doc.line(f"{source.addressee()}：")
    opening = f"{source.you}不服{earlier_name}"
    if earlier is not None:
        opening += f"于{chinese_date(local_date(earlier.at))}"
    opening += f"作出的{what}（信访件编号：{source.case.number}）"
    if request is not None:
        opening += f"，于{chinese_date(local_date(request.at))}向本机关提出{word}请求"
    doc.para(f"{opening}。本机关依法进行了{word}，现提出{word}意见如下：")
    if request is not None:
        doc.section(f"{word}请求及理由")
        doc.paras(source.scrub(str(request.payload.get("reasons", ""))))
    doc.section(f"{word}意见：{payload.get('outcome_name', '')}")
    template = APPEAL_DECISIONS.get(str(payload.get("outcome")))
    if template:
        doc.para(template.format(org=earlier_name, what=what))
    doc.paras(source.scrub(str(payload.get("opinion", ""))))
    return doc, org, day, earlier_name


def review_opinion(source: Source, event: CaseEvent, title: str) -> Letter:
    doc, org, day, earlier = _appeal_opinion(
        source,
        event,
        title,
        request_kind="review_requested",
        decided_before=("replied", "answered"),
        what="信访处理意见",
        word="复查",
    )
    rereview = source.rules["rereview_request"]
    doc.section("权利告知")
    doc.para(
        f"{source.you}如对本复查意见不服，可以自收到本复查意见之日起{period(rereview)}内，"
        f"向{_higher(org)}书面提出复核请求（{rereview.legal_ref}）。"
    )
    # copied to the organ whose decision was reviewed
    return finish(source, event, doc, org, day, copy_to=[earlier] if earlier != UNKNOWN_EARLIER_ORG else [])


def rereview_opinion(source: Source, event: CaseEvent, title: str) -> Letter:
    doc, org, day, earlier = _appeal_opinion(
        source,
        event,
        title,
        request_kind="rereview_requested",
        decided_before=("review_decided",),
        what="复查意见",
        word="复核",
    )
    rule = source.rules["rereview_decide"]
    doc.section("告知事项")
    doc.para(
        f"本复核意见为最终意见。{source.you}对本复核意见不服，仍然以同一事实和理由提出投诉请求的，"
        f"各级机关不再受理（{rule.legal_ref}）。"
    )
    # copied to the organ whose decision was reviewed
    return finish(source, event, doc, org, day, copy_to=[earlier] if earlier != UNKNOWN_EARLIER_ORG else [])


def _payload_date(value: object) -> dt.date | None:
    """A date stored in a payload, or None when absent or unreadable (text stored before inputs
    were normalised must not stop the document)."""
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def delivery_receipt(source: Source, event: CaseEvent, title: str) -> Letter:
    """送达回证: the form the person who delivers the 信访处理意见书 brings back signed (or the post's
    record), filed with the case. It has no 文号 of its own: it names the number of what it delivers."""
    case = source.case
    payload = event.payload
    org = issuer(source, event)
    day = _payload_date(payload.get("delivered_on")) or local_date(event.at)
    doc = Letter(organ=org.name, title=title, doc_number="", author=org.name, created=event.at, masthead=True)
    delivered = source.last(["replied", "answered"], before=event)
    number = number_for(delivered) if delivered is not None else None
    what = "信访处理意见书" + (f"（{number.number}）" if number is not None else "")
    people = list(case.petitioners.all())
    addresses = [p.address for p in people if p.address]
    method = str(payload.get("method_name", ""))
    rows: list[tuple[str, str | list[str]]] = [
        ("信访件编号", case.number),
        ("受送达人", source.addressee()),
        ("送达文书", what),
        ("送达方式", method),
    ]
    if payload.get("method") == "post":
        rows.append(("邮寄单号", str(payload.get("tracking_number", "")) or "（未登记）"))
    rows += [
        ("送达地址", addresses[:1] or [""]),
        ("送达日期", chinese_date(day)),
        ("送达人", str(event.actor) if event.actor is not None else ""),
        ("受送达人签名或盖章", ["", "", "年    月    日"]),
        ("代收人及代收理由", ["", ""]),
        ("备注", ["", "（受送达人拒绝签收的，送达人在此写明情况并签名）"]),
        # the organ signs inside the form: a signature block under a table would stand alone on a
        # page of its own once the form is long
        ("送达机关", [f"{org.name}（印章）", chinese_date(day)]),
    ]
    doc.table(rows)
    return doc


Builder = Callable[[Source, CaseEvent, str], Letter]
