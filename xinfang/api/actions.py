"""One POST endpoint per workflow action; each calls its service and returns the case detail.

Every endpoint first finds the case through the access policy (404 otherwise), resolves the ids
in the body, then calls exactly one function of `xinfang.cases.services`, which checks the
transition, the actor's role and the input, and records the event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.presenters import ACTION_PATHS, case_detail_out
from xinfang.api.schemas import (
    AssignIn,
    AssistingIn,
    CaseOut,
    DecisionIn,
    DeclineIn,
    DeliverIn,
    ExtensionRequestIn,
    ForwardIn,
    HearingEndIn,
    Id,
    InstructIn,
    InstructionReportIn,
    LinkIn,
    NoteIn,
    RateIn,
    ReasonsIn,
    RefuseAgainIn,
    ReplyIn,
    RereviewRequestIn,
    ReturnIn,
    ReviewRequestIn,
    SendForInstructionIn,
    TerminateIn,
)
from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.selectors import case_detail
from xinfang.cases.vocabulary import Action
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import User
from xinfang.reception.models import LegalRoute
from xinfang.reception.services import routes as route_services

router = Router(tags=["actions"])
# The body of accept and hearing-start may be left out; it is an object when sent (never null).
NO_NOTE = NoteIn()

RESPONSES: dict[int, Any] = {200: CaseOut, 204: None, **ERROR_RESPONSES}
DESCRIPTION = (
    "Returns the case as it stands after the action. 204: the action was taken, but the case is "
    "no longer visible to you. 409: the action is not allowed in the case's current state."
)


def _act(request: HttpRequest, case_id: int, action: Callable[[User, Case], Any]) -> Any:
    user = current_user(request)
    action(user, lookups.visible_case(user, case_id))
    case = case_detail(user, case_id)
    return Status(204, None) if case is None else case_detail_out(user, case)


def _post(action: Action) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The endpoint of `action`: its path (presenters.ACTION_PATHS) and its label as the summary."""
    return router.post(
        f"/cases/{{case_id}}/{ACTION_PATHS[action]}",
        response=RESPONSES,
        summary=action.label,
        description=DESCRIPTION,
    )


def _reply(payload: ReplyIn) -> services.ReplyInput:
    return services.ReplyInput(**payload.model_dump())


@_post(Action.FORWARD)
def forward(request: HttpRequest, case_id: Id, payload: ForwardIn) -> Any:
    def run(user: User, case: Case) -> Case:
        return services.case_forward(
            actor=user,
            case=case,
            to_org=lookups.org(payload.to_org_id, field="to_org_id"),
            assisting=[lookups.org(pk, field="assisting_ids") for pk in payload.assisting_ids],
            note=payload.note,
        )

    return _act(request, case_id, run)


@_post(Action.ASSIGN)
def assign(request: HttpRequest, case_id: Id, payload: AssignIn) -> Any:
    def run(user: User, case: Case) -> Case:
        return services.case_assign(
            actor=user,
            case=case,
            to_org=lookups.org(payload.to_org_id, field="to_org_id"),
            report_due=payload.report_due,
            assisting=[lookups.org(pk, field="assisting_ids") for pk in payload.assisting_ids],
            note=payload.note,
        )

    return _act(request, case_id, run)


@_post(Action.ANSWER)
def answer(request: HttpRequest, case_id: Id, payload: ReplyIn) -> Any:
    return _act(request, case_id, lambda u, c: services.case_answer(actor=u, case=c, reply=_reply(payload)))


@_post(Action.DECLINE)
def decline(request: HttpRequest, case_id: Id, payload: DeclineIn) -> Any:
    # Through 导入法定途径, so the route taken is counted (xinfang.reception, 第三十一条).
    def run(user: User, case: Case) -> Case:
        route = None
        if payload.route_id is not None:
            route = LegalRoute.objects.filter(pk=payload.route_id).first()
            if route is None:
                raise ServiceError(f"法定途径 {payload.route_id} 不在法定途径清单中。", field="route_id")
        try:
            return route_services.legal_route_decline(
                actor=user,
                case=case,
                reasons=payload.reasons,
                route=route,
                legal_channel=payload.legal_channel or "",
            )
        except ServiceError as exc:
            if exc.field == "route":
                exc.field = "route_id"
            raise

    return _act(request, case_id, run)


