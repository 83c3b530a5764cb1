"""Staff pages of 信访听证: the list (tabs by status), starting a hearing from a case (the
petitioner's application or the organ's decision), the hearing's page with the forms of its next
steps, its participants, its record and its documents.

Reads go through ``xinfang.leadership.selectors.hearings`` (the access policy): a hearing whose case
the user may not see is a 404. Changes go through ``xinfang.leadership.services.hearings``, which
check roles, state and dates; the helpers here only decide which forms to show, and a refusal
comes back on the form, on the field it names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.cases.documents import DOCX_MIME
from xinfang.cases.selectors import case_detail
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.leadership.hearing_documents import available_documents, render_document
from xinfang.leadership.models.hearings import (
    OPEN_HEARING_STATUSES,
    Hearing,
    HearingOrigin,
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
)
from xinfang.leadership.selectors import hearings as selectors
from xinfang.leadership.services import hearings as services
from xinfang.orgs.models import Org, User
from xinfang.orgs.permissions import holds_role
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import file_download

PER_PAGE = 30
# The list's tabs: what is still under way, then each way a hearing ends, then everything.
TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "open": ("进行中", tuple(OPEN_HEARING_STATUSES)),
    HearingStatus.CONCLUDED: ("已作出结论", (HearingStatus.CONCLUDED,)),
    HearingStatus.PUBLISHED: ("结论已公开", (HearingStatus.PUBLISHED,)),
    HearingStatus.REFUSED: ("不予听证", (HearingStatus.REFUSED,)),
    HearingStatus.WITHDRAWN: ("已终止", (HearingStatus.WITHDRAWN,)),
    "all": ("全部", tuple(HearingStatus.values)),
}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


# ---------------------------------------------------------------- widgets and fields


class DateInput(forms.DateInput):
    input_type = "date"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _date(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput,
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}应为日期（年-月-日）。"},
    )


def _text(label: str, *, rows: int = 4, required: bool = True, max_length: int = 20000) -> TextField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return TextField(
        label=label,
        required=required,
        max_length=max_length,
        widget=widget,
        error_messages={"required": f"请填写{label}。"},
    )


# ---------------------------------------------------------------- forms


class StartForm(forms.Form):
    origin = forms.ChoiceField(
        label="启动方式",
        choices=HearingOrigin.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择启动方式：信访人申请或机关决定。"},
    )
    org = forms.TypedChoiceField(label="听证机关", coerce=int, empty_value=None)
    applied_on = _date("申请日期", required=False)
    application = _text("申请事项和理由", required=False)
    decided_on = _date("决定日期", required=False)
    decision = _text("决定意见", required=False)

    def __init__(self, *args: Any, organs: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organs = {org.pk: org for org in organs}
        self.fields["org"].choices = [(org.pk, org.name) for org in organs]
        # Left out, the service takes the first organ in which the user may organise one.
        self.fields["org"].required = False
        if len(organs) <= 1:
            self.fields["org"].widget = forms.HiddenInput()
            self.fields["org"].initial = organs[0].pk if organs else None


class AcceptForm(forms.Form):
    decided_on = _date("决定日期")
    decision = _text("决定意见", rows=3)


class RefuseForm(forms.Form):
    decided_on = _date("决定日期")
    reason = _text("不予听证的理由", rows=3)


class AnnounceForm(forms.Form):
    announced_on = _date("公告日期")
    scheduled_at = forms.DateTimeField(
        label="听证时间",
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_FORMAT],
        error_messages={"required": "请填写听证时间。", "invalid": "听证时间应为日期和时间。"},
    )
    venue = _text("听证地点", rows=0, max_length=128)
    announcement = _text("公告内容", rows=4)

    def clean_scheduled_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["scheduled_at"]
        # The time is typed as Beijing time, whatever zone the server runs in.
        return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value


class ParticipantForm(forms.Form):
    role = forms.ChoiceField(
        label="身份",
        choices=[("", "请选择"), *ParticipantRole.choices],
        error_messages={"required": "请选择参加人身份。"},
    )
    name = _text("姓名", rows=0, max_length=64)
    affiliation = _text("单位或职务", rows=0, required=False, max_length=128)


class OpenForm(forms.Form):
    started_on = _date("听证开始日期")


class RecordForm(forms.Form):
    statement = _text("陈述", rows=4, required=False)
    questioning = _text("询问", rows=4, required=False)
    debate = _text("辩论", rows=4, required=False)
    deliberation = _text("评议", rows=4, required=False)


class ConcludeForm(forms.Form):
    ended_on = _date("听证结束日期")
    conclusion = _text("听证结论", rows=5)


class PublishForm(forms.Form):
    published_on = _date("公开日期")


class WithdrawForm(forms.Form):
    withdrawn_on = _date("终止日期")
    reason = _text("终止理由", rows=3)


def _service_error_on(form: forms.Form, exc: ServiceError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the field it names, or above the form."""
    name = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


