"""The registration form: the matter, where it is about, and who came (信访人, at most 10 rows).

The form only collects and shapes input; `services.case_register` decides what is valid and
raises `ServiceError(field=...)`, which `apply_service_error` puts next to the field at fault.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db.models import QuerySet

from xinfang.cases.models import Channel, ContentCategory, Nature, Status
from xinfang.cases.services import PetitionerInput
from xinfang.cases.services.registration import REGISTER_ROLES, id_number_problem, phone_problem
from xinfang.core.errors import ServiceError, ServiceErrors
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.core.validation import MAX_CONTENT, MAX_HEADCOUNT, MAX_PERSON_NAME, MAX_SUBJECT
from xinfang.orgs.models import Org, Region, User
from xinfang.orgs.selectors import regions_under, supervising_orgs, user_memberships

PETITIONER_ROWS = 10  # rows 1-5 show open, 6-10 behind "更多信访人"
VISIBLE_ROWS = 5
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_PETITIONER_FIELD = re.compile(r"^petitioners\[(\d+)\]\.(\w+)$")


def org_choices(orgs: QuerySet[Org] | list[Org]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Organs grouped by the region they sit in (an <optgroup> per region, in tree order)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for org in sorted(orgs, key=lambda o: (o.region.path, o.path)):
        groups.setdefault(org.region.name, []).append((org.pk, org.name))
    return list(groups.items())


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The 内容分类 table as groups: each top-level class with its own code and those below it."""
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for category in ContentCategory.objects.filter(is_active=True).order_by("code"):
        top = category.code[:2]
        if category.level == 1:
            names[top] = category.name
            label = f"{category.code} {category.name}（其他）"
        else:
            label = f"{category.code} {'　' * (category.level - 2)}{category.name}"
        groups.setdefault(top, []).append((category.code, label))
    return [(names.get(top, top), options) for top, options in groups.items()]


def region_choices(orgs: list[Org]) -> list[tuple[str, str]]:
    """Regions under the registering organs' regions, indented by depth, "名称（代码）"."""
    seen: dict[int, Region] = {}
    for org in orgs:
        for region in regions_under(org.region):
            seen[region.pk] = region
    ordered = sorted(seen.values(), key=lambda r: r.path)
    base = min((r.path.count("/") for r in ordered), default=0)
    return [(r.code, f"{'　' * (r.path.count('/') - base)}{r.name}（{r.code}）") for r in ordered]


def registering_orgs(user: User) -> list[Org]:
    memberships = user_memberships(user).filter(role__in=REGISTER_ROLES)
    return sorted({m.org for m in memberships}, key=lambda o: o.path)


