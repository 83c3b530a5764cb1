"""Every change to bulletins and 动态 items, one function per action.

Each runs in one transaction, locks the bulletin it changes and checks again under the lock that it
is still a draft (an issued bulletin is a document sent out: never changed or deleted), checks the
actor's role in the editing organ (`selectors.EDIT_ROLES`, `selectors.ISSUE_ROLES`), and writes
every text through `masking.scrub`. A refusal is a `ServiceError` naming the field, in Chinese.

The number (期号) is given when the bulletin is issued (`bulletin_issue`): the next of its organ,
kind and year, taken from the organ's counter row (`cases.DocumentCounter`, the 文号's counters)
locked in the same transaction, so two heads issuing at once never take the same number and an
abandoned draft leaves no gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max

from xinfang.bulletins import context as ctx
from xinfang.bulletins.drafting import ACCUSATION_REFUSED, visible_alert, visible_case
from xinfang.bulletins.masking import scrub
from xinfang.bulletins.models import Bulletin, BulletinCase, BulletinItem, Kind, Status
from xinfang.bulletins.selectors import EDIT_ROLES, ISSUE_ROLES
from xinfang.cases.documents.numbers import advance, locked_counter
from xinfang.cases.models import Nature
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.orgs.models import Org, User
from xinfang.orgs.permissions import require_role
from xinfang.statistics.models import ReportTemplate
from xinfang.statistics.render import ReportTemplateError, render_text
from xinfang.statistics.render_context import period_words

DEFAULT_TEMPLATE = "信访简报（标准）"
TITLE_MAX = 200
BODY_MAX = 50000
NOTE_MAX = 500
ITEM_TITLE_MAX = 100
ITEM_BODY_MAX = 5000
MAX_PERIOD_DAYS = 366
FILL = "请填写{label}。"
ISSUED_REFUSED = "{label}已签发，不能再修改或删除。"


# ---------------------------------------------------------------- checks


def _require_writer(actor: User, org: Org, *, doing: str, field: str | None = None) -> None:
    try:
        require_role(actor, org, EDIT_ROLES, doing=doing)
    except NotAllowed as exc:
        raise NotAllowed(exc.message, field=field) from None


def _locked_draft(bulletin: Bulletin) -> Bulletin:
    """The bulletin's row, locked, refused unless it is still a draft."""
    locked = Bulletin.objects.select_for_update().select_related("org").get(pk=bulletin.pk)
    if not locked.is_draft:
        raise InvalidState(
            ISSUED_REFUSED.format(label=f"《{locked.get_kind_display()}》{locked.issue_label}")
        )
    return locked


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    if start is None:
        raise ServiceError("请填写起始日期。", field="period_start")
    if end is None:
        raise ServiceError("请填写截止日期。", field="period_end")
    if end < start:
        raise ServiceError("截止日期早于起始日期。", field="period_end")
    if start > local_date():
        raise ServiceError("起始日期晚于今天：简报写已经发生的事。", field="period_start")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ServiceError("一期简报的期间不能超过一年。", field="period_end")
    return start, end


def _template(name: str) -> ReportTemplate:
    name = optional_text(name) or DEFAULT_TEMPLATE
    template = ReportTemplate.objects.filter(
        name=name, kind=ReportTemplate.Kind.BULLETIN, is_active=True
    ).first()
    if template is None:
        raise ServiceError(f"没有名为“{name}”的启用的简报模板。", field="template")
    return template


def _render(bulletin: Bulletin, template: ReportTemplate) -> tuple[str, str, list[int]]:
    """The template's title and text for this bulletin, and the cases they drew on."""
    hot = ctx.hot_issues(bulletin.created_by, bulletin.period_start, bulletin.period_end)
    values = ctx.bulletin_context(bulletin, hot)
    try:
        title = render_text(template.title, values) if template.title else ""
        body = render_text(template.body, values)
    except ReportTemplateError as exc:
        raise ServiceError(f"简报模板“{template.name}”有误：{exc}", field="template") from None
    return title, body, ctx.hot_case_ids(hot)


