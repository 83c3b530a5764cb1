"""The unit assessment pages (目标管理考核): the schemes, a period's ranking with its chart, one unit's
items, the cases behind an item's figure, 定稿 and 发布, and the .xlsx and 通报 (.docx) downloads.

An adapter only: the scores are `xinfang.assessment.standings` (computed once per request, a
compute_report per assessed unit), who sees what is `xinfang.assessment.selectors.visibility`
(the one rule of the page, its cases and its files), the actions are
`xinfang.assessment.services` and the files `xinfang.assessment.outputs`. 《信访工作条例》第三十九条:
the assessment of the units' 信访 work, whose results the bureau freezes and then publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.assessment import outputs
from xinfang.assessment.models import RuleChoice, Scheme, SchemeItem, Scorecard
from xinfang.assessment.periods import PERIODS, counted_span, default_period, period_label, started_periods
from xinfang.assessment.scoring import Aspect, Difference, UnitRow
from xinfang.assessment.selectors import Visibility, schemes_visible_to, visibility
from xinfang.assessment.services import AssessmentError, scorecard_freeze, scorecard_publish
from xinfang.assessment.standings import Standing, Standings, drill_keys, standings
from xinfang.cases.documents import DOCX_MIME
from xinfang.core.timeutil import local_date, now
from xinfang.orgs.models import Org, User
from xinfang.statistics import figures
from xinfang.statistics.figure import FIGURES
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render import ReportTemplateError
from xinfang.statistics.render_context import period_words
from xinfang.workbench.cases import case_page, staff_required
from xinfang.workbench.downloads import XLSX_MIME, file_download

NOT_PUBLISHED = "考核结果发布后可查看排名。"
NO_PERIOD = "没有这个考核期间。"
DOWNLOAD_REFUSED = "考核结果发布后才能下载得分表和通报。"
NO_TEMPLATE = "没有启用的考核通报模板：请在后台启用一个。"


# ---------------------------------------------------------------- the scheme and its period


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _scheme(request: HttpRequest, scheme_id: int) -> Scheme:
    """The scheme if the user may see it; 404 otherwise (its existence is nobody else's business)."""
    return get_object_or_404(schemes_visible_to(_user(request)), pk=scheme_id)


def _period(request: HttpRequest, scheme: Scheme) -> str | None:
    """The period asked for (`?period=`), else the one being assessed; 404 for a period that is
    not one of the scheme's year or has not begun; None while the year has not begun at all."""
    started = started_periods(scheme.year, local_date())
    period = request.GET.get("period", "")
    if not period:
        chosen = default_period(scheme.year, local_date())
        return chosen if chosen in started else None
    if period not in started:
        raise Http404(NO_PERIOD)
    return period


def _ranking_url(scheme: Scheme, period: str | None) -> str:
    url = reverse("workbench:assessment-ranking", args=[scheme.pk])
    return f"{url}?{urlencode({'period': period})}" if period else url


def _tabs(scheme: Scheme, chosen: str | None) -> list[dict[str, Any]]:
    return [
        {"key": key, "label": PERIODS[key], "url": _ranking_url(scheme, key), "active": key == chosen}
        for key in started_periods(scheme.year, local_date())
    ]


# ---------------------------------------------------------------- the page's rows


@dataclass(frozen=True)
class Cell:
    points: str
    title: str  # the figure and the reason, on hover


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    unit_id: int
    unit_name: str
    url: str  # the unit's page; "" where the user may not see its items
    cells: list[Cell]
    total: str
    change: str


def _unit_url(scheme: Scheme, unit_id: int, period: str) -> str:
    url = reverse("workbench:assessment-unit", args=[scheme.pk, unit_id])
    return f"{url}?{urlencode({'period': period})}"


def _ranking_rows(table: Standings, shown: list[Standing], seen: Visibility) -> list[RankingRow]:
    rows = []
    for standing in shown:
        row = standing.row
        unit_id = int(row.unit_key)
        cells = []
        for item in table.items:
            found = row.item(item.name)
            if found is None:
                cells.append(Cell("", ""))
                continue
            # The reason usually names the figure already ("按期办结率96.50%，…").
            title = (
                found.reason if found.figure_text in found.reason else f"{found.figure_text}；{found.reason}"
            )
            cells.append(Cell(outputs.points_text(found.points), title))
        rows.append(
            RankingRow(
                rank=row.rank,
                unit_id=unit_id,
                unit_name=row.unit_name,
                url=_unit_url(table.scheme, unit_id, table.period) if seen.sees_row(unit_id) else "",
                cells=cells,
                total=outputs.points_text(row.total),
                change=outputs.change_words(standing.change),
            )
        )
    return rows


def _differences(table: Standings, seen: Visibility) -> list[Difference]:
    """The changes since 定稿 the user may see: every one with the ranking, else their own units'
    items and totals (another unit's move would show through a rank)."""
    if seen.ranking:
        return table.differences
    return [d for d in table.differences if seen.sees_row(int(d.unit)) and d.aspect is not Aspect.RANK]


def _chart(table: Standings) -> dict[str, Any]:
    """The totals the bar chart draws (to assessment.js by json_script), in rank order, and the
    full marks its axis runs to."""
    return {
        "names": [s.row.unit_name for s in table.rows],
        "totals": [float(s.row.total) for s in table.rows],
        "fullMarks": float(table.full_marks),
    }


def _notice_templates() -> list[str]:
    return list(
        ReportTemplate.objects.filter(is_active=True, kind=ReportTemplate.Kind.NOTICE)
        .order_by("name")
        .values_list("name", flat=True)
    )


# ---------------------------------------------------------------- pages


@staff_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The schemes the user's organs assess or are assessed by, newest year first."""
    today = local_date()
    schemes = (
        schemes_visible_to(_user(request))
        .annotate(unit_count=Count("units", distinct=True), item_count=Count("items", distinct=True))
        .order_by("-year", "name", "pk")
    )
    frozen: dict[int, list[Scorecard]] = {}
    for card in Scorecard.objects.filter(scheme__in=[s.pk for s in schemes]).order_by("start", "period"):
        frozen.setdefault(card.scheme_id, []).append(card)
    years: dict[int, list[dict[str, Any]]] = {}
    for scheme in schemes:
        period = default_period(scheme.year, today)
        started = period in started_periods(scheme.year, today)
        years.setdefault(scheme.year, []).append(
            {
                "scheme": scheme,
                "url": _ranking_url(scheme, period if started else None),
                "period": PERIODS[period] if started else "",
                "cards": [
                    {
                        "label": PERIODS.get(card.period, card.period),
                        "published": card.published_at is not None,
                    }
                    for card in frozen.get(scheme.pk, [])
                ],
            }
        )
    return render(request, "workbench/assessment/list.html", {"years": sorted(years.items(), reverse=True)})


@staff_required
def assessment_ranking(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _scheme(request, scheme_id)
    period = _period(request, scheme)
    context: dict[str, Any] = {"scheme": scheme, "period": period, "tabs": _tabs(scheme, period)}
    if period is None:  # the scheme's year has not begun: nothing to score yet
        return render(request, "workbench/assessment/ranking.html", context)
    table = standings(scheme, period)
    seen = visibility(_user(request), scheme, table.card)
    shown = table.rows if seen.ranking else [s for s in table.rows if seen.sees_row(int(s.row.unit_key))]
    published = table.card is not None and table.card.published_at is not None
    context.update(
        table=table,
        seen=seen,
        rows=_ranking_rows(table, shown, seen),
        differences=_differences(table, seen) if table.frozen else [],
        chart=_chart(table) if seen.ranking and table.rows else None,
        # 定稿 is of a closed period (services.scorecard_freeze): no button while it runs.
        may_freeze=seen.may_freeze and not table.frozen and table.end < local_date(),
        running=not table.frozen and table.end >= local_date(),
        may_publish=seen.may_publish and table.frozen and not published,
        published=published,
        notice_templates=_notice_templates() if seen.ranking else [],
        not_published=NOT_PUBLISHED,
        full_marks=outputs.points_text(table.full_marks),
        span=period_words(table.start, table.end),
        year_words=f"{scheme.year}年",  # the whole year's span says no more than its label
    )
    return render(request, "workbench/assessment/ranking.html", context)


def _unit(scheme: Scheme, unit_id: int, seen: Visibility) -> Org:
    """An assessed unit whose items the user may see; 404 otherwise."""
    if not seen.sees_row(unit_id):
        raise Http404("您无权查看该单位的考核得分。")
    return get_object_or_404(scheme.units.all(), pk=unit_id)


def _row(table: Standings, unit: Org) -> Standing:
    found = next((s for s in table.rows if s.row.unit_key == str(unit.pk)), None)
    if found is None:  # a unit added to the scheme after the period was frozen
        raise Http404("该单位不在本期考核得分中。")
    return found


@dataclass(frozen=True)
class ItemLine:
    label: str
    figure: str
    points: str
    full: str  # the item's full points, or "扣分项" for a deduction
    reason: str
    links: list[tuple[str, str]]  # (link text, the cases behind the figure)


def _item_lines(scheme: Scheme, row: UnitRow, items: list[SchemeItem], period: str) -> list[ItemLine]:
    by_name = {item.name: item for item in items}
    cases_url = reverse("workbench:assessment-cases", args=[scheme.pk, int(row.unit_key)])
    lines = []
    for found in row.items:
        item = by_name.get(found.label)
        keys = drill_keys(item) if item else []
        links = [
            (
                "查看信访件" if len(keys) == 1 else f"查看信访件（{FIGURES[key].label}）",
                f"{cases_url}?{urlencode({'period': period, 'key': key})}",
            )
            for key in keys
        ]
        if item is None:  # an item frozen in the card but since removed from the scheme
            full = ""
        else:
            full = "扣分项" if item.rule == RuleChoice.PER_EVENT else outputs.points_text(item.weight)
        lines.append(
            ItemLine(
                found.label, found.figure_text, outputs.points_text(found.points), full, found.reason, links
            )
        )
    return lines


@staff_required
def assessment_unit(request: HttpRequest, scheme_id: int, unit_id: int) -> HttpResponse:
    """One unit's items: its figures, points and the reasons, with the cases behind each figure."""
    scheme = _scheme(request, scheme_id)
    period = _period(request, scheme)
    if period is None:
        raise Http404(NO_PERIOD)
    seen = visibility(_user(request), scheme, Scorecard.objects.filter(scheme=scheme, period=period).first())
    unit = _unit(scheme, unit_id, seen)
    table = standings(scheme, period)
    standing = _row(table, unit)
    return render(
        request,
        "workbench/assessment/unit.html",
        {
            "scheme": scheme,
            "table": table,
            "unit": unit,
            "standing": standing,
            "ranking": seen.ranking,
            "change": outputs.change_words(standing.change),
            "total": outputs.points_text(standing.row.total),
            "full_marks": outputs.points_text(table.full_marks),
            "lines": _item_lines(scheme, standing.row, table.items, period),
            "differences": [d for d in _differences(table, seen) if d.unit == str(unit.pk)],
            "back": _ranking_url(scheme, period),
            "span": period_words(table.start, table.end),
        },
    )


@staff_required
def assessment_cases(request: HttpRequest, scheme_id: int, unit_id: int) -> HttpResponse:
    """The cases behind one figure of a unit's item, under the case access policy."""
    scheme = _scheme(request, scheme_id)
    period = _period(request, scheme)
    if period is None:
        raise Http404(NO_PERIOD)
    key = request.GET.get("key", "")
    if key not in {k for item in scheme.items.all() for k in drill_keys(item)}:
        raise Http404("该考核项目没有这个指标的信访件。")
    seen = visibility(_user(request), scheme, Scorecard.objects.filter(scheme=scheme, period=period).first())
    unit = _unit(scheme, unit_id, seen)
    start, end = counted_span(scheme.year, period, local_date())
    cases = figures.figure_cases(_user(request), org=unit, key=key, start=start, end=end)
    cases = cases.select_related("current_org", "category").order_by("-registered_at", "-id")
    page, overdue_ids = case_page(request, cases)
    return render(
        request,
        "workbench/assessment/cases.html",
        {
            "page": page,
            "overdue_ids": overdue_ids,
            "term": FIGURES[key],
            "scheme": scheme,
            "unit": unit,
            "label": period_label(scheme.year, period),
            "span": period_words(start, end),
            "query": urlencode({"period": period, "key": key}),
            "back": _unit_url(scheme, unit.pk, period),
        },
    )


# ---------------------------------------------------------------- 定稿 and 发布


@staff_required
@require_POST
def assessment_freeze(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _scheme(request, scheme_id)
    period = request.POST.get("period", "")
    try:
        card = scorecard_freeze(user=_user(request), scheme=scheme, period=period)
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{period_label(scheme.year, card.period)}考核得分已定稿。")
    return redirect(_ranking_url(scheme, period if period in PERIODS else None))


@staff_required
@require_POST
def assessment_publish(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = _scheme(request, scheme_id)
    period = request.POST.get("period", "")
    card = Scorecard.objects.filter(scheme=scheme, period=period).first()
    if card is None:
        messages.error(request, "该期考核得分尚未定稿，定稿后才能发布。")
    else:
        try:
            scorecard_publish(user=_user(request), card=card)
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"{period_label(scheme.year, period)}考核结果已发布，被考核单位可以查看排名。"
            )
    return redirect(_ranking_url(scheme, period if period in PERIODS else None))


# ---------------------------------------------------------------- downloads


def _download_table(request: HttpRequest, scheme_id: int) -> Standings | HttpResponse:
    """The period's table for a file, or the refusal page: the files carry the whole ranking."""
    scheme = _scheme(request, scheme_id)
    period = _period(request, scheme)
    if period is None:
        raise Http404(NO_PERIOD)
    card = Scorecard.objects.filter(scheme=scheme, period=period).first()
    if not visibility(_user(request), scheme, card).ranking:
        return render(request, "workbench/forbidden.html", {"message": DOWNLOAD_REFUSED}, status=403)
    return standings(scheme, period)


def _problem(request: HttpRequest, table: Standings, message: str) -> HttpResponse:
    return render(
        request,
        "workbench/assessment/problem.html",
        {"scheme": table.scheme, "message": message, "back": _ranking_url(table.scheme, table.period)},
        status=400,
    )


@staff_required
def assessment_xlsx(request: HttpRequest, scheme_id: int) -> HttpResponse:
    table = _download_table(request, scheme_id)
    if isinstance(table, HttpResponse):
        return table
    return file_download(outputs.to_xlsx(table), f"{table.label}考核得分.xlsx", XLSX_MIME)


@staff_required
def assessment_notice(request: HttpRequest, scheme_id: int) -> HttpResponse:
    """The 通报 on the chosen template (the first active one without a choice)."""
    table = _download_table(request, scheme_id)
    if isinstance(table, HttpResponse):
        return table
    name = request.GET.get("template", "")
    active = ReportTemplate.objects.filter(is_active=True, kind=ReportTemplate.Kind.NOTICE)
    template = active.filter(name=name).first() if name else active.order_by("name").first()
    if template is None:
        return _problem(
            request, table, f"没有启用的考核通报模板“{name}”，请重新选择模板。" if name else NO_TEMPLATE
        )
    try:
        content = outputs.notice_docx(
            table, title=template.title, body=template.body, author=str(request.user), created=now()
        )
    except ReportTemplateError as exc:
        return _problem(request, table, f"考核通报模板“{template.name}”{exc}")
    return file_download(content, f"{table.label}考核结果通报.docx", DOCX_MIME)
