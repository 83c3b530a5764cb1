"""The hall and the grass roots in the demo, entered through the reception services with
``pinned_now``:

- 示例市群众来访接待中心 of 示例市信访局 with four stationed units and their duty rota from four weeks
  back to next week, checked in and out (one late arrival, one absence with its reason);
- today's queue there: numbers waiting and called, and a group of six whose 诉求单 became a case
  received jointly by the housing and the natural-resources bureaus and resolved on the spot; an
  earlier joint reception handed to the lead unit (交办);
- two lawyers on the Wednesday and Friday rota with their consultations, one linked to a case, one
  referred to legal aid;
- a labour matter guided into 劳动人事争议仲裁 (不予受理 with the 告知书 naming it), from the guide;
- 青山县群众信访诉求综合服务中心, a one-stop centre with the windows of three county bureaus;
- under 城关镇 two village points, each with a mediation: 东村's agreed and the matter resolved on the
  spot with the petitioner's confirmation; 西村's failed, the matter escalated to the town, which
  registered it as a case.

Runs once: nothing is added where a hall already exists.
"""

from __future__ import annotations

import datetime as dt

from xinfang.cases.models import ContentCategory
from xinfang.cases.services import PetitionerInput, case_register
from xinfang.cases.services.replies import ReplyInput
from xinfang.core.timeutil import LOCAL_TZ, now, pinned_now
from xinfang.orgs.models import Org, Region, User
from xinfang.reception.models import DutyRole, Hall, LegalRoute
from xinfang.reception.services import grassroots, halls, joint, lawyers, queue, routes

CITY_WINDOWS = [
    ("示例市住房和城乡建设局", "1号窗口", "住建带班", "住建值班"),
    ("示例市自然资源和规划局", "2号窗口", "资规带班", "资规值班"),
    ("示例市人力资源和社会保障局", "3号窗口", "人社带班", "人社值班"),
    ("示例市司法局", "法律服务窗口", "司法带班", "司法值班"),
]
# Who is on duty for each unit (带班领导, 值班人员): fictitious names.
DUTY_PEOPLE = {
    "示例市住房和城乡建设局": ("黄科长", "周干事"),
    "示例市自然资源和规划局": ("罗科长", "马干事"),
    "示例市人力资源和社会保障局": ("梁科长", "宋干事"),
    "示例市司法局": ("唐科长", "许干事"),
}
CENTRE_WINDOWS = [
    ("青山县人力资源和社会保障局", "1号窗口"),
    ("青山县住房和城乡建设局", "2号窗口"),
    ("青山县自然资源局", "3号窗口"),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL_TZ)


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _org(name: str) -> Org | None:
    return Org.objects.filter(name=name).first()


def reception_work() -> dict[str, int]:
    """Every mechanism of the hall and the grass roots; returns what was made."""
    made = {"halls": 0, "shifts": 0, "tickets": 0, "joint_receptions": 0, "consultations": 0, "talks": 0}
    head, clerk = _user("juzhang"), _user("dengji")
    bureau = _org("示例市信访局")
    if None in (head, clerk, bureau) or Hall.objects.exists():
        return made
    assert head is not None and clerk is not None and bureau is not None
    today = now().astimezone(LOCAL_TZ).date()
    hall, shifts = _city_hall(head, bureau, today)
    made["halls"] += 1
    made["shifts"] = shifts
    made.update(_queue_and_joint(head, clerk, hall, today))
    made["consultations"] = _lawyers(head, hall, today)
    _guided_labour_matter(clerk, bureau, today)
    made["halls"] += _centre(today)
    made["talks"] = _points(today)
    return made


def _city_hall(head: User, bureau: Org, today: dt.date) -> tuple[Hall, int]:
    start = today - dt.timedelta(days=28)
    with pinned_now(_at(start - dt.timedelta(days=1), 9)):
        hall = halls.hall_create(
            actor=head,
            org=bureau,
            name="示例市群众来访接待中心",
            address="示例市人民路100号",
            opens_at=dt.time(8, 30),
            closes_at=dt.time(17, 30),
        )
        for name, window, _, _ in CITY_WINDOWS:
            unit = _org(name)
            if unit is not None:
                halls.hall_station_unit(actor=head, hall=hall, org=unit, window=window, since=start)
    made = 0
    days = _working_days(start, today + dt.timedelta(days=7))
    for number, day in enumerate(days):
        for index, (name, _, _, _) in enumerate(CITY_WINDOWS):
            unit = _org(name)
            if unit is None:
                continue
            leader, staff = DUTY_PEOPLE[name]
            with pinned_now(_at(min(day, today) - dt.timedelta(days=1), 16)):
                duty = [
                    halls.duty_schedule(actor=head, hall=hall, org=unit, on=day, role=role, person=person)
                    for role, person in ((DutyRole.LEADER, leader), (DutyRole.STAFF, staff))
                ]
            made += 2
            if day > today:
                continue
            for shift in duty:
                # One unit's duty leader came late once, and another's was absent (公出) one day.
                if number == 3 and index == 1 and shift.role == DutyRole.LEADER:
                    with pinned_now(_at(day, 18)):
                        halls.duty_note_absence(actor=head, shift=shift, note="公出，未安排替班")
                    continue
                minute = 55 if (number == 5 and index == 2 and shift.role == DutyRole.LEADER) else 20
                with pinned_now(_at(day, 8 if minute == 20 else 9, minute)):
                    halls.duty_check_in(actor=head, shift=shift)
                if day < today:
                    with pinned_now(_at(day, 17, 35)):
                        halls.duty_check_out(actor=head, shift=shift)
    return hall, made


