"""The leaders' work in the demo, entered through the leadership services with ``pinned_now``:
陈副市长's reception days (one held three weeks ago with a visitor registered there and a case
brought again, two coming and published on the portal, a county leader's too), 包案 (one 化解中 with
progress notes, one 已化解 with the petitioner's rating), a backlog campaign of six cases handed
down from above (one resolved, two on their way, one past its plan date), a hearing concluded and
published, a joint consultation with its tasks, appointments and a visit down and a 夜访 push.

Every step is dated after the last event of the cases it touches, so each case's log stays in
order. Runs once: nothing is added where reception days already exist.
"""

from __future__ import annotations

import datetime as dt

from xinfang.cases.models import Case, ContentCategory, Status
from xinfang.cases.services import PetitionerInput
from xinfang.core.timeutil import LOCAL_TZ, now, pinned_now
from xinfang.leadership.models import CampaignSource, HearingOrigin, ParticipantRole, ReceptionDay
from xinfang.leadership.services import campaigns, consultations, hearings, ownership, reception, visits
from xinfang.orgs.models import Org, Region, Role, User


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LOCAL_TZ)


def _quiet_cases(org_name: str, before: dt.datetime, count: int) -> list[Case]:
    """Open cases registered by ``org_name`` whose last step was before ``before``."""
    return list(
        Case.objects.filter(
            registered_org__name=org_name,
            status__in=[Status.ROUTED, Status.ACCEPTED, Status.REPLIED, Status.DELIVERED],
            updated_at__lt=before,
            ownerships__isnull=True,
        ).order_by("-updated_at", "pk")[:count]
    )


def leaders_work() -> dict[str, int]:
    """Every mechanism of the leaders' work for the demo leaders; returns what was made."""
    made = {"reception_days": 0, "ownerships": 0}
    made.update(_reception_and_ownership())
    made["campaigns"] = _campaign()
    made["hearings"] = _hearing()
    made["consultations"] = _consultation()
    made["visits"] = _visits()
    return made