class RegistrationForm(forms.Form):
    org = forms.TypedChoiceField(
        label="登记机关",
        coerce=int,
        help_text="以哪个机关的名义登记；登记后由该机关在 15 日内交转（第二十二条）。",
    )
    channel = forms.ChoiceField(label="信访形式", choices=Channel.choices, initial=Channel.VISIT)
    nature = forms.ChoiceField(
        label="信访性质",
        choices=Nature.choices,
        initial=Nature.APPEAL,
        help_text="检举控告可以匿名，并需填写被反映人或被反映单位。",
    )
    category = forms.ChoiceField(label="内容分类", help_text="按《信访事项内容分类》选择最具体的一项。")
    subject = TextField(label="标题", max_length=MAX_SUBJECT, help_text="一句话概括信访事项，200 字以内。")
    content = TextField(
        label="主要内容",
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="信访人的诉求、反映的事实和理由，尽量使用信访人的原话（2 万字以内，原信可作为附件上传）。",
    )
    problem_region = forms.ChoiceField(label="问题属地", help_text="信访事项发生或涉及的行政区划。")
    received_on = forms.DateField(
        label="信访日期", widget=DATE_INPUT, help_text="来信、来访或收到网上信访的日期。"
    )
    headcount = forms.IntegerField(
        label="信访人数",
        min_value=1,
        max_value=MAX_HEADCOUNT,
        initial=1,
        help_text="来访总人数；5 人及以上为集体访，需推选不超过 5 名代表（第二十条）。",
    )
    no_representative = forms.BooleanField(
        label="无代表",
        required=False,
        help_text="集体访应推选代表（第二十条）；确无代表的，勾选此项后方可登记。",
    )
    via_proper_ladder = forms.BooleanField(
        label="依法逐级走访", required=False, initial=True, help_text="越级走访时取消勾选。"
    )
    accused_person = TextField(label="被反映人", max_length=100, required=False)
    accused_org = forms.TypedChoiceField(
        label="被反映单位",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="检举控告事项不会转交被反映单位（第三十条）。被反映单位是登记机关本身的，须同时选择转送机关。",
    )
    forward_to = forms.TypedChoiceField(
        label="转送机关",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="仅当被反映单位是登记机关本身时选择：登记时即转送其上级机关或纪检监察机关，"
        "本机关此后不再查看该件内容（第三十条）。",
    )
    # What 查重 suggested as the category and the responsible unit, sent back with the registration
    # to be recorded with it. A hidden value that is not what 查重 writes is dropped, not an error:
    # the clerk cannot see or fix a hidden field, and the registration must not fail over it.
    suggested_category = TextField(required=False, widget=forms.HiddenInput)
    suggested_confidence = TextField(required=False, widget=forms.HiddenInput)
    suggested_unit = TextField(required=False, widget=forms.HiddenInput)
    suggested_unit_count = TextField(required=False, widget=forms.HiddenInput)
    suggested_unit_total = TextField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = registering_orgs(user)
        self.fields["org"].choices = [(o.pk, o.name) for o in self.orgs]
        self.fields["category"].choices = [("", "请选择内容分类"), *category_choices()]
        self.fields["problem_region"].choices = [("", "请选择问题属地"), *region_choices(self.orgs)]
        active = Org.objects.filter(is_active=True).select_related("region")
        self.fields["accused_org"].choices = [("", "（无）"), *org_choices(active)]
        # Only organs with authority over a registering organ can take an accusation against it.
        destinations = {d.pk: d for org in self.orgs for d in supervising_orgs(org)}
        self.fields["forward_to"].choices = [("", "（不转送）"), *org_choices(list(destinations.values()))]
        self.fields["received_on"].initial = local_date()
        if self.orgs:
            self.fields["problem_region"].initial = self.orgs[0].region.code

    def clean_accused_org(self) -> Org | None:
        pk = self.cleaned_data.get("accused_org")
        return None if pk is None else Org.objects.filter(pk=pk).first()

    def clean_forward_to(self) -> Org | None:
        pk = self.cleaned_data.get("forward_to")
        return None if pk is None else Org.objects.filter(pk=pk).first()

    @staticmethod
    def _number(value: str | None) -> int | None:
        value = (value or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None

    def clean_suggested_category(self) -> str:
        return (self.cleaned_data.get("suggested_category") or "").strip()[:64]

    def clean_suggested_confidence(self) -> float | None:
        try:
            value = float((self.cleaned_data.get("suggested_confidence") or "").strip())
        except ValueError:
            return None
        return value if 0 <= value <= 1 else None  # also drops nan and inf

    def clean_suggested_unit(self) -> int | None:
        return self._number(self.cleaned_data.get("suggested_unit"))

    def clean_suggested_unit_count(self) -> int | None:
        return self._number(self.cleaned_data.get("suggested_unit_count"))

    def clean_suggested_unit_total(self) -> int | None:
        return self._number(self.cleaned_data.get("suggested_unit_total"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("nature") != Nature.ACCUSATION:
            # The fields are hidden for other natures; what was typed before switching is dropped.
            data["accused_person"] = ""
            data["accused_org"] = None
            data["forward_to"] = None
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        org = next(o for o in self.orgs if o.pk == data["org"])
        category = ContentCategory.objects.filter(code=data["category"]).first()
        region = Region.objects.filter(code=data["problem_region"]).first()
        if category is None:
            raise ServiceError("内容分类不存在。", field="category")
        if region is None:
            raise ServiceError("问题属地不存在。", field="problem_region")
        return {
            "org": org,
            "channel": data["channel"],
            "nature": data["nature"],
            "category": category,
            "subject": data["subject"],
            "content": data["content"],
            "problem_region": region,
            "received_on": data["received_on"],
            "headcount": data["headcount"],
            "via_proper_ladder": data["via_proper_ladder"],
            "accused_person": data["accused_person"],
            "accused_org": data["accused_org"],
            "forward_to": data["forward_to"],
            **({"suggestion": suggestion} if (suggestion := self.suggestion()) else {}),
        }

    def suggestion(self) -> dict[str, Any] | None:
        """What the clerk was suggested (hidden fields filled by 查重): the category, the responsible
        unit (the top one's id, with how many of the similar routed cases went to it), or both."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        confidence = data.get("suggested_confidence")
        if confidence is not None:
            label = (data.get("suggested_category") or "").strip()
            out.update(suggested_category=label or None, confidence=confidence)
        unit = data.get("suggested_unit")
        if unit is not None:
            out["suggested_unit"] = unit
            for name in ("suggested_unit_count", "suggested_unit_total"):
                if data.get(name) is not None:
                    out[name] = data[name]
        return out or None


class PetitionerForm(forms.Form):
    name = TextField(label="姓名", max_length=MAX_PERSON_NAME, required=False)
    id_number = TextField(
        label="身份证号码",
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = TextField(label="联系电话", max_length=20, required=False)
    address = TextField(label="住址", max_length=200, required=False)
    is_representative = forms.BooleanField(label="代表", required=False)

    # The service checks these again; checked here too, so that every row's faults show at once
    # even while another part of the page is still to be corrected.
    def clean_id_number(self) -> str:
        value = (self.cleaned_data.get("id_number") or "").strip()
        if value and (problem := id_number_problem(value, local_date())):
            raise forms.ValidationError(problem)
        return value

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if value and (problem := phone_problem(value)):
            raise forms.ValidationError(problem)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        used = any(
            (self.data.get(self.add_prefix(n)) or "").strip() for n in ("id_number", "phone", "address")
        )
        if used and not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", "信访人姓名不能为空。")
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any((data.get(name) or "").strip() for name in ("name", "id_number", "phone", "address"))


PetitionerFormSet = forms.formset_factory(
    PetitionerForm, extra=PETITIONER_ROWS, max_num=PETITIONER_ROWS, absolute_max=PETITIONER_ROWS
)


def representative_problem(form: RegistrationForm, inputs: list[PetitionerInput]) -> str | None:
    """A collective visit (集体访) with no representative marked is questioned: 第二十条 asks a group
    to elect representatives (at most XINFANG_MAX_REPRESENTATIVES); the clerk ticks 无代表 to confirm."""
    data = form.cleaned_data
    collective = (
        data.get("channel") == Channel.VISIT
        and (data.get("headcount") or 0) >= settings.XINFANG_COLLECTIVE_THRESHOLD
    )
    if not collective or data.get("no_representative") or any(p.is_representative for p in inputs):
        return None
    limit = settings.XINFANG_MAX_REPRESENTATIVES
    return (
        f"{data['headcount']} 人来访属集体访，应推选不超过 {limit} 名代表（第二十条）：请在信访人中勾选“代表”；"
        "确无代表的，请勾选“无代表”后再提交。"
    )


def petitioner_inputs(formset: Any) -> tuple[list[PetitionerInput], list[int]]:
    """The filled rows as service inputs, and for each the row it came from (blank rows are skipped)."""
    inputs: list[PetitionerInput] = []
    rows: list[int] = []
    for row, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        data = form.cleaned_data
        inputs.append(
            PetitionerInput(
                name=data["name"],
                id_number=data["id_number"].strip(),
                phone=data["phone"].strip(),
                address=data["address"].strip(),
                is_representative=data["is_representative"],
            )
        )
        rows.append(row)
    return inputs, rows


def apply_service_error(
    exc: ServiceError,
    form: forms.Form,
    *,
    formset: Any = None,
    rows: list[int] | None = None,
    aliases: dict[str, str] | None = None,
) -> None:
    """Show a service's error next to the field it names; anything else goes to the top of the form.

    `petitioners[2].id_number` is the third petitioner *sent*; `rows` maps it to the form row.
    Several faults found at once (`ServiceErrors`) are each put next to their field.
    """
    if isinstance(exc, ServiceErrors):
        for each in exc.errors:
            apply_service_error(each, form, formset=formset, rows=rows, aliases=aliases)
        return
    field = (aliases or {}).get(exc.field or "", exc.field or "")
    match = _PETITIONER_FIELD.match(field)
    if match and formset is not None:
        index, name = int(match.group(1)), match.group(2)
        row = rows[index] if rows and index < len(rows) else index
        if row < len(formset.forms) and name in formset.forms[row].fields:
            formset.forms[row].add_error(name, exc.message)
            return
    if field == "petitioners" and formset is not None:
        formset.non_form_errors().append(exc.message)
        return
    if field in form.fields:
        form.add_error(field, exc.message)
        return
    form.add_error(None, exc.message)


# ---------------------------------------------------------------- the case list's filters

# The list's orders: a column and its direction ("-": newest or latest first).
SORTS = {
    "received": "信访日期（早→晚）",
    "-received": "信访日期（晚→早）",
    "due": "下一期限（近→远）",
    "-due": "下一期限（远→近）",
    "status": "状态",
    "-status": "状态（倒序）",
}


class CaseFilterForm(forms.Form):
    """The case list's query string (also what the export and the bulk 转送 keep). Every field is
    optional; a bad value is shown next to its field and that filter is left out."""

    q = TextField(
        label="查找",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "身份证号码、手机号、查询码、编号、姓名或关键词"}),
    )
    status = forms.ChoiceField(label="状态", required=False)
    scope = forms.ChoiceField(
        label="范围", required=False, choices=[("", "我可查看的"), ("mine", "本单位在办")]
    )
    overdue = forms.BooleanField(label="只看已超期", required=False)
    unit = forms.TypedChoiceField(label="责任单位", coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(label="内容分类", required=False)
    channel = forms.ChoiceField(label="信访形式", required=False)
    received_from = forms.DateField(label="信访日期起", required=False, widget=DATE_INPUT)
    received_to = forms.DateField(label="信访日期止", required=False, widget=DATE_INPUT)
    registered_from = forms.DateField(label="登记日期起", required=False, widget=DATE_INPUT)
    registered_to = forms.DateField(label="登记日期止", required=False, widget=DATE_INPUT)
    sort = forms.ChoiceField(label="排序", required=False)

    def __init__(self, *args: Any, org_groups: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "全部"), *Status.choices]
        self.fields["channel"].choices = [("", "全部"), *Channel.choices]
        self.fields["category"].choices = [("", "全部"), *category_choices()]
        self.org_groups = org_groups if org_groups is not None else active_org_groups()
        self.fields["unit"].choices = [("", "全部"), *self.org_groups]
        self.fields["sort"].choices = [("", "登记时间（新→旧）"), *SORTS.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for start, end, label in (
            ("received_from", "received_to", "信访日期"),
            ("registered_from", "registered_to", "登记日期"),
        ):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, f"{label}止不能早于{label}起。")
        return data

    def selector_kwargs(self) -> dict[str, Any]:
        """The valid filters as `cases_filtered` arguments (a field in error is left out)."""
        data = self.cleaned_data if self.is_bound else {}
        category = data.get("category") or ""
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "mine": data.get("scope") == "mine",
            "overdue": True if data.get("overdue") else None,
            "org_id": data.get("unit"),
            "category_prefix": _category_prefix(category) if category else None,
            "channel": data.get("channel") or None,
            "received_from": data.get("received_from"),
            "received_to": data.get("received_to"),
            "registered_from": data.get("registered_from"),
            "registered_to": data.get("registered_to"),
        }

    def query_string(self, *, without: tuple[str, ...] = ()) -> str:
        """The valid filters as a query string (for the pager, the column links and the export)."""
        data = self.cleaned_data if self.is_bound else {}
        pairs = []
        for name in self.fields:
            value = data.get(name)
            if name in without or value in (None, "", False):
                continue
            pairs.append((name, "1" if value is True else str(value)))
        return urlencode(pairs)


def active_org_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """The active organs grouped by region: the list's 责任单位 filter and the 转送 destinations."""
    return org_choices(Org.objects.filter(is_active=True).select_related("region"))


def _category_prefix(code: str) -> str:
    """A code names its subtree: 030000 -> 03, 030100 -> 0301 (as the API reads it)."""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


class BulkForwardForm(forms.Form):
    """批量转送: the selected cases, one destination and one note for all of them."""

    MAX_CASES = 100

    to_org = forms.TypedChoiceField(label="转送机关", coerce=int)
    note = TextField(
        label="转送说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, org_groups: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = org_groups if org_groups is not None else active_org_groups()
        self.fields["to_org"].choices = [("", "请选择转送机关"), *groups]
        self.fields["to_org"].error_messages["required"] = "请选择转送机关。"
        self.case_ids: list[int] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The ticked rows of the list (checkboxes named "case"); not a field: any id may come.
        raw = self.data.getlist("case") if hasattr(self.data, "getlist") else []
        ids = list(dict.fromkeys(int(v) for v in raw if v.isascii() and v.isdigit() and len(v) < 18))
        if not ids:
            self.add_error(None, "请先勾选要转送的信访件。")
        elif len(ids) > self.MAX_CASES:
            self.add_error(None, f"一次最多转送 {self.MAX_CASES} 件，现勾选了 {len(ids)} 件。")
        self.case_ids = ids
        return data

    def clean_to_org(self) -> Org:
        org = Org.objects.filter(pk=self.cleaned_data["to_org"], is_active=True).first()
        if org is None:
            raise forms.ValidationError("转送机关不存在或已停用。")
        return org
