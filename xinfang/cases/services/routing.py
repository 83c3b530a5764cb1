"""转送 / 交办 / 直接答复 / 不予受理 / 不再受理, and the unit's 受理 or 异议 (第二十二、二十三条)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q, QuerySet

from xinfang.cases.models import Case, CaseUnit, Nature, Status
from xinfang.cases.services._core import (
    BUREAU_ROLES,
    UNIT_ROLES,
    append_event,
    begin,
    project,
    require_role,
)
from xinfang.cases.services.replies import ReplyInput, reply_payload
from xinfang.cases.vocabulary import Action, EventKind
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.orgs.models import LEVEL_RANK, Org, OrgKind, User
from xinfang.orgs.permissions import holds_role
from xinfang.orgs.selectors import supervising_orgs

# What the package xinfang.cases.services re-exports.
__all__ = [
    "case_accept",
    "case_add_assisting",
    "case_answer",
    "case_assign",
    "case_decline",
    "case_forward",
    "case_object",
    "case_refuse_again",
    "in_routing_reach",
    "routing_reach",
]

# The procedures of 第三十一条 (and 第二十二条's 纪检监察) a matter is guided into. The guide of which
# matter goes where, with its legal basis and the place to go, is data (xinfang.reception.LegalRoute).
LEGAL_CHANNELS = {
    "litigation": "诉讼",
    "arbitration": "仲裁",
    "labour_arbitration": "劳动人事争议仲裁",
    "administrative_review": "行政复议",
    "party_appeal": "党员申诉",
    "administrative_ruling": "行政裁决、确认、许可、处罚",
    "procuratorate_or_police": "检察、公安程序",
    "discipline": "纪检监察",
    "other": "其他法定途径",
}


def _is_within(org: Org, other: Org | None) -> bool:
    """Whether `org` is `other` or sits below it in the tree of superiors."""
    return other is not None and org.path.startswith(other.path)


def _check_target(case: Case, to_org: Org, *, field: str) -> None:
    if not to_org.is_active:
        raise ServiceError(f"机构“{to_org.name}”已停用。", field=field)
    if to_org.pk == case.current_org_id:
        raise ServiceError("不能转交给本机构自己。", field=field)
    if case.nature == Nature.ACCUSATION and _is_within(to_org, case.accused_org):
        # 第三十条: accusation material is never passed to the accused.
        raise ServiceError("检举控告事项不得转交被反映单位或其下属单位办理。", field=field)


def _reach_anchor(bureau: Org) -> Org:
    """The organ whose subtree a bureau routes within: its government, for a government-side bureau."""
    parent = bureau.parent
    return parent if parent is not None and parent.kind == OrgKind.PARTY_GOVERNMENT else bureau


def _reach_q(bureau: Org) -> Q:
    anchor = _reach_anchor(bureau)
    # Down the ladder: everything below the bureau, or below its government (the government's own
    # departments, the governments of the levels below with their bureaus, departments, townships).
    below = Q(path__startswith=anchor.path) & ~Q(pk=anchor.pk)
    # Organs kept outside the government tree (no superior recorded, e.g. a 纪委监委) of the
    # anchor's region or a region below it: the matter may be theirs (第二十二、三十条).
    beside = Q(parent__isnull=True, region__path__startswith=anchor.region.path)
    return (below | beside) & ~Q(pk=bureau.pk)


def routing_reach(bureau: Org) -> QuerySet[Org]:
    """The active organs a bureau may 转送 / 交办 to, or name as 协办 (docs/case-workflow.md, 交转范围).

    Never an organ above it, nor one outside its own tree: a county bureau reaches its county's
    departments and townships, not another county's; the city bureau not 国家信访局.
    """
    return Org.objects.filter(_reach_q(bureau), is_active=True)


def in_routing_reach(bureau: Org, org: Org) -> bool:
    return routing_reach(bureau).filter(pk=org.pk).exists()


def _check_reach(bureau: Org, to_org: Org, *, field: str, label: str) -> None:
    if in_routing_reach(bureau, to_org):
        return
    above = LEVEL_RANK.get(to_org.level, 99) < LEVEL_RANK.get(bureau.level, 99)
    if above or bureau.path.startswith(to_org.path) or _is_within(_reach_anchor(bureau), to_org):
        raise ServiceError(
            f"{label}：“{to_org.name}”是上级机关，“{bureau.name}”不能向上级机关转送、交办；"
            "确需上级机关处理的，请另行报告。",
            field=field,
        )
    raise ServiceError(
        f"{label}：“{to_org.name}”不在“{bureau.name}”的交转范围内。信访部门只能转送、交办本级人民政府"
        "的部门和下级机关、单位（第二十二条）。",
        field=field,
    )


def _route(
    case: Case,
    *,
    actor: User,
    action: Action,
    to_org: Org,
    assisting: Sequence[Org],
    payload: dict[str, object],
) -> Case:
    # The kind of the organ holding the case first, then the actor's role there: a department
    # that holds a routed case is told what it may do instead, whoever asks.
    case, status = begin(case, action)
    bureau = case.current_org
    onward = case.status == Status.ROUTED  # received from the bureau above, handed on down
    if not bureau.is_petition_bureau:
        if onward:
            raise ServiceError(
                f"本件现由“{bureau.name}”办理，它不是信访部门，不能转送、交办：属于其职责的应当受理，"
                "不属于的应在五个工作日内异议退回（第二十三条）。",
                field="to_org",
            )
        raise ServiceError("只有信访部门可以转送、交办；本机关登记的事项请直接受理或告知。", field="to_org")
    require_role(actor, bureau, BUREAU_ROLES, action)
    _check_target(case, to_org, field="to_org")
    _check_reach(bureau, to_org, field="to_org", label="转送至" if action == Action.FORWARD else "交办至")
    for org in assisting:
        _check_target(case, org, field="assisting")
        _check_reach(bureau, org, field="assisting", label="协办单位")
    # Kept in the event for the clocks (xinfang.cases.clocks.clock_events): a bureau that receives
    # the case must route it in its turn, and an onward hop restarts the receiving unit's clocks.
    payload = {**payload, "to_bureau": to_org.is_petition_bureau, **({"onward": True} if onward else {})}
    return _hand_on(
        case, status=status, actor=actor, action=action, to_org=to_org, assisting=assisting, payload=payload
    )


def _hand_on(
    case: Case,
    *,
    status: str,
    actor: User,
    action: Action,
    to_org: Org,
    assisting: Sequence[Org],
    payload: dict[str, object],
) -> Case:
    """Move a locked, checked case to `to_org` as lead unit, with one event."""
    moment = now()
    case.units.filter(is_active=True).update(is_active=False)
    CaseUnit.objects.create(case=case, org=to_org, role=CaseUnit.Role.LEAD, since=moment)
    for org in assisting:
        CaseUnit.objects.create(case=case, org=org, role=CaseUnit.Role.ASSIST, since=moment)
    bureau = case.current_org
    case.current_org = to_org
    append_event(
        case,
        kind=EventKind.FORWARDED if action == Action.FORWARD else EventKind.ASSIGNED,
        actor=actor,
        org=bureau,
        payload={
            "to_org": to_org.pk,
            "to_org_name": to_org.name,
            "assisting": [{"id": o.pk, "name": o.name} for o in assisting],
            **payload,
        },
    )
    project(case, status=status, fields=["current_org"])
    return case


def accuses_registering_org(*, org: Org, nature: str, accused_org: Org | None) -> bool:
    """An accusation against the very organ registering it: nobody there may see it (第三十条)."""
    return nature == Nature.ACCUSATION and accused_org is not None and accused_org.pk == org.pk


def check_forward_at_registration(
    *, org: Org, nature: str, accused_org: Org | None, forward_to: Org | None
) -> None:
    """The destination named at registration, checked before anything is written.

    An accusation against the registering organ must be handed on in the same step: once registered
    its staff can no longer see it, so nobody could route it later. It goes to an organ with authority
    over the accused organ (its superiors, or a 纪检监察 organ of its region or above: 第二十二、
    三十条). Any other matter is routed after registration, by the usual steps.
    """
    field = "forward_to"
    against_itself = accuses_registering_org(org=org, nature=nature, accused_org=accused_org)
    if forward_to is not None and not against_itself:
        raise ServiceError(
            "只有被反映单位是登记机关本身的检举控告才在登记时转送；其他事项请登记后再转送或交办。",
            field=field,
        )
    if accused_org is None or not against_itself:
        return
    competent = supervising_orgs(accused_org)
    if forward_to is None:
        names = "、".join(o.name for o in competent[:5]) or "（未设置，请联系系统管理员）"
        raise ServiceError(
            f"该检举控告反映的是登记机关“{org.name}”本身，不能由本机关办理，也不能转交本机关"
            f"（第三十条）：请选择转送机关（其上级机关或纪检监察机关，如：{names}），登记时一并转送。",
            field=field,
        )
    if forward_to.pk == accused_org.pk or _is_within(forward_to, accused_org):
        raise ServiceError("检举控告事项不得转交被反映单位或其下属单位办理。", field=field)
    if not forward_to.is_active:
        raise ServiceError(f"机构“{forward_to.name}”已停用。", field=field)
    if not competent.filter(pk=forward_to.pk).exists():
        raise ServiceError(
            f"“{forward_to.name}”无权办理反映“{accused_org.name}”的检举控告：请选择其上级机关"
            "或本级、上级纪检监察机关。",
            field=field,
        )


def forward_at_registration(case: Case, *, actor: User, to_org: Org) -> Case:
    """转送, within the registration's transaction, a matter checked by `check_forward_at_registration`.

    The registration is the authority: the registering organ need not be a petition bureau, since
    any organ that registers a matter says where it went (第二十三条).
    """
    locked, status = begin(case, Action.FORWARD)
    _check_target(locked, to_org, field="forward_to")
    return _hand_on(
        locked,
        status=status,
        actor=actor,
        action=Action.FORWARD,
        to_org=to_org,
        assisting=(),
        payload={"note": "", "at_registration": True, "reason": "accused_is_registering_org"},
    )


@transaction.atomic
def case_forward(
    *, actor: User, case: Case, to_org: Org, assisting: Sequence[Org] = (), note: str = ""
) -> Case:
    """转送 to the organ with authority (第二十二条)."""
    return _route(
        case,
        actor=actor,
        action=Action.FORWARD,
        to_org=to_org,
        assisting=assisting,
        payload={"note": optional_text(note)},
    )


@transaction.atomic
def case_assign(
    *,
    actor: User,
    case: Case,
    to_org: Org,
    report_due: dt.date,
    assisting: Sequence[Org] = (),
    note: str = "",
) -> Case:
    """交办 an important matter, demanding a completion report (办结报告) by `report_due` (第二十二条)."""
    if report_due <= local_date():
        raise ServiceError("办结报告期限应晚于今天。", field="report_due")
    return _route(
        case,
        actor=actor,
        action=Action.ASSIGN,
        to_org=to_org,
        assisting=assisting,
        payload={"report_due": report_due.isoformat(), "note": optional_text(note)},
    )


@transaction.atomic
def case_answer(*, actor: User, case: Case, reply: ReplyInput) -> Case:
    """The registering organ answers the matter itself with a written reply."""
    locked, status = begin(case, Action.ANSWER, actor=actor, roles=BUREAU_ROLES)
    append_event(
        locked, kind=EventKind.ANSWERED, actor=actor, org=locked.current_org, payload=reply_payload(reply)
    )
    project(locked, status=status)
    return locked


@transaction.atomic
def case_decline(
    *,
    actor: User,
    case: Case,
    legal_channel: str,
    reasons: str,
    route_name: str = "",
    legal_basis: str = "",
    where_to_go: str = "",
) -> Case:
    """不予受理 / 导入法定途径: the matter belongs to a legal procedure; tell the petitioner which
    (第三十一条). `route_name`, `legal_basis` and `where_to_go` (from the legal-route guide) name the
    route in the 告知书: "劳动人事争议仲裁", the law that sets it, and the organ to go to."""
    locked, status = begin(case, Action.DECLINE, actor=actor, roles=BUREAU_ROLES)
    if legal_channel not in LEGAL_CHANNELS:
        raise ServiceError(
            f"法定途径“{legal_channel}”无效，可选：{'、'.join(LEGAL_CHANNELS.values())}。",
            field="legal_channel",
        )
    reasons = required_text(reasons, field="reasons", label="不予受理理由")
    route = {
        name: text
        for name, text in (
            ("route_name", optional_text(route_name)),
            ("legal_basis", optional_text(legal_basis)),
            ("where_to_go", optional_text(where_to_go)),
        )
        if text
    }
    event = append_event(
        locked,
        kind=EventKind.DECLINED,
        actor=actor,
        org=locked.current_org,
        payload={
            "legal_channel": legal_channel,
            "legal_channel_name": route.get("route_name") or LEGAL_CHANNELS[legal_channel],
            "reasons": reasons,
            **route,
        },
    )
    locked.closed_at = event.at  # concluded when the event says so (the replay agrees)
    project(locked, status=status, fields=["closed_at"])
    return locked


@transaction.atomic
def case_refuse_again(*, actor: User, case: Case, earlier: Case, reasons: str) -> Case:
    """不再受理: the same facts and reasons as a matter already concluded by 复核 (第三十六条)."""
    locked, status = begin(case, Action.REFUSE_AGAIN, actor=actor, roles=BUREAU_ROLES)
    if earlier.pk == locked.pk:
        raise ServiceError("不能引用本件作为已终结事项。", field="earlier")
    from xinfang.cases.selectors import case_visible

    earlier = case_visible(actor, earlier.pk).first()  # fresh, and within the policy
    if earlier is None:
        raise ServiceError("找不到该已终结信访件，或您无权查看。", field="earlier")
    if (
        earlier.status != Status.TERMINATED
        or not earlier.events.filter(kind=EventKind.REREVIEW_DECIDED).exists()
    ):
        raise ServiceError(f"信访件 {earlier.number} 尚未经复核终结，不能据此不再受理。", field="earlier")
    reasons = required_text(reasons, field="reasons", label="不再受理理由")
    locked.repeat_of = earlier
    event = append_event(
        locked,
        kind=EventKind.REFUSED_AGAIN,
        actor=actor,
        org=locked.current_org,
        payload={"earlier": earlier.pk, "earlier_number": earlier.number, "reasons": reasons},
    )
    locked.closed_at = event.at  # concluded when the event says so (the replay agrees)
    project(locked, status=status, fields=["repeat_of", "closed_at"])
    return locked


@transaction.atomic
def case_accept(*, actor: User, case: Case, note: str = "") -> Case:
    """受理: the unit takes the matter and notifies the petitioner within 15 days (第二十三条)."""
    locked, status = begin(case, Action.ACCEPT, actor=actor, roles=UNIT_ROLES)
    append_event(
        locked,
        kind=EventKind.ACCEPTED,
        actor=actor,
        org=locked.current_org,
        payload={"note": optional_text(note)},
    )
    project(locked, status=status)
    return locked


@transaction.atomic
def case_object(*, actor: User, case: Case, reasons: str) -> Case:
    """异议: not this unit's remit; back to the bureau that routed it, within 5 working days (第二十三条)."""
    locked, status = begin(case, Action.OBJECT, actor=actor, roles=UNIT_ROLES)
    reasons = required_text(reasons, field="reasons", label="异议理由")
    routed = locked.events.filter(kind__in=[EventKind.FORWARDED, EventKind.ASSIGNED]).order_by("-seq").first()
    if routed is None or routed.org is None:
        raise ServiceError("找不到转交本件的信访部门。", field="case")
    if locked.nature == Nature.ACCUSATION and _is_within(routed.org, locked.accused_org):
        # It was handed on by the accused organ itself (at registration): never back there (第三十条).
        raise ServiceError(
            "本检举控告由被反映单位登记并转出，不能退回；如不属本机关职责，请报请上级机关或纪检监察机关处理。",
            field="case",
        )
    unit = locked.current_org
    locked.units.filter(is_active=True).update(is_active=False)
    CaseUnit.objects.create(case=locked, org=routed.org, role=CaseUnit.Role.LEAD, since=now())
    locked.current_org = routed.org
    append_event(
        locked,
        kind=EventKind.OBJECTED,
        actor=actor,
        org=unit,
        payload={"reasons": reasons, "returned_to": routed.org.pk},
    )
    project(locked, status=status, fields=["current_org"])
    return locked