def _people(region: Region, names: list[str]) -> list[PetitionerInput]:
    return [
        PetitionerInput(
            name=name,
            phone=f"1390000{1000 + i:04d}",
            address=f"{region.name}幸福小区{i + 3}号楼",
            is_representative=len(names) > 1,
        )
        for i, name in enumerate(names)
    ]


QUEUE_STEPS = 24  # at least the steps of `_queue_and_joint` (18)


def _queue_and_joint(head: User, clerk: User, hall: Hall, today: dt.date) -> dict[str, int]:
    made = {"tickets": 0, "joint_receptions": 0}
    housing, land = _org("示例市住房和城乡建设局"), _org("示例市自然资源和规划局")
    city = Region.objects.filter(code="990100").first()
    category = ContentCategory.objects.filter(code="030200").first()
    if None in (housing, land, city, category):
        return made
    assert housing is not None and land is not None and city is not None and category is not None
    # The morning's numbers, four minutes apart, all before the present and all today (a ticket
    # is called on the day it was taken): just after midnight the same steps are squeezed into
    # the minutes of today that have passed.
    present = now()
    midnight = _at(today, 0)
    moment = max(midnight, min(_at(today, 9), present - dt.timedelta(hours=2)))
    gap = min(dt.timedelta(minutes=4), (present - moment) / (QUEUE_STEPS + 1))

    def step() -> dt.datetime:
        nonlocal moment
        moment += gap
        return moment

    # A group of six with three representatives: the 诉求单, the case, the joint reception.
    with pinned_now(step()):
        group = queue.ticket_issue(actor=clerk, hall=hall, headcount=6)
    with pinned_now(step()):
        queue.ticket_fill_form(
            actor=clerk,
            ticket=group,
            people=_people(city, ["邓建国", "曹春梅", "彭志强"]),
            subject="旧城改造项目征收补偿标准不一",
            request="请求按同一标准补偿，并公开评估报告。",
            facts="同一片区房屋征收，先签约与后签约的住户补偿标准不同，评估报告未向住户公开。",
            category=category,
            problem_region=city,
            units_involved="市住房和城乡建设局、市自然资源和规划局",
        )
    with pinned_now(step()):
        queue.ticket_call(actor=clerk, ticket=group, window="联合接访室")
    with pinned_now(step()):
        case = queue.ticket_register_case(actor=clerk, ticket=group, nature="appeal")
    with pinned_now(step()):
        reception = joint.joint_convene(
            actor=clerk,
            hall=hall,
            case=case,
            lead_org=housing,
            assisting=[(land, "核实征收范围和土地评估情况")],
            plan="住建局牵头说明补偿政策，资规局核实评估报告，现场答复。",
            ticket=group,
        )
    with pinned_now(step()):
        for org, person in ((housing, "黄科长"), (land, "罗科长")):
            joint.joint_record_attendance(actor=clerk, joint=reception, org=org, attendee=person)
    with pinned_now(step()):
        joint.joint_conclude(
            actor=clerk,
            joint=reception,
            outcome="on_spot",
            note="现场出示补偿方案和评估报告，群众表示认可。",
            reply=ReplyInput(
                outcome="explain",
                request="按同一标准补偿，公开评估报告。",
                facts="该片区补偿方案统一适用，先签约住户另享按期签约奖励；评估报告已在现场向住户代表出示。",
                reasons="补偿标准一致，差额系按期签约奖励，符合征收补偿方案。",
                legal_basis="《国有土地上房屋征收与补偿条例》第十七条、第十九条",
            ),
        )
    made["joint_receptions"] += 1
    made["tickets"] += 1
    # Others of the morning: one served at a window, one called, two waiting.
    for index, (name, headcount) in enumerate((("孟庆", 1), ("韦丽", 1), ("姚敏", 2), ("邹磊", 1))):
        with pinned_now(step()):
            ticket = queue.ticket_issue(actor=clerk, hall=hall, headcount=headcount)
        with pinned_now(step()):
            queue.ticket_fill_form(
                actor=clerk,
                ticket=ticket,
                people=_people(city, [name]),
                subject=["小区物业服务收费问题", "社保转移接续", "子女入学", "道路施工噪音"][index],
                request="请求有关部门协调处理。",
            )
        if index == 0:
            with pinned_now(step()):
                queue.ticket_call(actor=clerk, ticket=ticket, window="1号窗口", window_org=housing)
            with pinned_now(step()):
                queue.ticket_finish(actor=clerk, ticket=ticket)
        elif index == 1:
            with pinned_now(step()):
                queue.ticket_call(actor=clerk, ticket=ticket, window="3号窗口")
        made["tickets"] += 1
    return made