def _reception_and_ownership() -> dict[str, int]:
    made = {"reception_days": 0, "ownerships": 0}
    head = User.objects.filter(username="juzhang").first()
    leader = User.objects.filter(username="fushizhang").first()
    county_head = User.objects.filter(username="qs_juzhang").first()
    county_leader = User.objects.filter(username="qs_xianzhang").first()
    bureau = Org.objects.filter(name="示例市信访局").first()
    city_gov = Org.objects.filter(name="示例市人民政府").first()
    if None in (head, leader, bureau, city_gov) or ReceptionDay.objects.exists():
        return made
    assert head is not None and leader is not None and bureau is not None and city_gov is not None
    moment = now()
    today = moment.astimezone(LOCAL_TZ).date()
    held_on = today - dt.timedelta(days=21)
    while held_on.weekday() >= 5:  # a working day
        held_on -= dt.timedelta(days=1)
    start = _at(held_on, 9)
    earlier = _quiet_cases("示例市信访局", start - dt.timedelta(hours=1), 4)
    with pinned_now(start - dt.timedelta(days=10)):
        day = reception.reception_day_schedule(
            actor=head,
            org=bureau,
            leader=leader,
            leader_org=city_gov,
            leader_title="副市长",
            starts_at=start,
            ends_at=_at(held_on, 12),
            place="示例市群众来访接待中心一楼接待室",
            topics="住房保障、物业管理",
        )
    made["reception_days"] += 1
    category = ContentCategory.objects.filter(code="030100").first()
    region = Region.objects.filter(code="990121").first()
    if category is not None and region is not None:
        with pinned_now(start + dt.timedelta(minutes=20)):
            reception.reception_register_visit(
                actor=head,
                day=day,
                outcome="assigned",
                note="请市住建局一周内到现场核查，两周内答复信访人。",
                registration={
                    "nature": "appeal",
                    "category": category,
                    "subject": "回迁安置房延期交付",
                    "content": "征收协议约定2025年底交付回迁安置房，至今未交付，也无人说明原因，请求领导督促。",
                    "problem_region": region,
                    "headcount": 2,
                    "petitioners": [
                        PetitionerInput(name="钱晓梅", phone="13700137001", is_representative=True),
                        PetitionerInput(name="钱国强", phone="13700137002"),
                    ],
                },
            )
    owned_case = earlier[0] if earlier else None
    if owned_case is not None:
        with pinned_now(start + dt.timedelta(minutes=50)):
            reception.reception_receive_case(
                actor=head,
                day=day,
                case=owned_case,
                outcome="explained",
                headcount=1,
                note="问题较复杂，由本人包案，一个月内拿出化解方案。",
            )
    with pinned_now(_at(held_on, 12, 10)):
        reception.reception_day_close(
            actor=head, day=day, summary="共接待来访群众2批3人次，当场交办1件，包案1件。"
        )
    for days_ahead, place, topics in (
        (7, "示例市群众来访接待中心一楼接待室", "征地拆迁、劳动保障"),
        (35, "示例市信访局", ""),
    ):
        on = today + dt.timedelta(days=days_ahead)
        while on.weekday() >= 5:
            on += dt.timedelta(days=1)
        reception.reception_day_schedule(
            actor=head,
            org=bureau,
            leader=leader,
            leader_org=city_gov,
            leader_title="副市长",
            starts_at=_at(on, 9),
            ends_at=_at(on, 11, 30),
            place=place,
            topics=topics,
        )
        made["reception_days"] += 1
    county_bureau = Org.objects.filter(name="青山县信访局").first()
    county_gov = Org.objects.filter(name="青山县人民政府").first()
    if county_head and county_leader and county_bureau and county_gov:
        on = today + dt.timedelta(days=3)
        while on.weekday() >= 5:
            on += dt.timedelta(days=1)
        reception.reception_day_schedule(
            actor=county_head,
            org=county_bureau,
            leader=county_leader,
            leader_org=county_gov,
            leader_title="副县长",
            starts_at=_at(on, 14, 30),
            ends_at=_at(on, 17, 30),
            place="青山县群众来访接待大厅",
            topics="农村土地承包、工资拖欠",
        )
        made["reception_days"] += 1

    if owned_case is not None:
        taken_at = _at(held_on, 15)
        with pinned_now(taken_at):
            running = ownership.ownership_take(
                actor=leader,
                leader=leader,
                org=city_gov,
                cases=[owned_case],
                title=owned_case.subject,
                started_on=held_on,
                target_on=held_on + dt.timedelta(days=45),
                plan="一、约谈责任单位和相关企业，查清事实；二、两周内提出处理方案；三、方案落实后回访信访人。",
                leader_title="副市长",
            )
        with pinned_now(taken_at + dt.timedelta(days=6)):
            ownership.ownership_progress(
                actor=leader, ownership=running, text="已召集责任单位和企业现场协调，企业同意限期整改。"
            )
        made["ownerships"] += 1
    if len(earlier) > 1:
        second = earlier[1]
        taken_on = held_on - dt.timedelta(days=30)
        taken_at = max(_at(taken_on, 10), second.updated_at + dt.timedelta(minutes=5))
        if taken_at < start:
            with pinned_now(taken_at):
                resolved = ownership.ownership_take(
                    actor=head,
                    leader=leader,
                    org=city_gov,
                    cases=[second],
                    title=second.subject,
                    started_on=taken_at.astimezone(LOCAL_TZ).date(),
                    target_on=taken_at.astimezone(LOCAL_TZ).date() + dt.timedelta(days=30),
                    plan="督促责任单位依法依规答复，对合理诉求限期解决。",
                    leader_title="副市长",
                )
            with pinned_now(taken_at + dt.timedelta(days=9)):
                ownership.ownership_progress(
                    actor=leader, ownership=resolved, text="责任单位已拿出解决方案，信访人基本认可。"
                )
            with pinned_now(taken_at + dt.timedelta(days=18)):
                ownership.ownership_resolve(
                    actor=leader,
                    ownership=resolved,
                    resolved_on=(taken_at + dt.timedelta(days=18)).astimezone(LOCAL_TZ).date(),
                    evidence="诉求已解决，信访人签字确认并承诺息诉罢访。",
                    petitioner_confirmed=True,
                    petitioner_rating="满意",
                )
            made["ownerships"] += 1
    return made


def _people() -> dict[str, User | None]:
    names = ("juzhang", "fushizhang", "zhujian", "qs_chengguan")
    return {name: User.objects.filter(username=name).first() for name in names}


def _campaign() -> int:
    """中央第三批交办: six cases of the city, each with its unit, three with 陈副市长 as 包案 leader."""
    people = _people()
    head, leader = people["juzhang"], people["fushizhang"]
    bureau = Org.objects.filter(name="示例市信访局").first()
    if head is None or leader is None or bureau is None:
        return 0
    today = now().astimezone(LOCAL_TZ).date()
    received = today - dt.timedelta(days=40)
    cases = list(
        Case.objects.filter(
            registered_org=bureau,
            status__in=[Status.ROUTED, Status.ACCEPTED, Status.REPLIED, Status.DELIVERED],
            current_org__isnull=False,
        )
        .exclude(current_org=bureau)
        .order_by("received_on", "pk")[:6]
    )
    if len(cases) < 5:
        return 0
    campaign = campaigns.campaign_create(
        actor=head,
        org=bureau,
        name=f"{today.year}年中央第三批交办信访积案",
        source=CampaignSource.CENTRAL,
        received_on=received,
        deadline=today + dt.timedelta(days=50),
        target_rate=95,
        note="逐件明确包案领导和责任单位，制定周、月化解进度计划，定期通报进度，对账销号。",
    )
    plans = [-20, -10, -3, 10, 20, 30]
    items = campaigns.campaign_add_items(
        actor=head,
        campaign=campaign,
        items=[
            (case, case.current_org, leader if i < 3 else None, today + dt.timedelta(days=plans[i]))
            for i, case in enumerate(cases)
        ],
    )
    steps = [
        (("submitted", -30), ("applied", -25), ("resolved", -21)),
        (("submitted", -12),),
        (("submitted", -8), ("applied", -2)),
        (("submitted", -1),),
    ]
    for item, item_steps in zip(items, steps, strict=False):
        for stage, days in item_steps:
            campaigns.campaign_item_progress(
                actor=head, item=item, stage=stage, on=today + dt.timedelta(days=days), note=""
            )
    return 1