@transaction.atomic
def case_add_assisting(*, actor: User, case: Case, org: Org) -> Case:
    """Joint handling: an assisting unit (协办); the lead unit still gives the one reply."""
    locked, _ = begin(case, Action.ADD_ASSISTING)
    lead = locked.current_org
    routing_bureau = (
        locked.events.filter(kind__in=[EventKind.FORWARDED, EventKind.ASSIGNED]).order_by("-seq").first()
    )
    allowed = [lead] + ([routing_bureau.org] if routing_bureau and routing_bureau.org else [])
    if locked.nature == Nature.ACCUSATION:
        allowed = [o for o in allowed if not _is_within(o, locked.accused_org)]  # 第三十条
    if not any(holds_role(actor, o, [*UNIT_ROLES, *BUREAU_ROLES]) for o in allowed):
        require_role(actor, lead, UNIT_ROLES, Action.ADD_ASSISTING)
    _check_target(locked, org, field="org")
    if locked.units.filter(org=org, is_active=True).exists():
        raise ServiceError(f"“{org.name}”已在办理单位中。", field="org")
    CaseUnit.objects.create(case=locked, org=org, role=CaseUnit.Role.ASSIST, since=now())
    append_event(
        locked,
        kind=EventKind.ASSISTING_ADDED,
        actor=actor,
        org=lead,
        payload={"org": org.pk, "org_name": org.name},
    )
    project(locked)
    return locked
