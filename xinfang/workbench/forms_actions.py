"""One form per workflow action. Each collects its inputs and `run`s exactly one service.

Names typed on the page (an organ, an earlier case number) are resolved here; the service checks
the transition, the actor's role and the input, and its `ServiceError.field` names the form field
(or an alias listed in `aliases`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from xinfang.cases import services
from xinfang.cases.models import Case, CaseEvent, InstructionState, Rating
from xinfang.cases.presentation import suggested_unit_id
from xinfang.cases.selectors import cases_visible_to, instructions_to_carry_out
from xinfang.cases.services.appeals import LINK_KINDS, REVIEW_OUTCOMES, TERMINATION_REASONS
from xinfang.cases.services.replies import DELIVERY_METHODS, OUTCOME_TAGS, OUTCOMES
from xinfang.cases.services.routing import LEGAL_CHANNELS
from xinfang.cases.vocabulary import Action
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.core.validation import MAX_ATTACHMENT_PAGES, MAX_EXTENSION_DAYS
from xinfang.orgs.models import LEVEL_RANK, Level, Membership, Org, Role, User
from xinfang.reception.models import LegalRoute
from xinfang.reception.selectors import routes as route_selectors
from xinfang.reception.services import routes as route_services
from xinfang.workbench.forms_cases import DATE_INPUT, org_choices

TEXTAREA = forms.Textarea(attrs={"rows": 4})


def _note(label: str = "备注", help_text: str = "") -> TextField:
    return TextField(label=label, required=False, widget=TEXTAREA, help_text=help_text)


def _text(label: str, help_text: str = "") -> TextField:
    # Required-ness is the service's to decide, so its message (with the article) is the one shown;
    # the page still marks the field as one to fill.
    field = TextField(label=label, required=False, widget=TEXTAREA, help_text=help_text)
    field.service_required = True  # type: ignore[attr-defined]
    return field


class ActionForm(forms.Form):
    aliases: ClassVar[dict[str, str]] = {}
    multipart: ClassVar[bool] = False
    shows_matter: ClassVar[bool] = False  # the page shows the petition text and facts beside the form

    def __init__(self, *args: Any, user: User, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.case = case

    def run(self, actor: User, case: Case) -> Any:
        raise NotImplementedError

    def _org(self, name: str) -> Org | None:
        pk = self.cleaned_data.get(name)
        return None if pk in (None, "") else Org.objects.select_related("region").filter(pk=pk).first()

    def _visible_case(self, name: str) -> Case:
        number = (self.cleaned_data.get(name) or "").strip()
        found = cases_visible_to(self.user).filter(number=number).first() if number else None
        if found is None:
            raise ServiceError(f"找不到信访件“{number}”，或您无权查看。", field=name)
        return found


def _active_orgs(exclude: Org | None = None) -> list[tuple[str, list[tuple[int, str]]]]:
    orgs = Org.objects.filter(is_active=True).select_related("region")
    if exclude is not None:
        orgs = orgs.exclude(pk=exclude.pk)
    return org_choices(orgs)


def routing_choices(bureau: Org) -> list[tuple[str, list[tuple[int, str]]]]:
    """The organs a bureau may route to (its 交转范围), an <optgroup> per level, highest first.

    Choosing from the reach means an upward or sideways 转送 is not offered at all; the service
    still refuses one posted by hand.
    """
    orgs = services.routing_reach(bureau).select_related("region")
    groups: dict[str, list[tuple[int, str]]] = {}
    for org in sorted(orgs, key=lambda o: (LEVEL_RANK.get(o.level, 99), o.region.path, o.path)):
        label = Level(org.level).label if org.level in Level.values else org.level
        groups.setdefault(f"{label}机关和单位", []).append((org.pk, org.name))
    return list(groups.items())


class ForwardForm(ActionForm):
    to_org = forms.TypedChoiceField(label="转送至", coerce=int, help_text="有权处理该事项的机关或单位。")
    assisting = forms.TypedMultipleChoiceField(
        label="协办单位",
        coerce=int,
        required=False,
        # searchable by workbench/org_picker.js; without scripts a plain list (Ctrl-click)
        widget=forms.SelectMultiple(attrs={"size": 8, "data-org-picker": "1"}),
        help_text="可不选；可输入名称筛选，可多选。",
    )
    note = _note("转送说明")
    aliases = {"to_org_id": "to_org"}
    uses_org_picker: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = routing_choices(self.case.current_org)
        self.fields["to_org"].choices = [("", "请选择单位"), *choices]
        self.fields["assisting"].choices = choices
        # The unit suggested at registration (建议责任单位) comes preselected when it may be chosen.
        suggested = suggested_unit_id(CaseEvent.objects.filter(case=self.case, kind="registered"))
        if suggested is not None and any(pk == suggested for _, group in choices for pk, _ in group):
            field = self.fields["to_org"]
            field.initial = suggested
            field.help_text = f"系统建议，可更改。{field.help_text}"

    def route_kwargs(self) -> dict[str, Any]:
        assisting = Org.objects.filter(pk__in=self.cleaned_data["assisting"]).select_related("region")
        return {
            "to_org": self._org("to_org"),
            "assisting": list(assisting),
            "note": self.cleaned_data["note"],
        }

    def run(self, actor: User, case: Case) -> Any:
        return services.case_forward(actor=actor, case=case, **self.route_kwargs())


class AssignForm(ForwardForm):
    report_due = forms.DateField(
        label="办结报告期限", widget=DATE_INPUT, help_text="交办事项应按期报送办结报告（第二十二条）。"
    )

    field_order = ["to_org", "report_due", "assisting", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_org"].label = "交办至"
        self.fields["note"].label = "交办说明"

    def run(self, actor: User, case: Case) -> Any:
        return services.case_assign(
            actor=actor, case=case, report_due=self.cleaned_data["report_due"], **self.route_kwargs()
        )


class ReplyForm(ActionForm):
    shows_matter = True
    checks_reply_quality = True  # the page offers 检查答复质量 (xinfang.workbench.text_checks)
    outcome = forms.ChoiceField(label="处理意见", choices=[("", "请选择"), *OUTCOMES.items()])
    request = _text("信访请求", "信访人提出的具体请求。")
    facts = _text("查明事实")
    reasons = _text("处理理由")
    legal_basis = _text("法律依据", "所依据的法律、法规、规章或政策条款。")
    tags = forms.MultipleChoiceField(
        label="办理结果（三到位一处理）",
        choices=list(OUTCOME_TAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def reply(self) -> services.ReplyInput:
        data = self.cleaned_data
        return services.ReplyInput(
            outcome=data["outcome"],
            request=data["request"],
            facts=data["facts"],
            reasons=data["reasons"],
            legal_basis=data["legal_basis"],
            tags=list(data["tags"]),
        )

    def run(self, actor: User, case: Case) -> Any:
        services.refuse_direct_issue(case, Action.REPLY, actor)
        return services.case_reply(actor=actor, case=case, reply=self.reply())


class SubmitReplyForm(ReplyForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_submit_reply_for_approval(actor=actor, case=case, reply=self.reply())


class AnswerForm(ReplyForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_answer(actor=actor, case=case, reply=self.reply())


ROUTE_PREFIX = "route:"  # a line of the legal-route guide; a bare code is a kind of procedure


def _route_label(route: LegalRoute, *, suggested: bool = False) -> str:
    where = route.category.name if route.category else "各类事项"
    return f"{'【建议】' if suggested else ''}{route.name}（{where}）"


def decline_choices(case: Case) -> tuple[list[Any], list[LegalRoute]]:
    """The decline page's choices: the routes the guide suggests for this matter first (marked
    建议), then the rest of the guide by level-1 category, then the bare kinds of procedure."""
    suggested = route_selectors.suggested_for_case(case)
    taken = {route.pk for route in suggested}
    groups: list[Any] = [("", "请选择")]
    if suggested:
        groups.append(
            ("系统建议", [(f"{ROUTE_PREFIX}{r.pk}", _route_label(r, suggested=True)) for r in suggested])
        )
    for group in route_selectors.guide_by_category():
        rows = [(f"{ROUTE_PREFIX}{r.pk}", _route_label(r)) for r in group.routes if r.pk not in taken]
        if rows:
            groups.append((f"法定途径清单 · {group.name}", rows))
    groups.append(("仅选择法定途径类别（不引用清单）", list(LEGAL_CHANNELS.items())))
    return groups, suggested


class DeclineForm(ActionForm):
    """不予受理 / 导入法定途径 (第三十一条): a route of the guide (its basis and the organ to go to
    are printed in the 告知书) or just the kind of procedure."""

    shows_matter = True
    legal_channel = forms.ChoiceField(
        label="法定途径",
        choices=[("", "请选择")],
        help_text="告知信访人应通过哪一法定途径解决（第三十一条）；选择清单中的途径，告知书将写明法律依据和受理机关。",
        error_messages={
            "required": "请选择法定途径。",
            "invalid_choice": "所选法定途径不在法定途径清单中或已停用，请重新选择。",
        },
    )
    reasons = _text("不予受理理由")
    aliases = {"route": "legal_channel"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices, suggested = decline_choices(self.case)
        field = self.fields["legal_channel"]
        field.choices = choices
        if suggested:
            first = suggested[0]
            field.initial = f"{ROUTE_PREFIX}{first.pk}"
            field.help_text = (
                f"系统建议：{first.name}（依据{first.legal_basis}，向{first.where_to_go}提出），可更改。"
                f"{field.help_text}"
            )

    def _chosen(self) -> tuple[LegalRoute | None, str]:
        value = self.cleaned_data["legal_channel"]
        if value.startswith(ROUTE_PREFIX):
            pk = value[len(ROUTE_PREFIX) :]
            route = LegalRoute.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
            if route is None:
                raise ServiceError("所选法定途径不在法定途径清单中，请重新选择。", field="legal_channel")
            return route, ""
        return None, value

    def run(self, actor: User, case: Case) -> Any:
        route, channel = self._chosen()
        return route_services.legal_route_decline(
            actor=actor, case=case, reasons=self.cleaned_data["reasons"], route=route, legal_channel=channel
        )


class RefuseAgainForm(ActionForm):
    earlier_number = TextField(
        label="已终结信访件编号", max_length=32, help_text="经复核终结、事实和理由相同的信访件。"
    )
    reasons = _text("不再受理理由")
    aliases = {"earlier": "earlier_number"}

    def run(self, actor: User, case: Case) -> Any:
        earlier = self._visible_case("earlier_number")
        return services.case_refuse_again(
            actor=actor, case=case, earlier=earlier, reasons=self.cleaned_data["reasons"]
        )


class AcceptForm(ActionForm):
    note = _note("受理说明", "受理后应告知信访人（第二十三条）。")

    def run(self, actor: User, case: Case) -> Any:
        return services.case_accept(actor=actor, case=case, note=self.cleaned_data["note"])


class ObjectForm(ActionForm):
    reasons = _text("异议理由", "不属于本单位职责的，应在 5 个工作日内提出异议（第二十三条）。")

    def run(self, actor: User, case: Case) -> Any:
        return services.case_object(actor=actor, case=case, reasons=self.cleaned_data["reasons"])


class HearingStartForm(ActionForm):
    note = _note("听证安排", "听证期间办理期限暂停计算。")

    def run(self, actor: User, case: Case) -> Any:
        return services.case_hearing_start(actor=actor, case=case, note=self.cleaned_data["note"])


class HearingEndForm(ActionForm):
    conclusion = _text("听证结论")

    def run(self, actor: User, case: Case) -> Any:
        return services.case_hearing_end(actor=actor, case=case, conclusion=self.cleaned_data["conclusion"])


class RequestExtensionForm(ActionForm):
    days = forms.IntegerField(
        label="延期天数",
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        help_text="只能延期一次，最长 30 日（第三十四条）；经本单位审核人批准后生效。",
    )
    reason = _text("延期理由", "延期理由将告知信访人。")

    def run(self, actor: User, case: Case) -> Any:
        return services.case_request_extension(actor=actor, case=case, **self.cleaned_data)


class ApproveForm(ActionForm):
    note = _note("审核意见", "可不填；批准后记入办理记录，申请人可见。")


class ApproveExtensionForm(ApproveForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_approve_extension(actor=actor, case=case, note=self.cleaned_data["note"])


class ReturnForm(ActionForm):
    reason = _text("退回理由", "申请人将看到退回理由。")


class ReturnExtensionForm(ReturnForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_return_extension(actor=actor, case=case, reason=self.cleaned_data["reason"])


class ApproveReplyForm(ApproveForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_approve_reply(actor=actor, case=case, note=self.cleaned_data["note"])


class ReturnReplyForm(ReturnForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_return_reply(actor=actor, case=case, reason=self.cleaned_data["reason"])


class DeliverForm(ActionForm):
    method = forms.ChoiceField(label="送达方式", choices=list(DELIVERY_METHODS.items()))
    delivered_on = forms.DateField(
        label="送达日期", widget=DATE_INPUT, help_text="复查申请期限自送达次日起算。"
    )
    tracking_number = TextField(
        label="邮寄单号",
        required=False,
        max_length=40,
        help_text="邮寄送达时填写，打印在送达回证上。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = local_date()

    def run(self, actor: User, case: Case) -> Any:
        return services.case_deliver(actor=actor, case=case, **self.cleaned_data)


def _verdict(label: str, choices: list[tuple[str, str]], empty: str) -> forms.ChoiceField:
    """A choice that opens with nothing chosen: a verdict is never a default (one click must not record
    满意 or 维持); submitting nothing is an error on the field."""
    field = forms.ChoiceField(label=label, choices=[("", "请选择"), *choices])
    field.error_messages["required"] = empty
    return field


class RateForm(ActionForm):
    track = _verdict("评价对象", list(Rating.Track.choices), "请选择评价对象。")
    value = _verdict("评价", list(Rating.Value.choices), "请选择评价结果。")
    reason = _text("理由", "评价为不满意或基本满意的，须记录信访人的理由。")

    def run(self, actor: User, case: Case) -> Any:
        return services.case_rate(actor=actor, case=case, **self.cleaned_data)


class ReviewRequestForm(ActionForm):
    reasons = _text("申请理由")
    review_org = forms.TypedChoiceField(
        label="复查机关",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="留空则为办理机关的上一级机关。",
    )
    aliases = {"review_org_id": "review_org"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_org"].choices = [("", "（上一级机关）"), *_active_orgs()]

    def run(self, actor: User, case: Case) -> Any:
        return services.case_review_request(
            actor=actor, case=case, reasons=self.cleaned_data["reasons"], review_org=self._org("review_org")
        )


class RereviewRequestForm(ReviewRequestForm):
    aliases = {"rereview_org": "review_org"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review_org"].label = "复核机关"
        self.fields["review_org"].help_text = "留空则为复查机关的上一级机关。"

    def run(self, actor: User, case: Case) -> Any:
        return services.case_rereview_request(
            actor=actor, case=case, reasons=self.cleaned_data["reasons"], rereview_org=self._org("review_org")
        )


class ReviewDecideForm(ActionForm):
    shows_matter = True
    outcome = _verdict(
        "意见", list(REVIEW_OUTCOMES.items()), "请选择意见（维持、撤销、变更或责令重新办理）。"
    )
    opinion = _text("意见内容")

    def run(self, actor: User, case: Case) -> Any:
        services.refuse_direct_issue(case, Action.REVIEW_DECIDE, actor)
        return services.case_review_decide(actor=actor, case=case, **self.cleaned_data)


class RereviewDecideForm(ReviewDecideForm):
    def run(self, actor: User, case: Case) -> Any:
        services.refuse_direct_issue(case, Action.REREVIEW_DECIDE, actor)
        return services.case_rereview_decide(actor=actor, case=case, **self.cleaned_data)


class SubmitOpinionForm(ActionForm):
    outcome = forms.ChoiceField(label="意见", choices=[("", "请选择"), *REVIEW_OUTCOMES.items()])
    opinion = _text("意见内容", "提交后由本机关审核人或信访部门负责人审核，批准后作出。")

    def run(self, actor: User, case: Case) -> Any:
        return services.case_submit_opinion_for_approval(actor=actor, case=case, **self.cleaned_data)


class ApproveOpinionForm(ApproveForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_approve_opinion(actor=actor, case=case, note=self.cleaned_data["note"])


class ReturnOpinionForm(ReturnForm):
    def run(self, actor: User, case: Case) -> Any:
        return services.case_return_opinion(actor=actor, case=case, reason=self.cleaned_data["reason"])


class TerminateForm(ActionForm):
    reason = forms.ChoiceField(label="终结理由", choices=list(TERMINATION_REASONS.items()))

    def run(self, actor: User, case: Case) -> Any:
        return services.case_terminate(actor=actor, case=case, reason=self.cleaned_data["reason"])


class AddAssistingForm(ActionForm):
    org = forms.TypedChoiceField(label="协办单位", coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", "请选择单位"), *_active_orgs(exclude=self.case.current_org)]

    def run(self, actor: User, case: Case) -> Any:
        return services.case_add_assisting(actor=actor, case=case, org=self._org("org"))


class AttachForm(ActionForm):
    file = forms.FileField(label="文件", help_text="PDF、图片、Word、Excel、OFD 或录音。")
    pages = forms.IntegerField(
        label="页数", min_value=0, max_value=MAX_ATTACHMENT_PAGES, required=False, initial=0
    )
    aliases = {"name": "file", "content": "file"}
    multipart = True

    def run(self, actor: User, case: Case) -> Any:
        upload = self.cleaned_data["file"]
        return services.case_attach(
            actor=actor,
            case=case,
            name=upload.name,
            content=upload.read(),
            pages=self.cleaned_data["pages"] or 0,
        )


class LinkForm(ActionForm):
    target_number = TextField(label="关联信访件编号", max_length=32)
    kind = forms.ChoiceField(label="关联类型", choices=list(LINK_KINDS.items()))
    aliases = {"target": "target_number"}

    def run(self, actor: User, case: Case) -> Any:
        target = self._visible_case("target_number")
        return services.case_link(actor=actor, case=case, target=target, kind=self.cleaned_data["kind"])


def leader_choices(user: User, case: Case) -> list[tuple[int, str]]:
    """The leaders `user`'s bureaus may send `case` to (who may see it), each with their organ;
    not those it already waits with."""
    waiting = set(case.instructions.filter(state=InstructionState.SENT).values_list("leader_id", flat=True))
    choices: dict[int, str] = {}
    for bureau in services.instruction_sending_bureaus(user):
        leaders = services.instruction_leaders(bureau, case).exclude(pk__in=waiting)
        posts = Membership.objects.filter(
            user__in=leaders, role=Role.LEADER, is_active=True, org__path__in=_paths_above(bureau)
        ).select_related("user", "org")
        for post in posts.order_by("org__path", "user__full_name"):
            choices.setdefault(post.user_id, f"{post.user}（{post.org.name}）")
    return list(choices.items())


def _paths_above(bureau: Org) -> list[str]:
    parts = [part for part in bureau.path.strip("/").split("/") if part]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


class SendForInstructionForm(ActionForm):
    leader = forms.TypedChoiceField(
        label="阅批领导", coerce=int, help_text="本机关所属党委政府或上级机关的领导，须能查看本件。"
    )
    note = _note("呈批说明", help_text="可写明呈批理由、需领导关注的问题。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "请选择领导"), *leader_choices(self.user, self.case)]

    def run(self, actor: User, case: Case) -> Any:
        pk = self.cleaned_data.get("leader")
        leader = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        return services.case_send_for_instruction(
            actor=actor, case=case, leader=leader, note=self.cleaned_data["note"]
        )


class InstructForm(ActionForm):
    text = _text("批示内容", help_text="批示送当前责任单位落实。")
    due_on = forms.DateField(
        label="落实期限",
        widget=DATE_INPUT,
        required=False,
        help_text="可不填；填写的，最早为今天，最迟为一年内。",
    )
    shows_matter = True

    def run(self, actor: User, case: Case) -> Any:
        return services.case_instruct(
            actor=actor, case=case, text=self.cleaned_data["text"], due_on=self.cleaned_data["due_on"]
        )


class ReportOnInstructionForm(ActionForm):
    instruction = forms.TypedChoiceField(label="领导批示", coerce=int)
    text = _text("落实情况", help_text="报告批示的落实情况，报告后批示跟踪即告完成。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_ones = instructions_to_carry_out(self.user).filter(case=self.case)
        choices = [
            (
                row.seq,
                f"{row.leader}批示（{local_date(row.instructed_at):%Y-%m-%d}）"
                + (f"，落实期限 {row.due_on:%Y-%m-%d}" if row.due_on else ""),
            )
            for row in open_ones
            if row.instructed_at is not None
        ]
        self.fields["instruction"].choices = choices
        if len(choices) == 1:
            self.fields["instruction"].initial = choices[0][0]

    def run(self, actor: User, case: Case) -> Any:
        return services.case_report_on_instruction(
            actor=actor,
            case=case,
            instruction=self.cleaned_data["instruction"],
            text=self.cleaned_data["text"],
        )


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.FORWARD: ForwardForm,
    Action.ASSIGN: AssignForm,
    Action.ANSWER: AnswerForm,
    Action.DECLINE: DeclineForm,
    Action.REFUSE_AGAIN: RefuseAgainForm,
    Action.ACCEPT: AcceptForm,
    Action.OBJECT: ObjectForm,
    Action.HEARING_START: HearingStartForm,
    Action.HEARING_END: HearingEndForm,
    Action.REQUEST_EXTENSION: RequestExtensionForm,
    Action.APPROVE_EXTENSION: ApproveExtensionForm,
    Action.RETURN_EXTENSION: ReturnExtensionForm,
    Action.SUBMIT_REPLY_FOR_APPROVAL: SubmitReplyForm,
    Action.APPROVE_REPLY: ApproveReplyForm,
    Action.RETURN_REPLY: ReturnReplyForm,
    Action.REPLY: ReplyForm,
    Action.DELIVER: DeliverForm,
    Action.RATE: RateForm,
    Action.SUBMIT_OPINION_FOR_APPROVAL: SubmitOpinionForm,
    Action.APPROVE_OPINION: ApproveOpinionForm,
    Action.RETURN_OPINION: ReturnOpinionForm,
    Action.REVIEW_REQUEST: ReviewRequestForm,
    Action.REVIEW_DECIDE: ReviewDecideForm,
    Action.REREVIEW_REQUEST: RereviewRequestForm,
    Action.REREVIEW_DECIDE: RereviewDecideForm,
    Action.TERMINATE: TerminateForm,
    Action.ADD_ASSISTING: AddAssistingForm,
    Action.ATTACH: AttachForm,
    Action.LINK: LinkForm,
    Action.SEND_FOR_INSTRUCTION: SendForInstructionForm,
    Action.INSTRUCT: InstructForm,
    Action.REPORT_ON_INSTRUCTION: ReportOnInstructionForm,
}