def _accepted_with_handler(before: dt.datetime) -> tuple[Case, User] | None:
    """An accepted case untouched since ``before``, held by a unit with a 承办人 (who runs the hearing)."""
    for case in (
        Case.objects.filter(status=Status.ACCEPTED, updated_at__lt=before, hearings__isnull=True)
        .select_related("current_org")
        .order_by("updated_at", "pk")[:50]
    ):
        handler = User.objects.filter(
            memberships__org=case.current_org, memberships__role=Role.HANDLER, memberships__is_active=True
        ).first()
        if handler is not None:
            return case, handler
    return None


def _hearing() -> int:
    """A hearing at the unit handling an accepted matter: applied for, decided, announced, held
    with the participants by role, concluded and published."""
    moment = now()
    found = _accepted_with_handler(moment - dt.timedelta(days=21))
    if found is None:
        return 0
    case, handler = found
    unit = case.current_org.name if case.current_org else ""
    day = moment.astimezone(LOCAL_TZ).date()
    with pinned_now(moment - dt.timedelta(days=20)):
        hearing = hearings.hearing_start(
            actor=handler,
            case=case,
            origin=HearingOrigin.APPLIED,
            applied_on=day - dt.timedelta(days=20),
            application="对处理意见认定的事实有异议，申请公开听证，请求邀请人大代表、律师参加。",
        )
    with pinned_now(moment - dt.timedelta(days=18)):
        hearing = hearings.hearing_accept(
            actor=handler,
            hearing=hearing,
            decided_on=day - dt.timedelta(days=18),
            decision="事实争议较大，同意举行听证。",
        )
    held_at = _at(day - dt.timedelta(days=8), 9, 30)
    with pinned_now(moment - dt.timedelta(days=15)):
        hearing = hearings.hearing_announce(
            actor=handler,
            hearing=hearing,
            announced_on=day - dt.timedelta(days=15),
            announcement="定于听证日在本机关第一会议室公开举行信访听证，欢迎群众旁听。",
            scheduled_at=held_at,
            venue=f"{unit}第一会议室",
        )
        for role, name, affiliation in (
            (ParticipantRole.HOST, "周主持", unit),
            (ParticipantRole.PETITIONER, "信访人本人", ""),
            (ParticipantRole.NPC_DEPUTY, "林代表", "示例市人大代表"),
            (ParticipantRole.CPPCC_MEMBER, "何委员", "示例市政协委员"),
            (ParticipantRole.LAWYER, "吴律师", "示例律师事务所"),
            (ParticipantRole.UNIT, str(handler), unit),
            (ParticipantRole.RECORDER, "李记录", unit),
        ):
            hearings.hearing_add_participant(
                actor=handler, hearing=hearing, role=role, name=name, affiliation=affiliation
            )
    with pinned_now(held_at):
        hearing = hearings.hearing_open(actor=handler, hearing=hearing, started_on=held_at.date())
        hearing = hearings.hearing_record(
            actor=handler,
            hearing=hearing,
            statement="信访人陈述诉求和理由；承办单位陈述处理经过和依据。",
            questioning="主持人和听证员分别向双方询问维修责任和保修期限。",
            debate="双方就墙体裂缝是否属于保修范围进行辩论。",
            deliberation="听证员评议认为裂缝属于主体结构问题，在保修期内。",
        )
    with pinned_now(held_at + dt.timedelta(hours=3)):
        hearing = hearings.hearing_conclude(
            actor=handler,
            hearing=hearing,
            conclusion="墙体裂缝属于保修范围，由开发商在三十日内维修，承办单位督促落实。",
            ended_on=held_at.date(),
        )
    with pinned_now(moment - dt.timedelta(days=5)):
        hearings.hearing_publish(actor=handler, hearing=hearing, published_on=day - dt.timedelta(days=5))
    return 1