def _scrubbed(bulletin: Bulletin, *texts: str) -> list[str]:
    names = ctx.bulletin_names(bulletin)
    return [scrub(text, names) for text in texts]


def _touch(bulletin: Bulletin, *fields: str) -> None:
    bulletin.updated_at = now()
    bulletin.save(update_fields=[*fields, "updated_at"])


# ---------------------------------------------------------------- a bulletin


@transaction.atomic
def bulletin_create(
    *,
    actor: User,
    org: Org,
    kind: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    template_name: str = "",
    title: str = "",
) -> Bulletin:
    """A new draft. A 信访简报's title and text are written from its template on the figures of the
    period, the period's 类案预警 and the organ's 动态 items; a 信访动态 starts empty and collects
    items (`item_collect`)."""
    if kind not in Kind.values:
        raise ServiceError("请选择简报类别（信访简报或信访动态）。", field="kind")
    _require_writer(actor, org, doing=f"编写{Kind(kind).label}", field="org")
    start, end = _period(period_start, period_end)
    title = optional_text(title)
    if len(title) > TITLE_MAX:
        raise ServiceError(f"标题不能超过 {TITLE_MAX} 个字（现有 {len(title)} 个字）。", field="title")
    moment = now()
    bulletin = Bulletin(
        org=org,
        kind=kind,
        year=local_date(moment).year,
        title=title or f"{period_words(start, end)}{Kind(kind).label}",
        period_start=start,
        period_end=end,
        created_by=actor,
        created_at=moment,
        updated_at=moment,
    )
    template = _template(template_name) if kind == Kind.BRIEF else None
    bulletin.save()
    if template is not None:
        rendered_title, bulletin.body, bulletin.drawn_case_ids = _render(bulletin, template)
        bulletin.template_name = template.name
        if not title and rendered_title:
            bulletin.title = rendered_title[:TITLE_MAX]
        bulletin.save(update_fields=["title", "body", "drawn_case_ids", "template_name"])
    return bulletin


@transaction.atomic
def bulletin_update(*, actor: User, bulletin: Bulletin, title: str, body: str) -> Bulletin:
    """The clerk's own title and text of a draft."""
    bulletin = _locked_draft(bulletin)
    _require_writer(actor, bulletin.org, doing=f"修改{bulletin.get_kind_display()}")
    title = required_text(title, field="title", label="标题", max_length=TITLE_MAX, empty=FILL)
    body = optional_text(body)
    if len(body) > BODY_MAX:
        raise ServiceError(f"正文不能超过 {BODY_MAX} 个字（现有 {len(body)} 个字）。", field="body")
    if bulletin.kind == Kind.BRIEF and not body:
        raise ServiceError("请填写简报正文；要按模板重新生成，请点“按模板重新生成正文”。", field="body")
    title, body = _scrubbed(bulletin, title, body)
    bulletin.body_edited = bulletin.body_edited or body != bulletin.body
    bulletin.title, bulletin.body = title, body
    _touch(bulletin, "title", "body", "body_edited")
    return bulletin


@transaction.atomic
def bulletin_regenerate(*, actor: User, bulletin: Bulletin) -> Bulletin:
    """A 简报's text written again from its template (the clerk's changes to the text are replaced;
    the title stays)."""
    bulletin = _locked_draft(bulletin)
    _require_writer(actor, bulletin.org, doing="重新生成简报正文")
    if bulletin.kind != Kind.BRIEF:
        raise ServiceError("信访动态没有模板正文，由编入的动态条目组成。", field="kind")
    template = _template(bulletin.template_name)
    _, body, drawn = _render(bulletin, template)
    bulletin.body, bulletin.drawn_case_ids, bulletin.body_edited = body, drawn, False
    bulletin.template_name = template.name
    _touch(bulletin, "body", "drawn_case_ids", "body_edited", "template_name")
    return bulletin


def _rerender_unedited(bulletin: Bulletin) -> None:
    """After the 典型案例 changed: the text follows, unless the clerk has rewritten it."""
    if bulletin.kind != Kind.BRIEF or bulletin.body_edited:
        return
    _, bulletin.body, bulletin.drawn_case_ids = _render(bulletin, _template(bulletin.template_name))
    _touch(bulletin, "body", "drawn_case_ids")


