"""The staff statistics page (统计分析): filters, key figures with their change, charts, the
generated text, the cases behind each figure, and the .docx / .xlsx / .json downloads.

An adapter only: the figures come from `xinfang.statistics.figures` (`compute_report`,
`figure_cases`), every number and change is written by the report vocabulary
(`xinfang.statistics.templatetags.report_tags` over `render_context.FigureView`), and the files
are the renderings of `xinfang.statistics.render`, exactly as the `report` command writes them.
Who may ask for which organisation: an organ sees itself and the organs under it in the
organisation tree; the case lists behind the figures go through the access policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from xinfang.cases.documents import DOCX_MIME
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Org, User
from xinfang.orgs.selectors import user_orgs
from xinfang.statistics import figures
from xinfang.statistics.access import reportable_orgs
from xinfang.statistics.figure import FIGURES, Report
from xinfang.statistics.indicators import Comparison
from xinfang.statistics.management.commands.report import DEFAULT_TEMPLATE
from xinfang.statistics.models import ReportJob, ReportTemplate
from xinfang.statistics.render import Rendered, ReportTemplateError
from xinfang.statistics.render import render as render_report
from xinfang.statistics.render_context import FigureView, period_words
from xinfang.statistics.templatetags.report_tags import compared
from xinfang.workbench.cases import case_page, staff_required
from xinfang.workbench.downloads import XLSX_MIME
from xinfang.workbench.form_helpers import quick_period as shared_quick_period
from xinfang.workbench.statistics_import import may_import

DOWNLOADS = {
    "docx": ("Word", DOCX_MIME),
    "xlsx": ("Excel", XLSX_MIME),
    "json": ("JSON", "application/json; charset=utf-8"),
}
NO_ORGS = "您的账号不属于任何机构，不能查看统计分析。"
ORG_REFUSED = "您无权查看该机构的统计。"
RECENT_JOBS = 5

# The key figures shown as cards: a title and the figures it shows (来访: 批 and 人次).
CARDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("信访总量", ("信访总量.件次", "信访总量.人次")),
    ("来信", ("来信.件次",)),
    ("网上信访", ("网上信访.件次",)),
    ("来访", ("来访.批次", "来访.人次")),
    ("集体访", ("来访.集体访.批次", "来访.集体访.人次")),
    ("重复率", ("重复率",)),
    ("受理率", ("受理率",)),
    ("按期办结率", ("按期办结率",)),
    ("满意率", ("满意率.信访部门", "满意率.责任单位")),
)
# The charts and the breakdown each draws (see statistics.js).
CHARTS = {"categories": "内容分类", "channels": "信访形式", "regions": "问题属地", "units": "责任单位"}
TREND = "月度"
CHART_KEY = "信访总量.件次"

QUICK_PERIODS = [
    ("", "自定义"),
    ("month", "本月"),
    ("quarter", "本季度"),
    ("year", "本年"),
    ("half", "上半年"),
]
COMPARISONS = [("yoy", "同比"), ("mom", "环比"), ("none", "不比较")]
_COMPARISON = {"yoy": Comparison.YOY, "mom": Comparison.MOM, "none": None}


# ---------------------------------------------------------------- the filters


class DateInput(forms.DateInput):
    input_type = "date"


# The page's quick choices as the workbench's shared quick periods name them.
_QUICK = {"month": "this_month", "quarter": "this_quarter", "half": "first_half", "year": "this_year"}


def quick_period(choice: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """本月 / 本季度 / 本年 / 上半年 of `today`'s year, ending no later than today."""
    return shared_quick_period(_QUICK.get(choice, "this_year"), today)