def _consultation() -> int:
    """会商研判 of a 类案 at the city bureau: two cases, two units, two tasks (one done)."""
    people = _people()
    head, handler = people["juzhang"], people["zhujian"]
    bureau = Org.objects.filter(name="示例市信访局").first()
    housing = Org.objects.filter(name="示例市住房和城乡建设局").first()
    if head is None or handler is None or bureau is None or housing is None:
        return 0
    moment = now()
    cases = list(
        Case.objects.filter(
            registered_org=bureau, current_org=housing, updated_at__lt=moment - dt.timedelta(days=6)
        ).order_by("-updated_at", "pk")[:2]
    )
    if not cases:
        return 0
    day = moment.astimezone(LOCAL_TZ).date()
    others = list(Org.objects.filter(name__in=["示例市自然资源和规划局", "示例市市场监督管理局"]))
    with pinned_now(moment - dt.timedelta(days=5)):
        meeting = consultations.consultation_record(
            actor=head,
            org=bureau,
            held_on=day - dt.timedelta(days=5),
            topic="住房质量类信访事项会商研判",
            cases=cases,
            units=[housing, *others],
            chair="王局长",
            decision="由市住建局牵头，约谈开发企业，逐户核查维修情况，两周内报送进展。",
            tasks=[
                ("约谈开发企业，制定维修方案", housing, day + dt.timedelta(days=3)),
                ("逐户核查维修进度并报送", housing, day - dt.timedelta(days=1)),
            ],
        )
    task = meeting.tasks.order_by("pk").first()
    if task is not None:
        with pinned_now(moment - dt.timedelta(days=2)):
            consultations.consultation_task_complete(
                actor=handler,
                task=task,
                done_on=day - dt.timedelta(days=2),
                note="已约谈开发企业，维修方案已确定。",
            )
    return 1


def _visits() -> int:
    """约访 (one held, one planned), a visit down with the cases taken along, a 夜访 push to 城关镇."""
    people = _people()
    head, leader = people["juzhang"], people["fushizhang"]
    bureau = Org.objects.filter(name="示例市信访局").first()
    town = Org.objects.filter(name="青山县城关镇人民政府").first()
    if head is None or leader is None or bureau is None:
        return 0
    moment = now()
    day = moment.astimezone(LOCAL_TZ).date()
    old = list(
        Case.objects.filter(
            registered_org=bureau,
            status__in=[Status.ROUTED, Status.ACCEPTED, Status.REPLIED, Status.DELIVERED],
            updated_at__lt=moment - dt.timedelta(days=12),
            problem_region__code__startswith="9901",
        )
        .exclude(appointments__isnull=False)
        .order_by("-updated_at", "pk")[:6]
    )
    if len(old) < 4:
        return 0
    made = 0
    met_at = _at(day - dt.timedelta(days=9), 15)
    with pinned_now(met_at - dt.timedelta(days=2)):
        appointment = visits.appointment_schedule(
            actor=head,
            org=bureau,
            case=old[0],
            at=met_at,
            place="示例市信访局约访室",
            purpose="听取诉求，说明政策",
            leader=leader,
        )
    with pinned_now(met_at + dt.timedelta(hours=1)):
        visits.appointment_record(
            actor=head,
            appointment=appointment,
            status="held",
            outcome="已当面说明补偿政策，信访人表示理解，同意等待复核结果。",
        )
    visits.appointment_schedule(
        actor=head,
        org=bureau,
        case=old[1],
        at=_at(day + dt.timedelta(days=4), 10),
        place="示例市信访局约访室",
        purpose="当面听取意见",
        leader=leader,
    )
    made += 2
    went = day - dt.timedelta(days=11)
    with pinned_now(_at(went, 17)):
        visit = visits.field_visit_record(
            actor=head,
            org=bureau,
            leader=leader,
            on=went,
            days=1,
            place="青山县城关镇",
            cases=old[2:4],
            participants="陈副市长、市信访局王局长、青山县有关部门负责人",
            summary="带案下访，现场协调。",
        )
        for item, (resolved, text) in zip(
            visit.items.order_by("pk"),
            ((True, "现场协调，双方达成一致，就地化解。"), (False, "需进一步调查，已交县政府办理。")),
            strict=False,
        ):
            visits.field_visit_case_outcome(actor=head, item=item, resolved=resolved, outcome=text)
    made += 1
    if town is not None:
        pushable = list(
            Case.objects.filter(
                status__in=[Status.ROUTED, Status.ACCEPTED, Status.REPLIED, Status.DELIVERED],
            )
            .exclude(pk__in=[c.pk for c in old])
            .filter(current_org=town)  # the township must be able to read what it is asked to visit
            .order_by("-updated_at", "pk")[:2]
        )
        if pushable:
            visits.field_visit_push(
                actor=head, org=bureau, target_org=town, on=day, place="城关镇信访人家中", cases=pushable
            )
            made += 1
    return made