def _lawyers(head: User, hall: Hall, today: dt.date) -> int:
    start = today - dt.timedelta(days=28)
    with pinned_now(_at(start - dt.timedelta(days=1), 10)):
        pair = [
            lawyers.lawyer_add(
                actor=head,
                hall=hall,
                name="钱明律",
                firm="示例市正义律师事务所",
                licence_number="19901201810123456",
                phone="13700001111",
                weekdays="3",
            ),
            lawyers.lawyer_add(
                actor=head,
                hall=hall,
                name="秦慧",
                firm="示例市明理律师事务所",
                licence_number="19901201510654321",
                phone="13700002222",
                weekdays="5",
            ),
        ]
    topics = [
        (
            "拖欠工资如何维权",
            "040300",
            "可先向劳动保障监察机构投诉，或向劳动人事争议仲裁委员会申请仲裁。",
            False,
        ),
        ("房屋买卖合同纠纷", "030100", "属民事纠纷，可向人民法院提起诉讼，注意诉讼时效。", False),
        ("工伤认定不服", "040200", "对工伤认定结论不服的，可依法申请行政复议或提起行政诉讼。", True),
        ("征收补偿决定不服", "030200", "对补偿决定不服的，可依法申请行政复议，也可以提起行政诉讼。", False),
    ]
    made = 0
    for day in _working_days(start, today):
        if day.isoweekday() not in (3, 5) or day == today:
            continue
        lawyer = pair[0] if day.isoweekday() == 3 else pair[1]
        topic, code, advice, aid = topics[made % len(topics)]
        with pinned_now(_at(day, 11)):
            lawyers.lawyer_consultation_record(
                actor=head,
                lawyer=lawyer,
                at=_at(day, 10),
                persons=1 + made % 3,
                topic=topic,
                advice=advice,
                category=ContentCategory.objects.filter(code=code).first(),
                legal_aid_referred=aid,
            )
        made += 1
    return made


def _guided_labour_matter(clerk: User, bureau: Org, today: dt.date) -> None:
    """A labour dispute registered at the desk and guided into 劳动人事争议仲裁 from the guide."""
    category = ContentCategory.objects.filter(code="040100").first()
    city = Region.objects.filter(code="990100").first()
    if category is None or city is None:
        return
    moment = now() - dt.timedelta(hours=1)
    with pinned_now(moment):
        case = case_register(
            actor=clerk,
            org=bureau,
            channel="visit",
            nature="appeal",
            category=category,
            subject="公司解除劳动合同未支付经济补偿",
            content="本人在某公司工作五年，公司以经营困难为由解除劳动合同，未支付经济补偿，请求处理。",
            problem_region=city,
            petitioners=_people(city, ["严卫东"]),
        )
    route = (
        LegalRoute.objects.filter(category=category, channel="labour_arbitration", is_active=True)
        .order_by("order", "pk")
        .first()
    )
    with pinned_now(moment + dt.timedelta(minutes=20)):
        routes.legal_route_decline(
            actor=clerk,
            case=case,
            reasons="反映的解除劳动合同经济补偿争议属于劳动争议，依法应当申请劳动人事争议仲裁。",
            route=route,
            legal_channel="" if route else "labour_arbitration",
        )