# ---------------------------------------------------------------- the steps a page offers


# step name -> (form class, the statuses that offer it, heading, button)
STEPS: dict[str, tuple[type[forms.Form], tuple[str, ...], str, str]] = {
    "accept": (AcceptForm, (HearingStatus.APPLIED,), "同意听证申请", "同意听证"),
    "refuse": (RefuseForm, (HearingStatus.APPLIED,), "不予听证", "作出不予听证决定"),
    "announce": (
        AnnounceForm,
        (HearingStatus.DECIDED, HearingStatus.ANNOUNCED),
        "发布听证公告",
        "发布公告",
    ),
    "participant": (ParticipantForm, tuple(OPEN_HEARING_STATUSES), "增加参加人", "增加"),
    "open": (OpenForm, (HearingStatus.ANNOUNCED,), "开始听证", "开始听证"),
    "record": (RecordForm, (HearingStatus.IN_SESSION,), "听证过程记录", "保存记录"),
    "conclude": (ConcludeForm, (HearingStatus.IN_SESSION,), "作出听证结论", "作出结论"),
    "publish": (PublishForm, (HearingStatus.CONCLUDED,), "公开听证结论", "公开"),
    "withdraw": (
        WithdrawForm,
        (HearingStatus.APPLIED, HearingStatus.DECIDED, HearingStatus.ANNOUNCED),
        "终止听证",
        "终止听证",
    ),
}
# step name -> the URL name its form posts to
STEP_URLS = {
    "accept": "hearing-accept",
    "refuse": "hearing-refuse",
    "announce": "hearing-announce",
    "participant": "hearing-participant-add",
    "open": "hearing-open",
    "record": "hearing-record",
    "conclude": "hearing-conclude",
    "publish": "hearing-publish",
    "withdraw": "hearing-withdraw",
}
# Each form's date field starts at today (a clerk records a step the day it happens).
DATE_FIELDS = {
    "accept": "decided_on",
    "refuse": "decided_on",
    "announce": "announced_on",
    "open": "started_on",
    "conclude": "ended_on",
    "publish": "published_on",
    "withdraw": "withdrawn_on",
}


def may_act(user: User, hearing: Hearing) -> bool:
    return holds_role(user, hearing.org, services.HEARING_ROLES)


def _blank_form(step: str, hearing: Hearing) -> forms.Form:
    form_class = STEPS[step][0]
    initial: dict[str, Any] = {}
    if step in DATE_FIELDS:
        initial[DATE_FIELDS[step]] = local_date()
    if step == "record":
        initial = {name: getattr(hearing, name) for name in services.RECORD_FIELDS}
    if step == "announce" and hearing.status == HearingStatus.ANNOUNCED:
        assert hearing.scheduled_at is not None
        initial.update(
            scheduled_at=hearing.scheduled_at.astimezone(LOCAL_TZ).replace(tzinfo=None),
            venue=hearing.venue,
            announcement=hearing.announcement,
        )
    return form_class(prefix=step, initial=initial)


# ---------------------------------------------------------------- list


@staff_required
def hearing_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tab = request.GET.get("tab", "open")
    tab = tab if tab in TABS else "open"
    by_status = selectors.hearing_counts(user)
    counts = {key: sum(by_status.get(s, 0) for s in statuses) for key, (_, statuses) in TABS.items()}
    rows = selectors.hearings_visible_to(user).filter(status__in=TABS[tab][1]).order_by("-created_at", "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/leadership/hearings/list.html",
        {
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, (label, _) in TABS.items()],
            "page": page,
        },
    )


