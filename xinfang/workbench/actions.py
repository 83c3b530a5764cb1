"""Staff pages that change cases: registering a matter and taking one workflow action.

Every page finds the case through the access policy (404 otherwise) and calls exactly one
function of `xinfang.cases.services`; a `ServiceError` is shown on the form next to its field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from xinfang.cases import services
from xinfang.cases.clocks import case_clocks
from xinfang.cases.models import Case, Channel, InstructionState
from xinfang.cases.presentation import CLOCK_LABELS, CLOCK_STATE_LABELS
from xinfang.cases.selectors import (
    APPROVAL_STEPS,
    PendingApproval,
    approval_steps_not_offered,
    case_detail,
    case_events,
    pending_requests,
)
from xinfang.cases.services._core import BUREAU_ROLES, DECIDING_ROLES, UNIT_ROLES
from xinfang.cases.services.hearings import HEARING_ROLES
from xinfang.cases.transitions import (
    ACTION_LABELS,
    BOOKKEEPING,
    Action,
    TransitionRefused,
    allowed_actions,
)
from xinfang.cases.vocabulary import ACTIONS, BUREAU_ONLY, INSTRUCTION_ACTIONS, Taker
from xinfang.core.errors import ServiceError
from xinfang.leadership.models import ReceptionDay
from xinfang.orgs.models import Role, User
from xinfang.orgs.selectors import user_memberships
from xinfang.workbench.cases import matter_context, staff_required
from xinfang.workbench.forms_actions import ACTION_FORMS
from xinfang.workbench.forms_cases import (
    VISIBLE_ROWS,
    PetitionerFormSet,
    RegistrationForm,
    apply_service_error,
    petitioner_inputs,
    representative_problem,
)
from xinfang.workbench.leadership_reception import (
    VisitOutcomeForm,
    reception_day_for_registration,
    register_at_reception,
)
from xinfang.workbench.text_checks import reply_quality_for, silence_errors, similar_for_form

# Who sees the "登记信访事项" entry in the navigation: the reception desk and its head.
RECEPTION_ROLES = (Role.REGISTRAR, Role.BUREAU_HEAD)


def can_register(user: User) -> bool:
    if not user.is_authenticated or user.is_citizen:
        return False
    return user_memberships(user).filter(role__in=RECEPTION_ROLES).exists()


# Who takes each step, as the service checks it: the roles and the organ they must be held in
# (xinfang.cases.services: `begin(..., roles=..., role_in=...)`). A step missing here is checked by
# its service in another way (rating, appeals, assisting units, links, attachments): see `_may_take`.
_BY_ROLE: dict[Action, tuple[str, tuple[str, ...]]] = {
    Action.FORWARD: ("current_org", BUREAU_ROLES),
    Action.ASSIGN: ("current_org", BUREAU_ROLES),
    Action.ANSWER: ("current_org", BUREAU_ROLES),
    Action.DECLINE: ("current_org", BUREAU_ROLES),
    Action.REFUSE_AGAIN: ("current_org", BUREAU_ROLES),
    Action.ACCEPT: ("current_org", UNIT_ROLES),
    Action.OBJECT: ("current_org", UNIT_ROLES),
    Action.REQUEST_EXTENSION: ("current_org", UNIT_ROLES),
    Action.REPLY: ("current_org", UNIT_ROLES),
    Action.SUBMIT_REPLY_FOR_APPROVAL: ("current_org", UNIT_ROLES),
    Action.DELIVER: ("current_org", (*UNIT_ROLES, Role.REGISTRAR)),
    Action.HEARING_START: ("current_org", HEARING_ROLES),
    Action.HEARING_END: ("current_org", HEARING_ROLES),
    Action.TERMINATE: ("current_org", (*UNIT_ROLES, *BUREAU_ROLES, *DECIDING_ROLES)),
    Action.REVIEW_DECIDE: ("review_org", DECIDING_ROLES),
    Action.REREVIEW_DECIDE: ("review_org", DECIDING_ROLES),
    Action.SUBMIT_OPINION_FOR_APPROVAL: ("review_org", DECIDING_ROLES),
}
# 复查 / 复核 are asked of an organ above the one that decided (第三十五、三十六条); the petitioner asks,
# or staff of that organ record the request (services.appeals: BUREAU_ROLES or DECIDING_ROLES there).
_APPEAL_ROLES = frozenset((*BUREAU_ROLES, *DECIDING_ROLES))


def _may_take_instruction_step(
    case: Case, action: Action, posts: set[tuple[int, str]], orgs: list[Any]
) -> bool:
    """领导阅批 (services.instructions): a petition bureau's head sends, a leader instructs, the unit
    an open instruction is addressed to reports on it."""
    if action == Action.SEND_FOR_INSTRUCTION:
        return any(
            org.is_petition_bureau and (org.pk, role) in posts
            for org in orgs
            for role in services.INSTRUCTION_SENDING_ROLES
        )
    if action == Action.INSTRUCT:
        return any(role == Role.LEADER for _, role in posts)
    units = {org_id for org_id, role in posts if role in UNIT_ROLES}
    return case.instructions.filter(state=InstructionState.INSTRUCTED, unit_id__in=units).exists()


def _may_take(case: Case, user: User, action: Action, posts: set[tuple[int, str]], orgs: list[Any]) -> bool:
    """Whether the service would let `user` take `action` on `case` as far as who they are goes;
    the status is checked by the caller, the input by the service."""
    if action in _BY_ROLE:
        where, roles = _BY_ROLE[action]
        org_id = getattr(case, f"{where}_id")
        return org_id is not None and any((org_id, role) in posts for role in roles)
    if action == Action.RATE:
        return services.rater_problem(user, case) is None
    if action in INSTRUCTION_ACTIONS:
        return _may_take_instruction_step(case, action, posts, orgs)
    if action in (Action.REVIEW_REQUEST, Action.REREVIEW_REQUEST):
        below = case.current_org if action == Action.REVIEW_REQUEST else case.review_org
        if below is None:
            return False
        return any(
            below.path.startswith(org.path) and org.pk != below.pk and (org.pk, role) in posts
            for org in orgs
            for role in _APPEAL_ROLES
        )
    ids = {org.pk for org in orgs}
    if case.current_org_id in ids:
        return True
    takers = {Taker.ANYONE}
    if case.registered_org_id in ids:
        takers.add(Taker.REGISTERING_ORG)
    if any(case.current_org.path.startswith(org.path) for org in orgs):
        takers.add(Taker.ORGAN_ABOVE)
    if case.review_org_id in ids:
        takers.add(Taker.REVIEW_ORG)
    return bool(ACTIONS[action].also_by & takers)


def action_links(case: Case, user: User) -> dict[str, Any]:
    """The buttons on the case page: the steps the status allows and this user may take (the same
    role checks as the services, so no button leads to a refusal for who the user is), workflow
    first, then bookkeeping.

    `elsewhere` names the unit that handles an open case when the user does not work there.
    """
    links: dict[str, Any] = {"workflow": [], "bookkeeping": [], "elsewhere": ""}
    memberships = list(user_memberships(user).select_related("org"))
    posts = {(m.org_id, m.role) for m in memberships}
    orgs = list({m.org_id: m.org for m in memberships}.values())
    hidden = approval_steps_not_offered(case, user)  # approvals: who may decide, what waits
    if case.closed_at is None and case.current_org_id not in {org.pk for org in orgs}:
        links["elsewhere"] = case.current_org.name
    for action in allowed_actions(case.status):
        if action not in ACTION_FORMS or action in hidden or not _may_take(case, user, action, posts, orgs):
            continue
        if action in BUREAU_ONLY and not case.current_org.is_petition_bureau:
            continue  # a department 受理s, declines or objects; only a bureau routes on
        if action == (Action.HEARING_START if case.paused else Action.HEARING_END):
            continue  # one hearing at a time: started while none is open, ended while one is
        group = "bookkeeping" if action in BOOKKEEPING else "workflow"
        links[group].append(
            {
                "code": action.value,
                "label": ACTION_LABELS[action],
                "url": reverse("workbench:case-act", args=[case.pk, action.value]),
            }
        )
    return links


@staff_required
def case_register(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    data = request.POST if request.method == "POST" else None
    # A visitor received at a leader's reception day: registered there and recorded as received.
    day = reception_day_for_registration(request, user)
    form = _registration_form(data, user, day)
    if not form.orgs:
        raise PermissionDenied("只有登记员、承办人或信访部门负责人可以登记信访事项。")
    formset = PetitionerFormSet(data, prefix="p")
    visit_form = VisitOutcomeForm(data, prefix="rv") if day is not None else None
    check: dict[str, Any] | None = None
    if data is not None and "check" in data:
        # 查重: suggestions for what is typed so far; nothing is validated or saved.
        check, data = similar_for_form(user, data)
        form = _registration_form(data, user, day)
        formset = PetitionerFormSet(data, prefix="p")
        silence_errors(form, formset)
        if day is not None:
            visit_form = VisitOutcomeForm(data, prefix="rv")
            silence_errors(visit_form, None)
    elif (
        data is not None
        and form.is_valid()
        and formset.is_valid()
        and (visit_form is None or visit_form.is_valid())
    ):
        inputs, rows = petitioner_inputs(formset)
        try:
            if problem := representative_problem(form, inputs):
                raise ServiceError(problem, field="no_representative")
            if day is not None and visit_form is not None:
                case = register_at_reception(
                    user=user,
                    day=day,
                    outcome_form=visit_form,
                    petitioners=inputs,
                    kwargs=form.service_kwargs(),
                )
                messages.success(
                    request,
                    f"已登记并记入本次接访，信访件编号 {case.number}，查询码 {case.query_code}。请将查询码告知信访人。",
                )
                return redirect("workbench:reception-day-detail", day.pk)
            case = services.case_register(actor=user, petitioners=inputs, **form.service_kwargs())
        except ServiceError as exc:
            if visit_form is not None and exc.field in ("outcome", "note"):
                visit_form.add_error(exc.field, exc.message)
            else:
                apply_service_error(exc, form, formset=formset, rows=rows)
        else:
            if case_detail(user, case.pk) is None:
                # An accusation against this organ (第三十条): handed on, and no longer ours to read.
                if case.current_org_id != case.registered_org_id:
                    done = f"已登记并转送至{case.current_org.name}"
                    why = "该检举控告涉及本机关，本机关不再查看其内容"
                else:
                    done = "已登记"
                    why = "该检举控告涉及您所在的机关，您不能查看其内容，由登记机关其他人员交转"
                messages.success(
                    request,
                    f"{done}，信访件编号 {case.number}，查询码 {case.query_code}，请将查询码告知信访人；{why}。",
                )
                return redirect("workbench:case-register")
            messages.success(
                request,
                f"已登记，信访件编号 {case.number}，查询码 {case.query_code}。请将查询码告知信访人。",
            )
            return redirect("workbench:case-detail", case.pk)
    more = formset.forms[VISIBLE_ROWS:]
    context = {
        "form": form,
        "formset": formset,
        "rows": list(enumerate(formset.forms[:VISIBLE_ROWS], start=1)),
        "more_rows": list(enumerate(more, start=VISIBLE_ROWS + 1)),
        "more_open": data is not None and any(_row_used(f) for f in more),
        "check": check,
        "reception_day": day,
        "visit_form": visit_form,
    }
    return render(request, "workbench/cases/register.html", context)


def _registration_form(data: Any, user: User, day: ReceptionDay | None) -> RegistrationForm:
    """The registration form; at a reception day, for the receiving organ only and as a 走访."""
    form = RegistrationForm(data, user=user)
    if day is not None:
        form.orgs = [o for o in form.orgs if o.pk == day.org_id]
        form.fields["org"].choices = [(o.pk, o.name) for o in form.orgs]
        form.fields["channel"].choices = [(Channel.VISIT, Channel.VISIT.label)]
    return form


def _row_used(form: Any) -> bool:
    return bool(form.errors) or any(
        (form.data.get(form.add_prefix(name)) or "").strip()
        for name in ("name", "id_number", "phone", "address")
    )


# The approve / return steps: the approver decides with the petition, the clocks and the draft in view.
DECISION_ACTIONS = frozenset(action for decisions, _, _ in APPROVAL_STEPS.values() for action in decisions)


def _approval_context(case: Case, step: Action) -> dict[str, Any]:
    if step not in DECISION_ACTIONS:
        return {}
    clocks = [
        {
            "label": CLOCK_LABELS.get(c.name, c.name),
            "state": CLOCK_STATE_LABELS.get(c.state, c.state),
            "clock": c,
        }
        for c in case_clocks(case)
        if c.state != "not_started"
    ]
    pending = [PendingApproval(case, event) for event in pending_requests(case)]
    return {"deciding": True, "pending_approvals": pending, "clocks": clocks}


@staff_required
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = case_detail(user, case_id)
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    try:
        step = Action(action)
    except ValueError:
        raise Http404("没有这项办理操作。") from None
    form_class = ACTION_FORMS.get(step)
    if form_class is None:
        raise Http404("没有这项办理操作。")
    label = ACTION_LABELS[step]
    quality = None
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, user=user, case=case)
        if "check_reply" in request.POST and getattr(form, "checks_reply_quality", False):
            # 检查答复质量: score the draft against the matter; nothing is validated or saved.
            quality = reply_quality_for(case, request.POST)
            silence_errors(form)
        elif form.is_valid():
            try:
                form.run(user, case)
            except ServiceError as exc:
                apply_service_error(exc, form, aliases=form.aliases)
            else:
                messages.success(request, f"已完成“{label}”。")
                if case_detail(user, case.pk) is None:
                    messages.info(request, "本件已不在您的查看范围内。")
                    return redirect("workbench:case-list")
                return redirect("workbench:case-detail", case.pk)
    else:
        form = form_class(user=user, case=case)
    refused = None
    if not form.is_bound and step not in allowed_actions(case.status):
        refused = str(TransitionRefused(case.status, step))
    context = {
        "case": case,
        "form": form,
        "action": step.value,
        "label": label,
        "refused": refused,
        "quality": quality,
        **_approval_context(case, step),
        # The writing forms show the petition and its facts beside the text being written.
        "matter": matter_context(user, case, list(case_events(case))) if form.shows_matter else None,
    }
    return render(request, "workbench/cases/action.html", context)