@transaction.atomic
def bulletin_delete(*, actor: User, bulletin: Bulletin) -> None:
    """A draft thrown away; its items go back to the uncollected ones."""
    bulletin = _locked_draft(bulletin)
    _require_writer(actor, bulletin.org, doing=f"删除{bulletin.get_kind_display()}草稿")
    bulletin.items.update(bulletin=None, position=None)
    bulletin.delete()


# ---------------------------------------------------------------- 典型案例


@transaction.atomic
def bulletin_add_case(*, actor: User, bulletin: Bulletin, case_number: str, note: str = "") -> BulletinCase:
    """A 典型案例 chosen by its number: a case the actor may see, not an accusation (第三十条)."""
    bulletin = _locked_draft(bulletin)
    _require_writer(actor, bulletin.org, doing="选编典型案例")
    if bulletin.kind != Kind.BRIEF:
        raise ServiceError("典型案例只编入信访简报；信访动态请编入动态条目。", field="case_number")
    number = required_text(case_number, field="case_number", label="信访件编号", max_length=32, empty=FILL)
    case = cases_visible_to(actor).filter(number=number).only("id", "nature").first()
    if case is None:
        raise ServiceError(f"信访件 {number} 不存在，或您无权查看。", field="case_number")
    if case.nature == Nature.ACCUSATION:
        raise ServiceError(ACCUSATION_REFUSED, field="case_number")
    if bulletin.notable.filter(case=case).exists():
        raise ServiceError(f"信访件 {number} 已是本期的典型案例。", field="case_number")
    note = optional_text(note)
    if len(note) > NOTE_MAX:
        raise ServiceError(f"编者说明不能超过 {NOTE_MAX} 个字（现有 {len(note)} 个字）。", field="note")
    last = bulletin.notable.aggregate(last=Max("position"))["last"] or 0
    row = BulletinCase.objects.create(
        bulletin=bulletin,
        case=case,
        note=scrub(note, [*ctx.bulletin_names(bulletin), *ctx.petitioner_names([case.pk])]),
        position=last + 1,
        added_by=actor,
        added_at=now(),
    )
    _rerender_unedited(bulletin)
    return row


@transaction.atomic
def bulletin_remove_case(*, actor: User, bulletin: Bulletin, case_id: int) -> None:
    bulletin = _locked_draft(bulletin)
    _require_writer(actor, bulletin.org, doing="移除典型案例")
    deleted, _ = bulletin.notable.filter(case_id=case_id).delete()
    if not deleted:
        raise ServiceError("这件信访事项不是本期的典型案例。", field="case")
    _rerender_unedited(bulletin)


# ---------------------------------------------------------------- 动态 items


@transaction.atomic
def item_create(
    *,
    actor: User,
    org: Org,
    title: str,
    body: str,
    source_case_id: int | None = None,
    source_alert_id: int | None = None,
) -> BulletinItem:
    """A 动态 item in the organ's name: free text, or promoted from a case or a 类案预警 the actor
    may see (`drafting` gives the first wording)."""
    _require_writer(actor, org, doing="编写信访动态", field="org")
    title = required_text(title, field="title", label="标题", max_length=ITEM_TITLE_MAX, empty=FILL)
    body = required_text(body, field="body", label="内容", max_length=ITEM_BODY_MAX, empty=FILL)
    case = visible_case(actor, source_case_id) if source_case_id is not None else None
    view = visible_alert(actor, source_alert_id) if source_alert_id is not None else None
    ids = [case.pk] if case else []
    if view is not None:
        ids.extend(view.alert.case_ids)
    names = ctx.petitioner_names(ids)
    return BulletinItem.objects.create(
        org=org,
        title=scrub(title, names),
        body=scrub(body, names),
        source_case=case,
        source_alert=view.alert if view else None,
        written_by=actor,
        written_at=now(),
    )


@transaction.atomic
def item_delete(*, actor: User, item: BulletinItem) -> None:
    """An item thrown away: one not yet collected, or one in a draft."""
    item = BulletinItem.objects.select_for_update().get(pk=item.pk)
    if item.bulletin_id is not None:
        _locked_draft(item.bulletin)  # type: ignore[arg-type]
    _require_writer(actor, item.org, doing="删除信访动态条目")
    item.delete()


