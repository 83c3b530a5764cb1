"""Staff pages of 积案化解 campaigns: the list, a new campaign, the dashboard (挂图作战: figures
against the target, per-unit bars, the items with those past their plan date in red), one item
with its record, the forms of each step, and the 进度通报 downloads.

Reads go through ``xinfang.leadership.selectors.campaigns`` (a campaign or item the user may not
see is a 404); changes through ``xinfang.leadership.services.campaigns``, whose refusals come
back on the form. The ``may_*`` helpers only decide which forms are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.cases.selectors import cases_visible_to
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.leadership import campaign_figures as figures
from xinfang.leadership.campaign_reports import render_report
from xinfang.leadership.models.campaigns import (
    Campaign,
    CampaignItem,
    CampaignSource,
    Denominator,
)
from xinfang.leadership.selectors import campaigns as selectors
from xinfang.leadership.services import campaigns as services
from xinfang.orgs.models import Org, User
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import file_download
from xinfang.workbench.form_helpers import IsoDateInput as DateInput
from xinfang.workbench.form_helpers import service_error_on

PER_PAGE = 30
MAX_CASES_AT_ONCE = 200
NUMBER_SPLIT = re.compile(r"[\s,，、;；]+")


# ---------------------------------------------------------------- forms


class CampaignForm(forms.Form):
    org = forms.TypedChoiceField(label="牵头机关", coerce=int)
    name = TextField(
        label="批次名称",
        max_length=services.MAX_NAME,
        widget=forms.TextInput(attrs={"placeholder": "如：中央第三批交办信访积案"}),
        error_messages={"required": "请填写批次名称。"},
    )
    source = forms.ChoiceField(
        label="来源",
        choices=[("", "请选择"), *CampaignSource.choices],
        error_messages={"required": "请选择来源。"},
    )
    received_on = forms.DateField(
        label="交办日期",
        widget=DateInput,
        error_messages={"required": "请填写交办日期。", "invalid": "交办日期应为日期（年-月-日）。"},
    )
    deadline = forms.DateField(
        label="完成期限",
        widget=DateInput,
        error_messages={"required": "请填写完成期限。", "invalid": "完成期限应为日期（年-月-日）。"},
    )
    target_rate = forms.DecimalField(
        label="化解率目标（%）",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
        error_messages={
            "required": "请填写化解率目标。",
            "invalid": "化解率目标应为数字。",
            "min_value": "化解率目标应为 0 至 100 之间的数（百分比）。",
            "max_value": "化解率目标应为 0 至 100 之间的数（百分比）。",
            "max_digits": "化解率目标应为 0 至 100 之间的数（百分比）。",
            "max_decimal_places": "化解率目标最多保留一位小数。",
        },
    )
    denominator = forms.ChoiceField(
        label="统计口径（办结提交率、化解率的分母）",
        choices=[("", "请选择"), *Denominator.choices],
        error_messages={"required": "请选择统计口径。"},
    )
    note = TextField(
        label="工作要求",
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "如：按周、月、季化解工作进度计划推进，逐件对账销号"}
        ),
    )

    def __init__(self, *args: Any, orgs: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {org.pk: org for org in orgs}
        self.fields["org"].choices = [(org.pk, org.name) for org in orgs]
        if len(orgs) == 1:
            self.fields["org"].widget = forms.HiddenInput()
            self.fields["org"].initial = orgs[0].pk
        self.fields["received_on"].widget.attrs["max"] = local_date().isoformat()


class AddItemsForm(forms.Form):
    numbers = TextField(
        label="信访件编号",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "每行一个，或以逗号、空格分隔"}),
        error_messages={"required": "请填写要列入的信访件编号。"},
    )
    unit = forms.TypedChoiceField(
        label="责任单位", coerce=int, error_messages={"required": "请选择责任单位。"}
    )
    leader = forms.TypedChoiceField(label="包案领导", coerce=int, required=False, empty_value=None)
    plan_on = forms.DateField(
        label="计划完成日期",
        widget=DateInput,
        error_messages={"required": "请填写计划完成日期。", "invalid": "计划完成日期应为日期（年-月-日）。"},
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {org.pk: org for org in selectors.unit_choices(campaign)}
        self.leaders = {user.pk: user for user in selectors.leader_choices(campaign)}
        self.fields["unit"].choices = [("", "请选择"), *((pk, org.name) for pk, org in self.units.items())]
        self.fields["leader"].choices = [
            ("", "暂不确定"),
            *((pk, str(user)) for pk, user in self.leaders.items()),
        ]
        self.fields["plan_on"].widget.attrs.update(
            min=campaign.received_on.isoformat(), max=campaign.deadline.isoformat()
        )

    def clean_numbers(self) -> list[str]:
        numbers = [n for n in NUMBER_SPLIT.split(self.cleaned_data["numbers"]) if n]
        if not numbers:
            raise forms.ValidationError("请填写要列入的信访件编号。")
        if len(numbers) > MAX_CASES_AT_ONCE:
            raise forms.ValidationError(f"一次最多列入 {MAX_CASES_AT_ONCE} 件。")
        return numbers


class ItemUpdateForm(forms.Form):
    unit = forms.TypedChoiceField(
        label="责任单位", coerce=int, error_messages={"required": "请选择责任单位。"}
    )
    leader = forms.TypedChoiceField(label="包案领导", coerce=int, required=False, empty_value=None)
    plan_on = forms.DateField(
        label="计划完成日期",
        widget=DateInput,
        error_messages={"required": "请填写计划完成日期。", "invalid": "计划完成日期应为日期（年-月-日）。"},
    )
    note = TextField(
        label="进展情况",
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, item: CampaignItem, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"unit": item.unit_id, "leader": item.leader_id, "plan_on": item.plan_on, "note": item.note},
        )
        super().__init__(*args, **kwargs)
        campaign = item.campaign
        self.units = {org.pk: org for org in selectors.unit_choices(campaign)}
        self.units.setdefault(item.unit_id, item.unit)
        self.leaders = {user.pk: user for user in selectors.leader_choices(campaign)}
        if item.leader is not None:
            self.leaders.setdefault(item.leader.pk, item.leader)
        self.fields["unit"].choices = [(pk, org.name) for pk, org in self.units.items()]
        self.fields["leader"].choices = [("", "暂不确定"), *((pk, str(u)) for pk, u in self.leaders.items())]
        self.fields["plan_on"].widget.attrs.update(
            min=campaign.received_on.isoformat(), max=campaign.deadline.isoformat()
        )


class ProgressForm(forms.Form):
    stage = forms.ChoiceField(
        label="进展阶段",
        choices=[(stage, figures.STAGE_LABELS[stage]) for stage in figures.STAGES],
        error_messages={
            "required": "请选择进展阶段。",
            "invalid_choice": "进展阶段应为办结提交、申请化解或实体化解。",
        },
    )
    on = forms.DateField(
        label="日期",
        widget=DateInput,
        error_messages={"required": "请填写日期。", "invalid": "日期应为年-月-日。"},
    )
    note = TextField(
        label="进展情况（选填）",
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    back = forms.ChoiceField(choices=[("item", "item"), ("campaign", "campaign")], required=False)

    def __init__(self, *args: Any, stage: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"stage": stage, "on": local_date()})
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = local_date().isoformat()
        if stage is not None:
            self.fields["stage"].widget = forms.HiddenInput()


class UndoForm(forms.Form):
    reason = TextField(
        label="撤销理由",
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写撤销理由。"},
    )


# ---------------------------------------------------------------- helpers


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = selectors.campaign_detail(_user(request), campaign_id)
    if campaign is None:
        raise Http404("积案化解批次不存在或您无权查看。")
    return campaign


def _item(request: HttpRequest, item_id: int) -> CampaignItem:
    item = selectors.item_detail(_user(request), item_id)
    if item is None:
        raise Http404("积案事项不存在或您无权查看。")
    return item


def next_stage(item: CampaignItem) -> str | None:
    for stage in figures.STAGES:
        if getattr(item, f"{stage}_on") is None:
            return stage
    return None


def may_step(user: User, item: CampaignItem, *, organiser: bool) -> str | None:
    """The next milestone ``user`` may record on ``item`` (None: show no form)."""
    stage = next_stage(item)
    if stage is None:
        return None
    if stage == "resolved":
        return stage if organiser else None
    return stage if organiser or services.may_report(user, item) else None


def _rate_card(rate: figures.Rate) -> dict[str, Any]:
    return {"text": rate.text(), "value": rate.value}


def _tally_row(row: figures.Tally) -> dict[str, Any]:
    return {
        "label": row.label,
        "total": row.total,
        "counted": row.counted,
        "submitted": row.submitted,
        "submitted_rate": row.submitted_rate.text(),
        "applied": row.applied,
        "resolved": row.resolved,
        "resolved_rate": row.resolved_rate.text(),
        "overdue": row.overdue,
    }


ITEM_FIELDS = {"unit": "unit", "leader": "leader", "plan_on": "plan_on", "case": "numbers"}


def _items_error(form: forms.Form, exc: ServiceError) -> None:
    """``items[2].unit`` names the row; the form has one field of each kind."""
    field = (exc.field or "").rpartition(".")[2]
    service_error_on(form, exc, fields={field: ITEM_FIELDS.get(field, field), "items": "numbers"})


# ---------------------------------------------------------------- the list and a new campaign


@staff_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(selectors.campaigns_visible_to(user), PER_PAGE).get_page(request.GET.get("page"))
    today = local_date()
    rows = []
    for campaign in page:
        shown = selectors.figure_items(selectors.campaign_items(user, campaign))
        total = figures.tally(shown, as_of=today, denominator=campaign.denominator)
        rows.append({"campaign": campaign, "total": total, "late": campaign.deadline < today})
    return render(
        request,
        "workbench/leadership/campaigns/list.html",
        {"page": page, "rows": rows, "may_create": bool(selectors.organiser_orgs(user))},
    )


@staff_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = selectors.organiser_orgs(user)
    if not orgs:
        raise PermissionDenied("只有信访部门或党委政府办公室的工作人员可以建立积案化解批次。")
    form = CampaignForm(
        request.POST or None,
        orgs=orgs,
        initial={"target_rate": Decimal(90), "denominator": Denominator.ALL},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = form.orgs.get(data["org"])
        try:
            if org is None:
                raise ServiceError("请选择牵头机关。", field="org")
            campaign = services.campaign_create(
                actor=user,
                org=org,
                name=data["name"],
                source=data["source"],
                received_on=data["received_on"],
                deadline=data["deadline"],
                target_rate=data["target_rate"],
                denominator=data["denominator"],
                note=data["note"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, f"已建立积案化解批次“{campaign.name}”，请列入积案事项。")
            return redirect("workbench:campaign-detail", campaign.pk)
    return render(request, "workbench/leadership/campaigns/new.html", {"form": form})


# ---------------------------------------------------------------- the dashboard


def _dashboard(
    request: HttpRequest, campaign: Campaign, *, add_form: AddItemsForm | None = None
) -> HttpResponse:
    user = _user(request)
    today = local_date()
    organiser = services.may_organise(user, campaign)
    items = list(selectors.campaign_items(user, campaign))
    rows = selectors.figure_items(items)
    by_key = {row.key: row for row in rows}
    total = figures.tally(rows, as_of=today, denominator=campaign.denominator)
    units = figures.by_unit(rows, as_of=today, denominator=campaign.denominator)
    leaders = figures.by_leader(rows, as_of=today, denominator=campaign.denominator)
    target = Decimal(campaign.target_rate)
    met = figures.meets_target(total.resolved_rate, target)
    table = []
    for item in items:
        row = by_key[item.pk]
        stage = may_step(user, item, organiser=organiser)
        table.append(
            {
                "item": item,
                "stage": row.stage_as_of(today),
                "stage_label": figures.STAGE_LABELS[row.stage_as_of(today)],
                "overdue": row.overdue(today),
                "days_overdue": row.days_overdue(today),
                "next": stage,
                "next_label": figures.STAGE_LABELS[stage] if stage else "",
            }
        )
    chart = {
        "units": [u.label for u in units],
        "series": [
            {"key": key, "name": figures.STAGE_LABELS[key], "data": [u.stacked()[key] for u in units]}
            for key in ("resolved", "applied", "submitted", "none")
        ],
    }
    org = campaign.org
    context = {
        "campaign": campaign,
        "today": today,
        "organiser": organiser,
        "total": total,
        "submitted_rate": _rate_card(total.submitted_rate),
        "resolved_rate": _rate_card(total.resolved_rate),
        "target": figures.target_text(target),
        "met": met,
        "headline": figures.headline(
            name=campaign.name,
            handed_down=campaign.source != CampaignSource.LOCAL,
            place=figures.place_word(org.region.name, org.level),
            figures=total,
            denominator=campaign.denominator,
            target=target,
            sign="%",
        ),
        "units": [_tally_row(u) for u in units],
        "leaders": [_tally_row(r) for r in leaders],
        "table": table,
        "chart": chart,
        "sees_every_item": selectors.sees_every_item(user, campaign),
        "add_form": add_form or (AddItemsForm(campaign=campaign) if organiser else None),
        "periods": [("week", "周通报"), ("month", "月通报")],
    }
    return render(request, "workbench/leadership/campaigns/detail.html", context)


@staff_required
def campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _dashboard(request, _campaign(request, campaign_id))


@staff_required
@require_POST
def campaign_items_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = _user(request)
    campaign = _campaign(request, campaign_id)
    if not services.may_organise(user, campaign):
        raise PermissionDenied(f"只有{campaign.org.name}的工作人员可以列入积案事项。")
    form = AddItemsForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        numbers: list[str] = data["numbers"]
        found = {case.number: case for case in cases_visible_to(user).filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        unit = form.units.get(data["unit"])
        leader = form.leaders.get(data["leader"]) if data["leader"] is not None else None
        if missing:
            form.add_error("numbers", f"信访件 {'、'.join(missing[:10])} 不存在或您无权查看。")
        elif unit is None:
            form.add_error("unit", "请选择辖区内的责任单位。")
        elif data["leader"] is not None and leader is None:
            form.add_error("leader", "请选择辖区内机关的领导。")
        else:
            try:
                added = services.campaign_add_items(
                    actor=user,
                    campaign=campaign,
                    items=[(found[n], unit, leader, data["plan_on"]) for n in dict.fromkeys(numbers)],
                )
            except ServiceError as exc:
                _items_error(form, exc)
            else:
                messages.success(request, f"已列入 {len(added)} 件积案，责任单位：{unit.name}。")
                return redirect("workbench:campaign-detail", campaign.pk)
    return _dashboard(request, campaign, add_form=form)


# ---------------------------------------------------------------- one item


def _item_page(
    request: HttpRequest,
    item: CampaignItem,
    *,
    progress_form: ProgressForm | None = None,
    update_form: ItemUpdateForm | None = None,
    undo_form: UndoForm | None = None,
) -> HttpResponse:
    user = _user(request)
    today = local_date()
    organiser = services.may_organise(user, item.campaign)
    stage = may_step(user, item, organiser=organiser)
    row = selectors.figure_items([item])[0]
    latest = services.latest_stage(item)
    events = list(selectors.item_events(item))
    for event in events:
        event.stage_label = figures.STAGE_LABELS.get(event.stage, "")  # type: ignore[attr-defined]
    context = {
        "item": item,
        "campaign": item.campaign,
        "case": item.case,
        "events": events,
        "overdue": row.overdue(today),
        "days_overdue": row.days_overdue(today),
        "stage_label": figures.STAGE_LABELS[row.stage_as_of(today)],
        "next_label": figures.STAGE_LABELS[stage] if stage else "",
        "progress_form": progress_form or (ProgressForm(stage=stage) if stage else None),
        "update_form": update_form or (ItemUpdateForm(item=item) if organiser else None),
        "undo_form": undo_form or (UndoForm() if organiser and latest else None),
        "latest_label": figures.STAGE_LABELS[latest] if latest else "",
    }
    return render(request, "workbench/leadership/campaigns/item.html", context)


@staff_required
def campaign_item_view(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_page(request, _item(request, item_id))


@staff_required
@require_POST
def campaign_item_progress(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    form = ProgressForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = services.campaign_item_progress(
                actor=_user(request), item=item, stage=data["stage"], on=data["on"], note=data["note"]
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            label = figures.STAGE_LABELS[data["stage"]]
            messages.success(request, f"已记录信访件 {done.case.number} {label}（{data['on']:%Y-%m-%d}）。")
            if data.get("back") == "campaign":
                return redirect(
                    reverse("workbench:campaign-detail", args=[done.campaign_id]) + f"#item-{done.pk}"
                )
            return redirect("workbench:campaign-item", done.pk)
    return _item_page(request, item, progress_form=form)


@staff_required
@require_POST
def campaign_item_update(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    form = ItemUpdateForm(request.POST, item=item)
    if form.is_valid():
        data = form.cleaned_data
        unit = form.units.get(data["unit"])
        leader = form.leaders.get(data["leader"]) if data["leader"] is not None else None
        try:
            if unit is None:
                raise ServiceError("请选择辖区内的责任单位。", field="unit")
            services.campaign_item_update(
                actor=_user(request),
                item=item,
                unit=unit,
                leader=leader,
                plan_on=data["plan_on"],
                note=data["note"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, "已保存积案事项的调整。")
            return redirect("workbench:campaign-item", item.pk)
    return _item_page(request, item, update_form=form)


@staff_required
@require_POST
def campaign_item_undo(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    form = UndoForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_item_undo(actor=_user(request), item=item, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, "已撤销该事项的最近一项进展。")
            return redirect("workbench:campaign-item", item.pk)
    return _item_page(request, item, undo_form=form)


# ---------------------------------------------------------------- the report


def report_date(text: str | None, *, today: dt.date) -> dt.date:
    """The ``on`` of a report: YYYY-MM-DD, not after today; today when absent."""
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError("通报日期应为年-月-日（YYYY-MM-DD）。", field="on") from None
    if day > today:
        raise ServiceError("通报日期不能晚于今天。", field="on")
    return day


@staff_required
def campaign_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = _user(request)
    campaign = _campaign(request, campaign_id)
    try:
        as_of = report_date(request.GET.get("on"), today=local_date())
        name, content, mime = render_report(
            campaign,
            list(selectors.campaign_items(user, campaign)),
            period=request.GET.get("period") or "week",
            fmt=request.GET.get("format") or "docx",
            as_of=as_of,
        )
    except ServiceError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    return file_download(content, name, mime)