# ---------------------------------------------------------------- start, from a case


@staff_required
def hearing_new(request: HttpRequest) -> HttpResponse:
    """/leadership/hearings/new/?case=<id>: record an application or the organ's decision."""
    user: User = request.user  # type: ignore[assignment]
    wanted = request.GET.get("case", "")
    case = case_detail(user, int(wanted)) if wanted.isdigit() and len(wanted) < 19 else None
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    organs = services.hearing_organs(user, case)
    form = StartForm(request.POST if request.method == "POST" else None, organs=organs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hearing = services.hearing_start(
                actor=user,
                case=case,
                origin=data["origin"],
                org=form.organs.get(data["org"]) if data.get("org") else None,
                applied_on=data["applied_on"],
                application=data["application"],
                decided_on=data["decided_on"],
                decision=data["decision"],
            )
        except ServiceError as exc:
            _service_error_on(form, exc)
        else:
            done = (
                "已登记听证申请，请作出是否听证的决定。"
                if hearing.status == HearingStatus.APPLIED
                else "已决定举行听证，请发布听证公告并确定参加人。"
            )
            messages.success(request, done)
            return redirect("workbench:hearing-detail", hearing.pk)
    hearings = list(selectors.case_hearings(user, case))
    return render(
        request,
        "workbench/leadership/hearings/new.html",
        {
            "case": case,
            "form": form,
            "organs": organs,
            "hearings": hearings,
            "open_hearing": any(h.status in OPEN_HEARING_STATUSES for h in hearings),
            "today": local_date(),
        },
    )


# ---------------------------------------------------------------- one hearing


def _visible(request: HttpRequest, hearing_id: int) -> Hearing:
    hearing = selectors.hearing_detail(request.user, hearing_id)  # type: ignore[arg-type]
    if hearing is None:
        raise Http404("听证不存在或您无权查看。")
    return hearing


def _detail_page(
    request: HttpRequest,
    hearing: Hearing,
    *,
    posted: tuple[str, forms.Form] | None = None,
    participant_error: str = "",
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    allowed = may_act(user, hearing)
    steps = []
    for step, (_, statuses, heading, button) in STEPS.items():
        if posted is not None and posted[0] == step:
            # a posted form comes back with its errors even when the step turned out not to be allowed
            form = posted[1]
        elif allowed and hearing.status in statuses:
            form = _blank_form(step, hearing)
        else:
            continue
        action = reverse(f"workbench:{STEP_URLS[step]}", args=[hearing.pk])
        steps.append({"step": step, "form": form, "heading": heading, "button": button, "action": action})
    if hearing.status == HearingStatus.ANNOUNCED:
        for item in steps:
            if item["step"] == "announce":
                item["heading"], item["button"] = "变更听证时间、地点（重新公告）", "重新公告"
    participants = selectors.participants_by_role(hearing)
    context = {
        "hearing": hearing,
        "case": hearing.case,
        "steps": [item for item in steps if item["step"] != "participant"],
        "participant_step": next((item for item in steps if item["step"] == "participant"), None),
        "participants": participants,
        "may_remove": allowed and hearing.status in OPEN_HEARING_STATUSES,
        "participant_error": participant_error,
        "events": selectors.hearing_events(hearing),
        "documents": available_documents(hearing),
        "record": [(label, getattr(hearing, name)) for name, label in services.RECORD_FIELDS.items()],
        "has_record": any(getattr(hearing, name) for name in services.RECORD_FIELDS),
    }
    return render(request, "workbench/leadership/hearings/detail.html", context)


@staff_required
def hearing_view(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _detail_page(request, _visible(request, hearing_id))


def _step(
    request: HttpRequest,
    hearing_id: int,
    step: str,
    run: Callable[[User, Hearing, dict[str, Any]], Any],
    done: str,
    *,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    """POST of one step's form: the service, then back to the page with the message, or the page
    again with the form and the refusal on its field."""
    hearing = _visible(request, hearing_id)
    form = STEPS[step][0](request.POST, prefix=step)
    if form.is_valid():
        try:
            run(request.user, hearing, form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as exc:
            _service_error_on(form, exc, fields=fields)
        else:
            messages.success(request, done)
            return redirect("workbench:hearing-detail", hearing.pk)
    return _detail_page(request, _visible(request, hearing_id), posted=(step, form))


@staff_required
@require_POST
def hearing_accept(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "accept",
        lambda user, hearing, d: services.hearing_accept(
            actor=user, hearing=hearing, decided_on=d["decided_on"], decision=d["decision"]
        ),
        "已同意听证申请，请发布听证公告。",
    )


@staff_required
@require_POST
def hearing_refuse(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "refuse",
        lambda user, hearing, d: services.hearing_refuse(
            actor=user, hearing=hearing, decided_on=d["decided_on"], reason=d["reason"]
        ),
        "已作出不予听证决定。",
    )


@staff_required
@require_POST
def hearing_announce(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "announce",
        lambda user, hearing, d: services.hearing_announce(
            actor=user,
            hearing=hearing,
            announced_on=d["announced_on"],
            announcement=d["announcement"],
            scheduled_at=d["scheduled_at"],
            venue=d["venue"],
        ),
        "已发布听证公告；听证通知书可在本页下载。",
    )


@staff_required
@require_POST
def hearing_add_participant(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "participant",
        lambda user, hearing, d: services.hearing_add_participant(
            actor=user, hearing=hearing, role=d["role"], name=d["name"], affiliation=d["affiliation"]
        ),
        "已增加参加人。",
    )


@staff_required
@require_POST
def hearing_remove_participant(request: HttpRequest, hearing_id: int, participant_id: int) -> HttpResponse:
    hearing = _visible(request, hearing_id)
    participant = HearingParticipant.objects.filter(pk=participant_id, hearing=hearing).first()
    if participant is None:
        raise Http404("该参加人不在本次听证的名单中。")
    try:
        services.hearing_remove_participant(
            actor=request.user,  # type: ignore[arg-type]
            hearing=hearing,
            participant=participant,
        )
    except ServiceError as exc:
        return _detail_page(request, _visible(request, hearing_id), participant_error=exc.message)
    messages.success(request, f"已移除参加人 {participant.name}。")
    return redirect("workbench:hearing-detail", hearing.pk)


@staff_required
@require_POST
def hearing_open(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "open",
        lambda user, hearing, d: services.hearing_open(
            actor=user, hearing=hearing, started_on=d["started_on"]
        ),
        "听证已开始；听证期间有关期限暂停计算。",
    )


@staff_required
@require_POST
def hearing_record(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "record",
        lambda user, hearing, d: services.hearing_record(
            actor=user,
            hearing=hearing,
            statement=d["statement"],
            questioning=d["questioning"],
            debate=d["debate"],
            deliberation=d["deliberation"],
        ),
        "已保存听证过程记录。",
    )


@staff_required
@require_POST
def hearing_conclude(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "conclude",
        lambda user, hearing, d: services.hearing_conclude(
            actor=user, hearing=hearing, conclusion=d["conclusion"], ended_on=d["ended_on"]
        ),
        "已作出听证结论，期限恢复计算；听证结论可在本页下载。",
    )


@staff_required
@require_POST
def hearing_publish(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "publish",
        lambda user, hearing, d: services.hearing_publish(
            actor=user, hearing=hearing, published_on=d["published_on"]
        ),
        "已记录听证结论公开。",
    )


@staff_required
@require_POST
def hearing_withdraw(request: HttpRequest, hearing_id: int) -> HttpResponse:
    return _step(
        request,
        hearing_id,
        "withdraw",
        lambda user, hearing, d: services.hearing_withdraw(
            actor=user, hearing=hearing, withdrawn_on=d["withdrawn_on"], reason=d["reason"]
        ),
        "已终止听证。",
    )


@staff_required
def hearing_document(request: HttpRequest, hearing_id: int, kind: str) -> HttpResponse:
    hearing = _visible(request, hearing_id)
    try:
        filename, content = render_document(hearing, kind)
    except ServiceError as exc:
        raise Http404(exc.message) from None
    return file_download(content, filename, DOCX_MIME)
