"""Demo cases: a few thousand matters over the last 24 months, in every state.

Every case is registered and moved through the real services with `pinned_now`, so its events,
clocks and projection are exactly what live work would have produced. A fixed seed makes the
data the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from xinfang.cases import services
from xinfang.cases.models import Case, ContentCategory, Status
from xinfang.cases.services import PetitionerInput, ReplyInput
from xinfang.cases.vocabulary import EventKind
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import LOCAL_TZ, now, pinned_now
from xinfang.demo.assessment import assessment_work
from xinfang.demo.bulletins import load_bulletins
from xinfang.demo.leadership import leaders_work
from xinfang.demo.reception import reception_work
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Level, Org, OrgKind, Region, Role, User
from xinfang.portal.accounts import citizen_petitioner
from xinfang.reception.selectors import routes as route_selectors
from xinfang.reception.services.routes import legal_route_decline
from xinfang.textintel.db.alerts import raise_cluster_alerts

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强春梅海燕文红玉兰"
PLACES = [
    "幸福小区",
    "阳光花园",
    "锦绣家园",
    "东方明珠苑",
    "滨江一号",
    "翠湖小区",
    "和平村",
    "柳树村",
    "新华路",
    "人民路",
]

# (category code, nature, subject template, content template)
TOPICS: list[tuple[str, str, str, str]] = [
    (
        "030100",
        "appeal",
        "{place}住房墙体开裂问题",
        "我们是{place}的业主，房屋交付两年墙体多处开裂，开发商拖延维修，请求督促解决。",
    ),
    (
        "030400",
        "appeal",
        "{place}物业服务收费问题",
        "{place}物业公司擅自提高物业费，服务质量却下降，请求有关部门查处。",
    ),
    (
        "030200",
        "appeal",
        "{place}房屋征收补偿标准问题",
        "{place}房屋征收补偿标准偏低，与周边项目差距较大，请求依法重新评估。",
    ),
    (
        "040300",
        "appeal",
        "{place}工地拖欠农民工工资",
        "我们在{place}附近工地务工，包工头拖欠工资三个月共计八万余元，请求帮助追讨。",
    ),
    (
        "040200",
        "appeal",
        "养老保险待遇核定问题",
        "本人退休后养老金核定基数有误，多次到社保窗口反映未果，请求重新核定。",
    ),
    (
        "040100",
        "appeal",
        "劳动合同纠纷问题",
        "公司未签订劳动合同即辞退本人，拒绝支付经济补偿，请求依法处理。",
    ),
    (
        "130100",
        "appeal",
        "{place}附近工厂噪声扰民",
        "{place}附近工厂夜间生产噪声很大，严重影响居民休息，请求环保部门查处。",
    ),
    (
        "020100",
        "appeal",
        "{place}土地征收补偿未到位",
        "{place}集体土地被征收后，部分村民补偿款至今未发放，请求核查。",
    ),
    (
        "060000",
        "suggestion",
        "关于增加{place}周边学位的建议",
        "{place}周边适龄儿童增多，学校学位紧张，建议新建或扩建小学。",
    ),
    (
        "100000",
        "suggestion",
        "关于优化{place}公交线路的建议",
        "{place}居民出行不便，建议增设公交站点并延长末班车时间。",
    ),
    (
        "050100",
        "appeal",
        "医疗纠纷处理问题",
        "家属在医院治疗期间出现并发症，对医院处理结果有异议，请求组织鉴定。",
    ),
    (
        "160000",
        "accusation",
        "反映{place}村干部侵占补偿款问题",
        "{place}村干部涉嫌截留群众征地补偿款，请求纪检监察机关调查处理。",
    ),
    (
        "140000",
        "accusation",
        "反映某单位工作人员吃拿卡要问题",
        "办理业务时工作人员暗示收取好处费，否则拖延办理，请求查处。",
    ),
    (
        "070000",
        "appeal",
        "低保资格认定问题",
        "本人家庭生活困难，申请低保被驳回，认为认定不公，请求重新审核。",
    ),
]

# The department a matter of each level-1 category usually goes to (by a word of its name), so that the
# demo's routing history looks like a bureau's and the routing suggestion learned from it makes sense.
DEPARTMENT_BY_CATEGORY = {
    "02": "自然资源",
    "03": "住房和城乡建设",
    "04": "人力资源和社会保障",
    "05": "卫生健康",
    "06": "教育",
    "07": "民政",
    "10": "交通运输",
    "13": "生态环境",
}
USUAL_DEPARTMENT_SHARE = 0.85  # the rest goes to a township or another unit, as real routing does


REPLY_TEXT = {
    "support": ("经调查核实，反映问题属实。", "诉求合理，予以支持，已责成相关单位限期整改。"),
    "explain": ("经调查核实，相关情况已查明。", "诉求有一定合理性，但缺乏政策依据，已向信访人解释说明。"),
    "not_support": ("经调查核实，反映问题与事实不符。", "诉求缺乏事实和法律依据，不予支持。"),
}


@dataclass
class _Stock:
    rng: random.Random
    bureaus: list[tuple[Org, User]] = field(default_factory=list)
    units_by_region: dict[int, list[tuple[Org, User]]] = field(default_factory=dict)
    city_units: list[tuple[Org, User]] = field(default_factory=list)
    discipline: list[tuple[Org, User]] = field(default_factory=list)
    leaders: dict[int, User] = field(default_factory=dict)
    categories: dict[str, ContentCategory] = field(default_factory=dict)
    citizen: User | None = None


def _id_number(rng: random.Random, region_code: str) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
    body = f"{region_code[:6]}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def _person(rng: random.Random, region: Region, representative: bool = False) -> PetitionerInput:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
    return PetitionerInput(
        name=name,
        id_number=_id_number(rng, region.code),
        phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
        address=f"{region.name}{rng.choice(PLACES)}{rng.randrange(1, 40)}号",
        is_representative=representative,
    )


def _staff_for(
    org: Org, role: str, password_hash: str, counter: list[int], other_than: User | None = None
) -> User:
    """Somebody holding `role` at `org`, created when missing; `other_than`: a second person (the
    审核人 approving a handler's draft is never the handler, even where a listed login holds both)."""
    existing = (
        User.objects.filter(memberships__org=org, memberships__role=role)
        .exclude(pk=other_than.pk if other_than else None)
        .first()
    )
    if existing:
        return existing
    counter[0] += 1
    user = org_services.staff_user_create(
        username=f"demo{org.pk:03d}{role[:2]}",
        full_name=f"{org.short_name or org.name[-6:]}{Role(role).label}",
        password_hash=password_hash,
    )
    org_services.membership_grant(user=user, org=org, role=role)
    return user


def _stock(rng: random.Random) -> _Stock:
    stock = _Stock(rng=rng)
    password_hash = make_password("Xinfang-2026")
    counter = [0]
    # A stable order (not ids or paths, which differ between databases) keeps the seed meaningful.
    for org in Org.objects.filter(is_active=True).select_related("region").order_by("region__code", "name"):
        if org.kind == OrgKind.PETITION_BUREAU and org.level in (Level.CITY, Level.COUNTY):
            stock.bureaus.append((org, _staff_for(org, Role.REGISTRAR, password_hash, counter)))
        elif org.kind in (OrgKind.FUNCTIONAL, OrgKind.TOWNSHIP, OrgKind.POLITICAL_LEGAL):
            pair = (org, _staff_for(org, Role.HANDLER, password_hash, counter))
            _staff_for(org, Role.APPROVER, password_hash, counter, other_than=pair[1])
            if org.level == Level.CITY:
                stock.city_units.append(pair)
            else:
                county = org.region if org.level == Level.COUNTY else org.region.parent
                assert county is not None
                stock.units_by_region.setdefault(county.pk, []).append(pair)
        elif org.kind == OrgKind.DISCIPLINE:
            inspector = _staff_for(org, Role.HANDLER, password_hash, counter)
            stock.discipline.append((org, inspector))
            _staff_for(org, Role.APPROVER, password_hash, counter, other_than=inspector)
        elif org.kind == OrgKind.PARTY_GOVERNMENT:
            stock.leaders[org.pk] = _staff_for(org, Role.LEADER, password_hash, counter)
    stock.categories = {c.code: c for c in ContentCategory.objects.all()}
    stock.citizen = User.objects.filter(username="qunzhong").first()
    return stock


class _Story:
    """One case's life: each step at a later moment, stopping at the present."""

    def __init__(self, stock: _Stock, start: dt.datetime) -> None:
        self.stock, self.rng, self.at, self.case = stock, stock.rng, start, None  # type: ignore[assignment]

    def later(self, low_days: float, high_days: float) -> bool:
        self.at += dt.timedelta(days=self.rng.uniform(low_days, high_days))
        return self.at < now() - dt.timedelta(hours=1)

    def do(self, action: object, **kwargs: object) -> None:
        with pinned_now(self.at):
            self.case = action(case=self.case, **kwargs)  # type: ignore[operator]


def _reply(rng: random.Random, nature: str) -> ReplyInput:
    outcome = rng.choices(["support", "explain", "not_support"], weights=[45, 35, 20])[0]
    facts, reasons = REPLY_TEXT[outcome]
    tags = {"support": ["solved"], "explain": ["educated"], "not_support": ["educated"]}[outcome]
    if rng.random() < 0.1:
        tags = [*tags, "assisted"]
    return ReplyInput(
        outcome=outcome,
        request="请求依法处理所反映的问题。",
        facts=facts,
        reasons=reasons,
        legal_basis="《信访工作条例》第三十二条及相关法律法规",
        tags=tags,
    )


def _live_one(stock: _Stock, start: dt.datetime) -> Case:
    rng = stock.rng
    bureau, registrar = rng.choice(stock.bureaus)
    county_ids = list(stock.units_by_region)
    county = Region.objects.get(pk=rng.choice(county_ids)) if bureau.level == Level.CITY else bureau.region
    towns = list(county.children.all())
    place_region = rng.choice([county, *towns]) if towns else county
    code, nature, subject, content = rng.choice(TOPICS)
    place = rng.choice(PLACES)
    channel = rng.choices(["letter", "visit", "online", "phone"], weights=[25, 25, 40, 10])[0]
    headcount = rng.choice([1, 1, 1, 1, 2, 3, 6, 12, 30]) if channel == "visit" else 1
    people = [
        _person(rng, place_region, representative=headcount >= 5)
        for _ in range(min(headcount, rng.choice([1, 2, 3, 5])))
    ]
    # A bureau routes only down its own tree (services.routing_reach): a county bureau to its
    # county's units, the city bureau to the city's and the counties' units.
    units = stock.units_by_region.get(county.pk, []) + (
        stock.city_units if bureau.level == Level.CITY else []
    )
    word = DEPARTMENT_BY_CATEGORY.get(code[:2])
    usual = [pair for pair in units if word and word in pair[0].name]
    unit, handler = rng.choice(usual if usual and rng.random() < USUAL_DEPARTMENT_SHARE else units)
    accused = unit if nature == "accusation" else None
    story = _Story(stock, start)
    with pinned_now(start):
        story.case = services.case_register(
            actor=registrar,
            org=bureau,
            channel=channel,
            nature=nature,
            category=stock.categories[code],
            subject=subject.format(place=place),
            content=content.format(place=place),
            problem_region=place_region,
            petitioners=[] if nature == "accusation" and rng.random() < 0.3 else people,
            received_on=start.astimezone(LOCAL_TZ).date(),
            headcount=headcount,
            via_proper_ladder=rng.random() > 0.1,
            accused_org=accused,
        )
    _advance(story, unit, handler, bureau, registrar)
    return story.case


def _advance(story: _Story, unit: Org, handler: User, bureau: Org, registrar: User) -> None:
    rng, case = story.rng, story.case
    if case.nature == "accusation":
        reach = [pair for pair in story.stock.discipline if services.in_routing_reach(bureau, pair[0])]
        unit, handler = rng.choice(reach)
    roll = rng.random()
    if roll < 0.05:
        if story.later(1, 10):
            # 导入法定途径 through the guide: its first suggestion for the matter, else a kind of
            # procedure; the guidance row is written with the 不予受理 (xinfang.reception).
            suggested = route_selectors.suggested_for_case(case)
            story.do(
                legal_route_decline,
                actor=registrar,
                route=suggested[0] if suggested else None,
                legal_channel=""
                if suggested
                else rng.choice(["litigation", "arbitration", "administrative_review"]),
                reasons="该事项依法应通过法定途径解决。",
            )
        return
    if case.nature == "suggestion" and roll < 0.35:
        if story.later(2, 14):
            story.do(services.case_answer, actor=registrar, reply=_reply(rng, case.nature))
        _deliver_and_after(story, registrar, bureau)
        return
    recent = now() - case.registered_at < dt.timedelta(days=150)
    # Some recent matters stall, so the overdue lists and 督办 have real work to show.
    if recent and rng.random() < 0.04:
        return
    # 转送 usually within the 15 days; one in twenty late.
    if not story.later(0.2, 25 if rng.random() < 0.05 else 12):
        return
    if rng.random() < 0.2:
        story.do(
            services.case_assign,
            actor=registrar,
            to_org=unit,
            report_due=(story.at + dt.timedelta(days=45)).date(),
        )
    else:
        story.do(services.case_forward, actor=registrar, to_org=unit)
    if rng.random() < 0.03 and story.later(1, 5):
        story.do(services.case_object, actor=handler, reasons="该事项不属于本单位职责范围。")
        return
    if not story.later(0.5, 12):
        return
    story.do(services.case_accept, actor=handler)
    if recent and rng.random() < 0.2:
        return  # stalled at the unit: overdue once the 60 days pass
    if rng.random() < 0.04 and story.later(5, 20):
        story.do(services.case_hearing_start, actor=handler, note="组织信访听证")
        if not story.later(3, 15):
            return
        story.do(services.case_hearing_end, actor=handler, conclusion="听证会意见已记录在卷。")
    late = rng.random() < 0.08
    if rng.random() < 0.06 and story.later(20, 50):
        # 延期 needs an approver of the unit other than the handler (第三十四条), unless the unit needs
        # no approval (Org.requires_approval off); otherwise this matter is not extended.
        approver = _approver(unit, handler)
        if approver is not None or not unit.requires_approval:
            story.do(
                services.case_extend,
                actor=handler,
                days=30,
                approver=approver or handler,
                reason="案情复杂，需进一步调查核实。",
            )
    if not story.later(10, 80 if late else 55):
        return
    _reply_through_approval(story, handler, unit, _reply(rng, case.nature))
    _deliver_and_after(story, handler, unit)


def _approver(unit: Org, handler: User) -> User | None:
    """The unit's 审核人 who approves `handler`'s requests: never the handler (第三十四条)."""
    return (
        User.objects.filter(memberships__org=unit, memberships__role=Role.APPROVER)
        .exclude(pk=handler.pk)
        .first()
    )


def _reply_through_approval(story: _Story, handler: User, unit: Org, reply: ReplyInput) -> None:
    """The handler submits the draft; the unit's 审核人 approves it within the hour (the unit's
    approver is another person; a unit that needs no approval issues it at once)."""
    story.do(services.case_submit_reply_for_approval, actor=handler, reply=reply)
    if services.pending_request(story.case, EventKind.REPLY_SUBMITTED) is None:
        return
    approver = _approver(unit, handler)
    assert approver is not None, f"{unit} has no 审核人"
    story.at += dt.timedelta(minutes=50)
    story.do(services.case_approve_reply, actor=approver)


# What a petitioner says on the 回访 call when not (fully) satisfied.
_RATING_REASONS = ["办理时间较长", "问题只解决了一部分", "答复未回应主要诉求", "希望尽快落实到位"]


def _deliver_and_after(story: _Story, actor: User, org: Org) -> None:
    rng = story.rng
    if not story.later(0.5, 5):
        return
    story.do(services.case_deliver, actor=actor, method=rng.choice(["in_person", "post", "online"]))
    if rng.random() < 0.7 and story.later(0.5, 6):
        registrar = story.case.registered_by
        for track in ("bureau", "unit"):
            value = rng.choices(["satisfied", "basically", "dissatisfied"], weights=[70, 20, 10])[0]
            # Not drawn from `rng`: the demo's other draws (and so its cases) stay as they were.
            reason = "" if value == "satisfied" else _RATING_REASONS[story.case.pk % len(_RATING_REASONS)]
            story.do(services.case_rate, actor=registrar, track=track, value=value, reason=reason)
    if rng.random() < 0.15:
        _appeal(story, org)
    elif story.later(40, 70):
        story.do(services.case_terminate, actor=actor, reason="window_lapsed")


def _appeal(story: _Story, org: Org) -> None:
    rng, stock = story.rng, story.stock
    reviewer_org = org.parent
    if reviewer_org is None or reviewer_org.pk not in stock.leaders or not story.later(1, 20):
        return
    leader = stock.leaders[reviewer_org.pk]
    story.do(services.case_review_request, actor=leader, reasons="信访人对处理意见不服，申请复查。")
    if not story.later(5, 29):
        return
    story.do(
        services.case_review_decide,
        actor=leader,
        outcome=rng.choice(["uphold", "uphold", "change"]),
        opinion="经复查，原处理意见认定事实清楚。",
    )
    upper = reviewer_org.parent
    if rng.random() < 0.3 and upper is not None and upper.pk in stock.leaders and story.later(2, 28):
        story.do(
            services.case_rereview_request,
            actor=stock.leaders[upper.pk],
            reasons="信访人对复查意见不服，申请复核。",
        )
        if story.later(5, 29):
            story.do(
                services.case_rereview_decide,
                actor=stock.leaders[upper.pk],
                outcome="uphold",
                opinion="经复核，维持复查意见。",
            )
            if rng.random() < 0.5 and story.later(10, 60):
                _raise_again(story)
    elif story.later(40, 70):
        story.do(services.case_terminate, actor=leader, reason="window_lapsed")


def _raise_again(story: _Story) -> None:
    """The petitioner comes back with the same facts after 复核: 不再受理 (第三十六条)."""
    earlier = story.case
    registrar = earlier.registered_by
    with pinned_now(story.at):
        again = services.case_register(
            actor=registrar,
            org=earlier.registered_org,
            channel="visit",
            nature=earlier.nature,
            category=earlier.category,
            subject=earlier.subject,
            content=earlier.content,
            problem_region=earlier.problem_region,
            petitioners=[_person(story.rng, earlier.problem_region)],
            via_proper_ladder=False,
        )
    story.case = again
    if story.later(0.1, 3):
        story.do(
            services.case_refuse_again,
            actor=registrar,
            earlier=earlier,
            reasons="同一事实和理由已经复核终结。",
        )


# 领导阅批 in the demo: the city bureau's head (王局长) presents cases to 陈副市长, who instructs the
# unit; (sent days ago, instructed days ago, due in days from the instruction, reported days ago).
INSTRUCTION_STORIES: list[tuple[float, float | None, int | None, float | None, str]] = [
    (2, None, None, None, "群众反映强烈，涉及人数较多，呈请领导阅示。"),
    (9, 8, 6, None, "该件已多次重复信访，呈请领导阅示，督促责任单位加快办理。"),
    (20, 19, 10, 12, "呈请领导阅示。"),
]
INSTRUCTION_TEXTS = [
    "请责任单位高度重视，依法依规妥善处理，及时向信访人反馈。",
    "请抓紧核查，限期办结，并将落实情况报市政府。",
    "请主要负责同志亲自过问，切实解决群众合理诉求。",
]
REPORT_TEXT = "已按领导批示要求组织专人核查，问题已依法处理，并已向信访人反馈，信访人表示认可。"


def leaders_instructions() -> int:
    """A few cases sent to 陈副市长 through the services: one waiting for the 批示, one instructed and
    awaiting the unit's report (overdue), one reported back. Returns the cases used; none where the
    demo staff are missing or too few open cases are old enough."""
    head = User.objects.filter(username="juzhang").first()
    leader = User.objects.filter(username="fushizhang").first()
    if head is None or leader is None or Case.objects.filter(instructions__isnull=False).exists():
        return 0
    moment = now()
    # The quietest open cases get the longest stories, so that every step falls after the case's
    # last event and before now.
    stories = sorted(zip(INSTRUCTION_STORIES, INSTRUCTION_TEXTS, strict=True), key=lambda s: -s[0][0])
    cases = list(
        Case.objects.filter(
            registered_org__name="示例市信访局",
            status__in=[Status.ROUTED, Status.ACCEPTED],
            # a unit with a handler, who can report back on the instruction
            current_org__memberships__role=Role.HANDLER,
            current_org__memberships__is_active=True,
        )
        .distinct()
        .order_by("updated_at", "pk")[: len(stories)]
    )
    used = 0
    for (sent, instructed, due_days, reported, note), text in stories:
        if used == len(cases) or cases[used].updated_at >= moment - dt.timedelta(days=sent + 1):
            continue  # no case quiet enough for this story: the next, shorter one may find one
        case = cases[used]
        used += 1
        with pinned_now(moment - dt.timedelta(days=sent)):
            case = services.case_send_for_instruction(actor=head, case=case, leader=leader, note=note)
        if instructed is None or due_days is None:
            continue
        at = moment - dt.timedelta(days=instructed)
        due = at.astimezone(LOCAL_TZ).date() + dt.timedelta(days=due_days)
        with pinned_now(at):
            case = services.case_instruct(actor=leader, case=case, text=text, due_on=due)
        handler = User.objects.filter(
            memberships__org=case.current_org, memberships__role=Role.HANDLER, memberships__is_active=True
        ).first()
        if reported is None or handler is None:
            continue
        with pinned_now(moment - dt.timedelta(days=reported)):
            services.case_report_on_instruction(
                actor=handler, case=case, instruction=case.instructions.get().seq, text=REPORT_TEXT
            )
    return used


def _citizen_matters(stock: _Stock, end: dt.datetime) -> None:
    """The demo citizen's own online matters, so the portal has something to show: one answered and
    served three days ago (rating and 复查 still open), one submitted two days ago."""
    citizen = stock.citizen
    if citizen is None:
        return
    bureau, registrar = next(pair for pair in stock.bureaus if pair[0].level == Level.CITY)
    unit, handler = next(pair for pair in stock.city_units if "住房" in pair[0].name)
    county = Region.objects.filter(parent=bureau.region).order_by("code").first() or bureau.region
    address = f"{county.name}幸福小区3号楼"
    person = citizen_petitioner(citizen, address=address)  # his verified name, number and ID number
    matters = [
        (
            "demo-qunzhong-1",
            40,
            "030400",
            "幸福小区楼道灯长期不亮",
            "我住在幸福小区3号楼，楼道灯坏了三个月，物业一直不修，老人晚上出行不安全，请求督促物业维修。",
        ),
        (
            "demo-qunzhong-2",
            2,
            "030100",
            "小区地下车库渗水问题",
            "幸福小区地下车库雨天渗水严重，车辆被泡，开发商推诿，请求有关部门督促处理。",
        ),
    ]
    for key, days_ago, code, subject, content in matters:
        start = end - dt.timedelta(days=days_ago)
        story = _Story(stock, start)
        with pinned_now(start):
            story.case, created = services.case_submit_online(
                citizen=citizen,
                petitioner=person,
                org=bureau,
                nature="appeal",
                category=stock.categories[code],
                subject=subject,
                content=content,
                problem_region=county,
                idempotency_key=key,
            )
        if not created or days_ago < 10:
            continue
        story.at = start + dt.timedelta(days=1)
        story.do(services.case_forward, actor=registrar, to_org=unit)
        story.at = start + dt.timedelta(days=4)
        story.do(services.case_accept, actor=handler)
        story.at = end - dt.timedelta(days=5)
        _reply_through_approval(story, handler, unit, _reply(random.Random(1), "appeal"))
        story.at = end - dt.timedelta(days=3)
        story.do(services.case_deliver, actor=handler, method="online")
    _cosigned_letter(
        stock, end, cosigner=PetitionerInput(name=person.name, phone=person.phone, address=address)
    )


def _cosigned_letter(stock: _Stock, end: dt.datetime, *, cosigner: PetitionerInput) -> None:
    """A joint letter (联名信) of a neighbour that names the demo citizen with his mobile number, so
    his 我的信访 shows a matter he co-signed (marked 联名), with its 受理告知书, read-only."""
    bureau, registrar = next(pair for pair in stock.bureaus if pair[0].level == Level.CITY)
    unit, handler = next(pair for pair in stock.city_units if "住房" in pair[0].name)
    county = Region.objects.filter(parent=bureau.region).order_by("code").first() or bureau.region
    subject = "幸福小区电梯频繁故障"
    if Case.objects.filter(registered_org=bureau, subject=subject).exists():
        return  # written by an earlier run
    start = end - dt.timedelta(days=12)
    neighbour = PetitionerInput(
        name="李邻居",
        id_number=_id_number(random.Random(7), "990100"),
        phone="13800000001",
        address=cosigner.address.replace("3号楼", "5号楼"),
    )
    story = _Story(stock, start)
    with pinned_now(start):
        story.case = services.case_register(
            actor=registrar,
            org=bureau,
            channel="letter",
            nature="appeal",
            category=stock.categories["030100"],
            subject=subject,
            content="幸福小区3号楼、5号楼电梯近半年多次困人，物业维修不及时，我们联名请求督促物业和维保单位彻底检修。",
            problem_region=county,
            petitioners=[neighbour, cosigner],
            received_on=start.astimezone(LOCAL_TZ).date(),
            headcount=2,
        )
    story.at = start + dt.timedelta(days=1)
    story.do(services.case_forward, actor=registrar, to_org=unit)
    story.at = start + dt.timedelta(days=3)
    story.do(services.case_accept, actor=handler)


def create_demo_staff(*, seed: int = 20260101) -> None:
    """The staff of every demo organ (registrars, handlers, approvers, leaders) without any case:
    what `load_demo --without-cases` gives a bureau that wants to try the import."""
    with transaction.atomic():
        _stock(random.Random(seed))


def generate_cases(
    count: int, *, seed: int = 20260101, months: int = 24, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Create `count` demo cases registered over the last `months` months; returns counts by status.

    Committed in batches, so a long run never holds the database's write lock for long.
    """
    rng = random.Random(seed)
    end = now() - dt.timedelta(hours=2)
    start = end - dt.timedelta(days=30 * months)
    with transaction.atomic():
        stock = _stock(rng)
    moments = sorted(start + (end - start) * rng.random() for _ in range(count))
    for batch_start in range(0, count, 100):
        with transaction.atomic():
            for moment in moments[batch_start : batch_start + 100]:
                local = moment.astimezone(LOCAL_TZ)
                # petition work happens in office hours
                moment = local.replace(hour=rng.randrange(8, 18), minute=rng.randrange(60)).astimezone(dt.UTC)
                try:
                    _live_one(stock, min(moment, end))
                except ServiceError as exc:  # a demo bug must be loud, not a silent gap
                    raise RuntimeError(f"demo case failed: {exc.message}") from exc
        if progress:
            progress(min(batch_start + 100, count))
    with transaction.atomic():
        leaders_instructions()
        _citizen_matters(stock, end)
    with transaction.atomic():
        leaders_work()
    with transaction.atomic():
        reception_work()
    with transaction.atomic():
        assessment_work()
    # The 类案预警 of the recent weeks (the daily scan the worker runs), so the bulletins have their
    # hot issues and an item promoted from an alert.
    raise_cluster_alerts(moment=end)
    with transaction.atomic():
        load_bulletins(end)
    counts: dict[str, int] = {}
    for status in Status.values:
        counts[status] = Case.objects.filter(status=status).count()
    return counts