def _centre(today: dt.date) -> int:
    desk, centre = _user("zhongxin"), _org("青山县群众信访诉求综合服务中心")
    if desk is None or centre is None:
        return 0
    since = today - dt.timedelta(days=60)
    with pinned_now(_at(since - dt.timedelta(days=1), 9)):
        hall = halls.hall_create(
            actor=desk,
            org=centre,
            name="青山县群众信访诉求综合服务中心大厅",
            address="青山县人民路8号",
            opens_at=dt.time(8, 30),
            closes_at=dt.time(17, 30),
            ticket_prefix="B",
        )
        for name, window in CENTRE_WINDOWS:
            unit = _org(name)
            if unit is not None:
                halls.hall_station_unit(actor=desk, hall=hall, org=unit, window=window, since=since)
    labour = _org("青山县人力资源和社会保障局")
    if labour is not None:
        with pinned_now(now() - dt.timedelta(minutes=50)):
            ticket = queue.ticket_issue(actor=desk, hall=hall)
            queue.ticket_fill_form(
                actor=desk,
                ticket=ticket,
                people=_people(Region.objects.get(code="990121"), ["柏青"]),
                subject="养老保险补缴",
                request="咨询养老保险补缴办法。",
            )
        with pinned_now(now() - dt.timedelta(minutes=40)):
            queue.ticket_call(actor=desk, ticket=ticket, window="1号窗口", window_org=labour)
    return 1


def _points(today: dt.date) -> int:
    east, west = _org("城关镇东村村级服务点"), _org("城关镇西村村级服务点")
    east_clerk, west_clerk = _user("dongcun"), _user("xicun")
    town, town_clerk = _org("青山县城关镇人民政府"), _user("qs_chengguan")
    category = ContentCategory.objects.filter(code="010000").first()
    town_region = Region.objects.filter(code="990121001").first()
    if None in (east, west, east_clerk, west_clerk, town, town_clerk, category, town_region):
        return 0
    assert east is not None and west is not None and east_clerk is not None and west_clerk is not None
    assert town is not None and town_clerk is not None and town_region is not None
    made = 0
    day = today - dt.timedelta(days=12)
    with pinned_now(_at(day, 9)):
        talk = grassroots.talk_register(
            actor=east_clerk,
            point=east,
            name="田富贵",
            phone="13600001234",
            headcount=2,
            category=category,
            subject="宅基地边界纠纷",
            content="与邻居因宅基地边界围墙发生争执，请求村里调解。",
        )
    with pinned_now(_at(day, 10)):
        mediation = grassroots.mediation_start(
            actor=east_clerk,
            talk=talk,
            parties="田富贵、田有才",
            mediator="何网格员、村调委会主任",
            started_on=day,
        )
    with pinned_now(_at(day + dt.timedelta(days=2), 16)):
        grassroots.mediation_conclude(
            actor=east_clerk,
            mediation=mediation,
            outcome="agreed",
            agreement="以原村规划图为准重新划定边界，围墙后移三十厘米，费用双方各半。",
            concluded_on=day + dt.timedelta(days=2),
            follow_up_on=day + dt.timedelta(days=9),
        )
    with pinned_now(_at(day + dt.timedelta(days=3), 10)):
        grassroots.talk_resolve(
            actor=east_clerk,
            talk=talk,
            resolution="双方达成调解协议并签字，围墙已按协议后移。",
            confirmation="当事人签字确认",
        )
    with pinned_now(_at(day + dt.timedelta(days=9), 15)):
        grassroots.mediation_follow_up(
            actor=east_clerk, mediation=mediation, note="回访：协议已履行，双方无异议。"
        )
    made += 1
    with pinned_now(_at(today - dt.timedelta(days=2), 9)):
        grassroots.talk_register(
            actor=east_clerk,
            point=east,
            name="苏红",
            subject="村道路灯损坏",
            content="村东主干道路灯损坏多日，夜间出行不便。",
        )
    made += 1

    day = today - dt.timedelta(days=10)
    with pinned_now(_at(day, 9)):
        talk = grassroots.talk_register(
            actor=west_clerk,
            point=west,
            name="江海",
            phone="13600005678",
            headcount=3,
            category=category,
            subject="土地流转租金拖欠",
            content="村集体土地流转给合作社，租金拖欠两年未付，请求处理。",
        )
    with pinned_now(_at(day, 11)):
        mediation = grassroots.mediation_start(
            actor=west_clerk,
            talk=talk,
            parties="江海等三户、某农业合作社",
            mediator="吕网格员",
            started_on=day,
        )
    with pinned_now(_at(day + dt.timedelta(days=3), 16)):
        grassroots.mediation_conclude(
            actor=west_clerk, mediation=mediation, outcome="failed", concluded_on=day + dt.timedelta(days=3)
        )
    with pinned_now(_at(day + dt.timedelta(days=4), 9)):
        grassroots.talk_escalate(
            actor=west_clerk, talk=talk, to_org=town, reason="调解不成，涉及合同履行，需镇政府协调处理。"
        )
    with pinned_now(_at(day + dt.timedelta(days=4), 14)):
        grassroots.talk_register_case(
            actor=town_clerk,
            talk=talk,
            nature="appeal",
            category=category,
            subject="土地流转租金拖欠两年",
            content="西村江海等三户反映合作社拖欠土地流转租金两年，村级调解不成，上报镇政府。",
            problem_region=town_region,
        )
    made += 1
    return made