@_post(Action.REFUSE_AGAIN)
def refuse_again(request: HttpRequest, case_id: Id, payload: RefuseAgainIn) -> Any:
    def run(user: User, case: Case) -> Case:
        earlier = lookups.referenced_case(user, payload.earlier_id, field="earlier_id")
        return services.case_refuse_again(actor=user, case=case, earlier=earlier, reasons=payload.reasons)

    return _act(request, case_id, run)


@_post(Action.ACCEPT)
def accept(request: HttpRequest, case_id: Id, payload: NoteIn = NO_NOTE) -> Any:
    note = payload.note
    return _act(request, case_id, lambda u, c: services.case_accept(actor=u, case=c, note=note))


@_post(Action.OBJECT)
def object_(request: HttpRequest, case_id: Id, payload: ReasonsIn) -> Any:
    return _act(request, case_id, lambda u, c: services.case_object(actor=u, case=c, reasons=payload.reasons))


@_post(Action.HEARING_START)
def hearing_start(request: HttpRequest, case_id: Id, payload: NoteIn = NO_NOTE) -> Any:
    note = payload.note
    return _act(request, case_id, lambda u, c: services.case_hearing_start(actor=u, case=c, note=note))


@_post(Action.HEARING_END)
def hearing_end(request: HttpRequest, case_id: Id, payload: HearingEndIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_hearing_end(actor=u, case=c, conclusion=payload.conclusion),
    )


@_post(Action.REQUEST_EXTENSION)
def request_extension(request: HttpRequest, case_id: Id, payload: ExtensionRequestIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_request_extension(
            actor=u, case=c, days=payload.days, reason=payload.reason
        ),
    )


@_post(Action.APPROVE_EXTENSION)
def approve_extension(request: HttpRequest, case_id: Id, payload: NoteIn = NO_NOTE) -> Any:
    return _act(
        request, case_id, lambda u, c: services.case_approve_extension(actor=u, case=c, note=payload.note)
    )


@_post(Action.RETURN_EXTENSION)
def return_extension(request: HttpRequest, case_id: Id, payload: ReturnIn) -> Any:
    return _act(
        request, case_id, lambda u, c: services.case_return_extension(actor=u, case=c, reason=payload.reason)
    )


@_post(Action.SUBMIT_REPLY_FOR_APPROVAL)
def submit_reply_for_approval(request: HttpRequest, case_id: Id, payload: ReplyIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_submit_reply_for_approval(actor=u, case=c, reply=_reply(payload)),
    )


@_post(Action.APPROVE_REPLY)
def approve_reply(request: HttpRequest, case_id: Id, payload: NoteIn = NO_NOTE) -> Any:
    return _act(
        request, case_id, lambda u, c: services.case_approve_reply(actor=u, case=c, note=payload.note)
    )


@_post(Action.RETURN_REPLY)
def return_reply(request: HttpRequest, case_id: Id, payload: ReturnIn) -> Any:
    return _act(
        request, case_id, lambda u, c: services.case_return_reply(actor=u, case=c, reason=payload.reason)
    )


@_post(Action.REPLY)
def reply(request: HttpRequest, case_id: Id, payload: ReplyIn) -> Any:
    def run(user: User, case: Case) -> Case:
        services.refuse_direct_issue(case, Action.REPLY, user)
        return services.case_reply(actor=user, case=case, reply=_reply(payload))

    return _act(request, case_id, run)


@_post(Action.DELIVER)
def deliver(request: HttpRequest, case_id: Id, payload: DeliverIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_deliver(
            actor=u,
            case=c,
            method=payload.method,
            delivered_on=payload.delivered_on,
            tracking_number=payload.tracking_number,
        ),
    )


@_post(Action.RATE)
def rate(request: HttpRequest, case_id: Id, payload: RateIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_rate(
            actor=u, case=c, track=payload.track, value=payload.value, reason=payload.reason
        ),
    )


@_post(Action.REVIEW_REQUEST)
def review_request(request: HttpRequest, case_id: Id, payload: ReviewRequestIn) -> Any:
    def run(user: User, case: Case) -> Case:
        target = lookups.optional_org(payload.review_org_id, field="review_org_id")
        return services.case_review_request(actor=user, case=case, reasons=payload.reasons, review_org=target)

    return _act(request, case_id, run)