@transaction.atomic
def item_collect(*, actor: User, bulletin: Bulletin, item_ids: Sequence[int]) -> list[BulletinItem]:
    """Items of the organ not yet in any issue, collected into a draft 信访动态 after its others."""
    bulletin = _locked_draft(bulletin)
    _require_writer(actor, bulletin.org, doing="编辑信访动态")
    if bulletin.kind != Kind.DYNAMICS:
        raise ServiceError("动态条目只编入信访动态。", field="items")
    wanted = sorted(set(item_ids))
    if not wanted:
        raise ServiceError("请选择要编入本期的动态条目。", field="items")
    items = list(
        BulletinItem.objects.select_for_update()
        .filter(pk__in=wanted, org=bulletin.org, bulletin__isnull=True)
        .order_by("written_at", "pk")
    )
    if len(items) != len(wanted):
        raise ServiceError("所选动态条目有的已编入其他一期，或不属于本单位，请刷新后重选。", field="items")
    last = bulletin.items.aggregate(last=Max("position"))["last"] or 0
    for offset, item in enumerate(items, start=1):
        item.bulletin, item.position = bulletin, last + offset
    BulletinItem.objects.bulk_update(items, ["bulletin", "position"])
    _touch(bulletin)
    return items


@transaction.atomic
def item_release(*, actor: User, bulletin: Bulletin, item_id: int) -> None:
    """An item taken out of a draft 信访动态: uncollected again."""
    bulletin = _locked_draft(bulletin)
    _require_writer(actor, bulletin.org, doing="编辑信访动态")
    if not bulletin.items.filter(pk=item_id).update(bulletin=None, position=None):
        raise ServiceError("这条动态不在本期中。", field="items")
    _touch(bulletin)


# ---------------------------------------------------------------- 签发


# The series of an organ's issues of each kind among its counters (cases.DocumentCounter, beside
# the 文号 series: forward, assign, accept ...).
COUNTER_SERIES = {Kind.BRIEF: "brief", Kind.DYNAMICS: "dynamics"}


def _next_number(bulletin: Bulletin, year: int) -> int:
    return advance(locked_counter(org=bulletin.org, year=year, series=COUNTER_SERIES[Kind(bulletin.kind)]))


@transaction.atomic
def bulletin_issue(*, actor: User, bulletin: Bulletin) -> Bulletin:
    """签发: the draft takes the next number of its organ, kind and year and is sent out as it is."""
    bulletin = _locked_draft(bulletin)
    try:
        require_role(actor, bulletin.org, ISSUE_ROLES, doing=f"签发{bulletin.get_kind_display()}")
    except NotAllowed as exc:
        raise NotAllowed(exc.message) from None
    if bulletin.kind == Kind.BRIEF and not bulletin.body.strip():
        raise ServiceError("简报正文为空，不能签发。", field="body")
    items = list(bulletin.items.order_by("position", "pk"))
    if bulletin.kind == Kind.DYNAMICS and not items:
        raise ServiceError("本期信访动态还没有编入动态条目，不能签发。", field="items")
    moment = now()
    year = local_date(moment).year
    number = _next_number(bulletin, year)
    label = f"第{number}期"
    names = ctx.bulletin_names(bulletin)
    # The last pass over every text before it leaves the bureau.
    bulletin.title = scrub(bulletin.title.replace(ctx.PENDING_NUMBER, label), names)
    bulletin.body = scrub(bulletin.body.replace(ctx.PENDING_NUMBER, label), names)
    for item in items:
        item.title, item.body = scrub(item.title, names), scrub(item.body, names)
    BulletinItem.objects.bulk_update(items, ["title", "body"])
    bulletin.year, bulletin.number, bulletin.status = year, number, Status.ISSUED
    bulletin.issued_by, bulletin.issued_at = actor, moment
    _touch(bulletin, "title", "body", "year", "number", "status", "issued_by", "issued_at")
    return bulletin
