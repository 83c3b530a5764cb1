"""The forms of the bulletins pages (`xinfang.workbench.bulletins`): a new issue with its period's
quick choices, a draft's text, a 典型案例, the items to collect and a 动态 item. They carry what was
typed; the services check it, and a refusal comes back on its field in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms

from xinfang.bulletins import services
from xinfang.bulletins.models import BulletinItem, Kind
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.core.validation import MAX_ID
from xinfang.orgs.models import Org
from xinfang.statistics.models import ReportTemplate
from xinfang.workbench.form_helpers import IsoDateInput, quick_period

KIND_CHOICES = [("", "请选择"), *Kind.choices]
QUICK_PERIODS = [
    ("", "自定义"),
    ("last_month", "上月"),
    ("this_month", "本月"),
    ("last_quarter", "上季度"),
    ("this_quarter", "本季度"),
    ("first_half", "上半年"),
    ("this_year", "本年"),
]


def _org_field(form: forms.Form, orgs: list[Org]) -> None:
    field = form.fields["org"]
    field.choices = [(org.pk, org.name) for org in orgs]  # type: ignore[attr-defined]
    field.error_messages.update(required="请选择编发单位。", invalid_choice="您不能以该单位的名义编写简报。")
    if len(orgs) == 1:
        field.widget = forms.HiddenInput()
        field.initial = orgs[0].pk


# ---------------------------------------------------------------- forms


class BulletinCreateForm(forms.Form):
    org = forms.TypedChoiceField(label="编发单位", coerce=int)
    kind = forms.ChoiceField(
        label="类别", choices=KIND_CHOICES, error_messages={"required": "请选择类别：信访简报或信访动态。"}
    )
    period = forms.ChoiceField(label="快捷期间", choices=QUICK_PERIODS, required=False)
    period_start = forms.DateField(
        label="起始日期",
        required=False,
        widget=IsoDateInput,
        error_messages={"invalid": "起始日期应为日期（年-月-日）。"},
    )
    period_end = forms.DateField(
        label="截止日期",
        required=False,
        widget=IsoDateInput,
        error_messages={"invalid": "截止日期应为日期（年-月-日）。"},
    )
    template = forms.ChoiceField(
        label="简报模板",
        required=False,
        help_text="信访简报按模板生成正文；信访动态由动态条目组成，不用模板。",
        error_messages={"invalid_choice": "没有这个启用的简报模板。"},
    )
    title = TextField(
        label="标题", required=False, max_length=services.TITLE_MAX, help_text="留空则按模板或期间生成。"
    )

    def __init__(self, *args: Any, orgs: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {org.pk: org for org in orgs}
        _org_field(self, orgs)
        names = list(
            ReportTemplate.objects.filter(kind=ReportTemplate.Kind.BULLETIN, is_active=True).values_list(
                "name", flat=True
            )
        )
        if services.DEFAULT_TEMPLATE in names:
            names.remove(services.DEFAULT_TEMPLATE)
            names.insert(0, services.DEFAULT_TEMPLATE)
        self.fields["template"].choices = [(name, name) for name in names]
        self.fields["title"].error_messages["max_length"] = f"标题不能超过 {services.TITLE_MAX} 个字。"

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("period"):
            data["period_start"], data["period_end"] = quick_period(data["period"], local_date())
        elif "period_start" not in self.errors and "period_end" not in self.errors:
            for name, label in (("period_start", "起始日期"), ("period_end", "截止日期")):
                if not data.get(name):
                    self.add_error(name, f"请填写{label}，或选择快捷期间。")
        return data


class BulletinEditForm(forms.Form):
    title = TextField(
        label="标题", max_length=services.TITLE_MAX, error_messages={"required": "请填写标题。"}
    )
    body = TextField(
        label="正文",
        required=False,  # a 信访动态's foreword may be empty; the service says when a text is needed
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="以“一、”“二、”开头的单独一行在文档中作为标题。信访人姓名签发时一律隐去。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["max_length"] = f"标题不能超过 {services.TITLE_MAX} 个字。"


class AddCaseForm(forms.Form):
    case_number = TextField(
        label="信访件编号", max_length=32, error_messages={"required": "请填写信访件编号。"}
    )
    note = TextField(
        label="编者说明",
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "例如：现场核查后督促限期维修，信访人表示满意"}
        ),
    )


class CollectForm(forms.Form):
    items = forms.TypedMultipleChoiceField(
        label="未编入的动态条目",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请选择要编入本期的动态条目。",
            "invalid_choice": "所选动态条目有的已编入其他一期，请刷新后重选。",
        },
    )

    def __init__(self, *args: Any, items: list[BulletinItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(item.pk, item.title) for item in items]  # type: ignore[attr-defined]


class ItemForm(forms.Form):
    org = forms.TypedChoiceField(label="编写单位", coerce=int)
    title = TextField(
        label="标题", max_length=services.ITEM_TITLE_MAX, error_messages={"required": "请填写标题。"}
    )
    body = TextField(
        label="内容",
        max_length=services.ITEM_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "请填写内容。"},
        help_text="请改写为简明的动态，不写信访人姓名；来源信访件的信访人姓名和身份证号、手机号码保存时自动隐去。",
    )
    source_case = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    source_alert = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, orgs: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {org.pk: org for org in orgs}
        _org_field(self, orgs)
        self.fields["title"].error_messages["max_length"] = f"标题不能超过 {services.ITEM_TITLE_MAX} 个字。"
        self.fields["body"].error_messages["max_length"] = f"内容不能超过 {services.ITEM_BODY_MAX} 个字。"
        for name in ("source_case", "source_alert"):
            self.fields[name].error_messages.update(
                dict.fromkeys(
                    ("invalid", "min_value", "max_value"), "来源编号有误，请从信访件或类案预警页面重新进入。"
                )
            )