@_post(Action.REVIEW_DECIDE)
def review_decide(request: HttpRequest, case_id: Id, payload: DecisionIn) -> Any:
    def run(user: User, case: Case) -> Case:
        services.refuse_direct_issue(case, Action.REVIEW_DECIDE, user)
        return services.case_review_decide(
            actor=user, case=case, outcome=payload.outcome, opinion=payload.opinion
        )

    return _act(request, case_id, run)


@_post(Action.SUBMIT_OPINION_FOR_APPROVAL)
def submit_opinion_for_approval(request: HttpRequest, case_id: Id, payload: DecisionIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_submit_opinion_for_approval(
            actor=u, case=c, outcome=payload.outcome, opinion=payload.opinion
        ),
    )


@_post(Action.APPROVE_OPINION)
def approve_opinion(request: HttpRequest, case_id: Id, payload: NoteIn = NO_NOTE) -> Any:
    return _act(
        request, case_id, lambda u, c: services.case_approve_opinion(actor=u, case=c, note=payload.note)
    )


@_post(Action.RETURN_OPINION)
def return_opinion(request: HttpRequest, case_id: Id, payload: ReturnIn) -> Any:
    return _act(
        request, case_id, lambda u, c: services.case_return_opinion(actor=u, case=c, reason=payload.reason)
    )


@_post(Action.REREVIEW_REQUEST)
def rereview_request(request: HttpRequest, case_id: Id, payload: RereviewRequestIn) -> Any:
    def run(user: User, case: Case) -> Case:
        target = lookups.optional_org(payload.rereview_org_id, field="rereview_org_id")
        return services.case_rereview_request(
            actor=user, case=case, reasons=payload.reasons, rereview_org=target
        )

    return _act(request, case_id, run)


@_post(Action.REREVIEW_DECIDE)
def rereview_decide(request: HttpRequest, case_id: Id, payload: DecisionIn) -> Any:
    def run(user: User, case: Case) -> Case:
        services.refuse_direct_issue(case, Action.REREVIEW_DECIDE, user)
        return services.case_rereview_decide(
            actor=user, case=case, outcome=payload.outcome, opinion=payload.opinion
        )

    return _act(request, case_id, run)


@_post(Action.TERMINATE)
def terminate(request: HttpRequest, case_id: Id, payload: TerminateIn) -> Any:
    return _act(
        request, case_id, lambda u, c: services.case_terminate(actor=u, case=c, reason=payload.reason)
    )


@_post(Action.ADD_ASSISTING)
def assisting_units(request: HttpRequest, case_id: Id, payload: AssistingIn) -> Any:
    def run(user: User, case: Case) -> Case:
        return services.case_add_assisting(
            actor=user, case=case, org=lookups.org(payload.org_id, field="org_id")
        )

    return _act(request, case_id, run)


@_post(Action.LINK)
def link(request: HttpRequest, case_id: Id, payload: LinkIn) -> Any:
    def run(user: User, case: Case) -> Case:
        target = lookups.referenced_case(user, payload.target_id, field="target_id")
        return services.case_link(actor=user, case=case, target=target, kind=payload.kind)

    return _act(request, case_id, run)


@_post(Action.SEND_FOR_INSTRUCTION)
def send_for_instruction(request: HttpRequest, case_id: Id, payload: SendForInstructionIn) -> Any:
    def run(user: User, case: Case) -> Case:
        leader = lookups.staff_user(payload.leader_id, field="leader_id")
        return services.case_send_for_instruction(actor=user, case=case, leader=leader, note=payload.note)

    return _act(request, case_id, run)


@_post(Action.INSTRUCT)
def instruct(request: HttpRequest, case_id: Id, payload: InstructIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_instruct(actor=u, case=c, text=payload.text, due_on=payload.due_on),
    )


@_post(Action.REPORT_ON_INSTRUCTION)
def report_on_instruction(request: HttpRequest, case_id: Id, payload: InstructionReportIn) -> Any:
    return _act(
        request,
        case_id,
        lambda u, c: services.case_report_on_instruction(
            actor=u, case=c, instruction=payload.instruction, text=payload.text
        ),
    )