class StatisticsForm(forms.Form):
    org = forms.TypedChoiceField(label="机构", coerce=int, error_messages={"invalid_choice": ORG_REFUSED})
    period = forms.ChoiceField(label="快捷期间", choices=QUICK_PERIODS, required=False)
    start = forms.DateField(label="起始日期", required=False, widget=DateInput)
    end = forms.DateField(label="截止日期", required=False, widget=DateInput)
    compare = forms.ChoiceField(label="对比", choices=COMPARISONS, required=False)
    template = forms.ChoiceField(label="报告模板", required=False)

    def __init__(self, *args: Any, orgs: list[Org], templates: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {org.pk: org for org in orgs}
        self.fields["org"].choices = [(org.pk, org.name) for org in orgs]
        self.fields["org"].error_messages["required"] = "请选择机构。"
        self.fields["template"].choices = [(name, name) for name in templates]
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = "请填写日期（年-月-日）。"
        self.fields["template"].error_messages["invalid_choice"] = "没有这个启用的报告模板。"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        if self.errors:
            return data
        if data.get("period"):
            data["start"], data["end"] = quick_period(data["period"], local_date())
        elif not data.get("start") or not data.get("end"):
            for name in ("start", "end"):
                if not data.get(name):
                    self.add_error(name, "请填写日期，或选择快捷期间。")
            return data
        if data["end"] < data["start"]:
            self.add_error("end", "截止日期早于起始日期。")
        return data

    @property
    def chosen_org(self) -> Org:
        return self.orgs[self.cleaned_data["org"]]

    @property
    def comparison(self) -> Comparison | None:
        return _COMPARISON[self.cleaned_data.get("compare") or "yoy"]

    def hidden_filters(self) -> list[tuple[str, str]]:
        """The filters as the hidden fields of the download buttons' form (the period as dates)."""
        data = self.cleaned_data
        return [
            ("org", str(data["org"])),
            ("start", data["start"].isoformat()),
            ("end", data["end"].isoformat()),
            ("compare", data.get("compare") or "yoy"),
            ("template", data.get("template") or ""),
        ]

    def query(self) -> str:
        """The filters as a query string, with the period as dates (for the links)."""
        return urlencode(self.hidden_filters())


def _templates() -> list[str]:
    names = list(
        ReportTemplate.objects.filter(is_active=True, kind=ReportTemplate.Kind.REPORT).values_list(
            "name", flat=True
        )
    )
    if DEFAULT_TEMPLATE in names:  # the default first, as the report command chooses it
        names.remove(DEFAULT_TEMPLATE)
        names.insert(0, DEFAULT_TEMPLATE)
    return names


class NoOrgs(Exception):
    """The user belongs to no organisation: there is nothing they may report on."""


def refused(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/forbidden.html", {"message": NO_ORGS}, status=403)


def filters_form(request: HttpRequest, params: QueryDict | None = None) -> StatisticsForm:
    """The filters of the request (its query string, or `params`); without any, this year; without
    an organisation, the user's first."""
    user: User = request.user  # type: ignore[assignment]
    orgs = reportable_orgs(user)
    if not orgs:
        raise NoOrgs
    templates = _templates()
    data = (request.GET if params is None else params).copy()
    if not data:
        data.update({"period": "year", "compare": "yoy"})
    if not data.get("org"):  # a link that names only a period: the user's own organisation
        own = list(user_orgs(user).order_by("path", "pk")[:1])
        data["org"] = str((own or orgs)[0].pk)
    if not data.get("template") and templates:
        data["template"] = templates[0]
    form = StatisticsForm(data, orgs=orgs, templates=templates)
    form.is_valid()
    return form


# ---------------------------------------------------------------- the page's values


@dataclass(frozen=True)
class CardFigure:
    key: str
    value: str  # as a report prints it: "1,530", "94.65%"
    unit: str
    change: str  # "同比减少8.4%", "去年同期为零"; "" without a comparison
    cases_query: str
    note: str = ""  # which of a card's figures: 信访部门 / 责任单位


@dataclass(frozen=True)
class Card:
    title: str
    figures: list[CardFigure]


def _view(report: Report, key: str) -> FigureView:
    return FigureView(report.figures[key], report.comparison)


def cards(report: Report, query: str) -> list[Card]:
    found = []
    for title, keys in CARDS:
        shown = []
        for key in keys:
            view = _view(report, key)
            unit = FIGURES[key].unit
            shown.append(
                CardFigure(
                    key=key,
                    value=str(view),
                    unit="" if unit == "%" else unit,
                    change=compared(view),
                    cases_query=f"{query}&{urlencode({'key': key})}",
                    note=key.split(".", 1)[1] if key.startswith("满意率.") else "",
                )
            )
        found.append(Card(title, shown))
    return found


def chart_data(report: Report) -> dict[str, Any]:
    """The breakdowns the charts draw, as plain numbers (passed to statistics.js by json_script)."""

    def count(value: object) -> int:
        return value if isinstance(value, int) else 0

    months = report.breakdowns.get(TREND, ())
    data: dict[str, Any] = {
        "trend": {
            "labels": [row.label for row in months],
            "current": [count(row.figures[CHART_KEY].current) for row in months],
            "previous": (
                [count(row.figures[CHART_KEY].previous) for row in months] if report.comparison else None
            ),
            "currentName": period_words(report.start, report.end),
            "previousName": (
                period_words(report.compare_start, report.compare_end)
                if report.compare_start and report.compare_end
                else ""
            ),
        }
    }
    for chart, name in CHARTS.items():
        rows = report.breakdowns.get(name, ())
        data[chart] = [{"name": row.label, "value": count(row.figures[CHART_KEY].current)} for row in rows]
    return data


def _rendered(form: StatisticsForm, report: Report) -> tuple[Rendered | None, str]:
    """The chosen template on the report, or the template's error (with its line) to show."""
    name = form.cleaned_data.get("template")
    template = (
        ReportTemplate.objects.filter(is_active=True, kind=ReportTemplate.Kind.REPORT, name=name).first()
        if name
        else None
    )
    if template is None:
        return None, "没有启用的报告模板：请在后台启用一个。"
    try:
        return render_report(template.title, template.body, report), ""
    except ReportTemplateError as exc:
        return None, f"报告模板“{template.name}”{exc}"


# ---------------------------------------------------------------- views


def recent_jobs(user: User) -> list[ReportJob]:
    """The user's last few report files, newest first (shown under the downloads)."""
    return list(
        ReportJob.objects.filter(requested_by=user)
        .select_related("org")
        .defer("content")
        .order_by("-created_at", "-id")[:RECENT_JOBS]
    )


@staff_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    try:
        form = filters_form(request)
    except NoOrgs:
        return refused(request)
    context: dict[str, Any] = {
        "form": form,
        "downloads": DOWNLOADS,
        "may_import": may_import(request.user),  # type: ignore[arg-type]
    }
    if form.is_valid():
        report = figures.compute_report(
            org=form.chosen_org,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            comparison=form.comparison,
        )
        query = form.query()
        rendered, template_error = _rendered(form, report)
        context.update(
            report=report,
            period=period_words(report.start, report.end),
            compare_period=(
                period_words(report.compare_start, report.compare_end)
                if report.compare_start and report.compare_end
                else ""
            ),
            cards=cards(report, query),
            charts=chart_data(report),
            rendered=rendered,
            template_error=template_error,
            query=query,
            hidden=form.hidden_filters(),
            jobs=recent_jobs(request.user),  # type: ignore[arg-type]
        )
    return render(request, "workbench/statistics/page.html", context, status=200 if form.is_valid() else 400)


@staff_required
def figure_case_list(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure of the page, under the access policy (the case list's rows)."""
    try:
        form = filters_form(request)
    except NoOrgs:
        return refused(request)
    key = request.GET.get("key", "")
    if key not in FIGURES:
        raise Http404("没有这个统计指标。")
    if not form.is_valid():
        return render(
            request, "workbench/statistics/page.html", {"form": form, "downloads": DOWNLOADS}, status=400
        )
    data = form.cleaned_data
    try:
        cases = figures.figure_cases(
            request.user,  # type: ignore[arg-type]
            org=form.chosen_org,
            key=key,
            start=data["start"],
            end=data["end"],
        )
    except KeyError:
        raise Http404("该指标不对应信访件。") from None
    cases = cases.select_related("current_org", "category").order_by("-registered_at", "-id")
    page, overdue_ids = case_page(request, cases)
    return render(
        request,
        "workbench/statistics/cases.html",
        {
            "page": page,
            "term": FIGURES[key],
            "org": form.chosen_org,
            "period": period_words(data["start"], data["end"]),
            "query": f"{form.query()}&{urlencode({'key': key})}",
            "back": form.query(),
            "overdue_ids": overdue_ids,
        },
    )
