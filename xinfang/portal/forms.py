"""The portal's forms: validation of what was typed, and where a service's error is shown.

`PortalForm` ties each field's error (and help) text to its input with aria-describedby and marks
the input aria-invalid, so a screen reader announces the problem with the field; the template
`portal/_field.html` renders the ids these point at.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms

from xinfang.cases.models import ContentCategory, Nature, Rating
from xinfang.cases.services import PetitionerInput
from xinfang.core.errors import ServiceError, ServiceErrors
from xinfang.core.forms import TextField
from xinfang.core.validation import MAX_CONTENT, MAX_SUBJECT
from xinfang.orgs.models import Org, Region
from xinfang.portal.selectors import intake_orgs

MAX_FILES = 5


class PortalForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                self._describe(name, "help")

    def _describe(self, name: str, part: str) -> None:
        widget = self.fields[name].widget
        ids = widget.attrs.get("aria-describedby", "").split()
        own = f"id_{self.add_prefix(name)}-{part}"
        if own not in ids:
            widget.attrs["aria-describedby"] = " ".join([*ids, own])

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field in self.fields:
            self._describe(field, "error")
            self.fields[field].widget.attrs["aria-invalid"] = "true"

    def show(self, exc: ServiceError) -> None:
        """A service's refusal next to the field it names (the whole form when none of its own)."""
        for error in exc.errors if isinstance(exc, ServiceErrors) else [exc]:
            name = (error.field or "").split(".")[-1].split("[")[0]
            self.add_error(name if name in self.fields else None, error.message)


def _phone() -> forms.CharField:
    return TextField(
        label="手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )


def _code() -> forms.CharField:
    return TextField(
        label="短信验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="点击“获取验证码”，6 位验证码 10 分钟内有效。",
    )


class RegisterForm(PortalForm):
    phone = _phone()
    code = _code()
    full_name = TextField(
        label="真实姓名",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = TextField(
        label="身份证号码", max_length=18, required=False, help_text="用于实名认证，加密保存，不对外公开。"
    )
    password = forms.CharField(
        label="设置密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text="至少 8 位，不能全是数字。",
    )


class VerifyForm(PortalForm):
    phone = _phone()
    code = _code()
    id_number = TextField(
        label="身份证号码", max_length=18, required=False, help_text="用于实名认证，加密保存，不对外公开。"
    )


class PasswordLoginForm(PortalForm):
    phone = TextField(
        label="手机号码（或用户名）",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CodeLoginForm(PortalForm):
    phone = _phone()
    code = _code()


class ResetForm(PortalForm):
    phone = _phone()
    code = _code()
    password = forms.CharField(
        label="新密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，不能全是数字。",
    )


class LookupForm(PortalForm):
    number = TextField(label="信访件编号", max_length=32)
    code = TextField(label="查询码", max_length=16, widget=forms.TextInput(attrs={"autocomplete": "off"}))


NATURE_CHOICES = [
    (Nature.APPEAL, "投诉请求（申诉求决）：请求解决本人遇到的问题"),
    (Nature.SUGGESTION, "意见建议：对工作提出意见或建议"),
    (Nature.ACCUSATION, "检举控告：反映公职人员或单位的违纪违法行为"),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the services (type by content, size, count)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


# 联名 lines: "李四 13800000001", "李四，138-0000-0001": the digits at the end (with + - or spaces
# inside) are the number, checked by the service; a line without digits is a name only.
_COSIGNER_LINE = re.compile(r"(?P<name>.*?)[\s,，、;；]*(?P<phone>\+?[0-9][0-9\-\s]*)?")


class SubmitForm(PortalForm):
    problem_region = forms.ModelChoiceField(
        label="问题发生地", queryset=Region.objects.order_by("path"), empty_label="请选择问题发生的地方"
    )
    category = forms.ModelChoiceField(
        label="问题类别",
        queryset=ContentCategory.objects.filter(is_active=True, level=1).order_by("code"),
        empty_label="请选择问题类别",
    )
    org = forms.ModelChoiceField(
        label="向哪个机关提出",
        queryset=Org.objects.none(),
        required=False,
        empty_label="请选择机关（可按下方建议选择）",
        help_text="不清楚向谁提出时，可选择问题发生地的信访部门，由其转送有权处理的机关。",
    )
    nature = forms.ChoiceField(label="事项类型", choices=NATURE_CHOICES, widget=forms.RadioSelect)
    subject = TextField(
        label="标题", max_length=MAX_SUBJECT, help_text=f"一句话说明问题，不超过 {MAX_SUBJECT} 个字。"
    )
    content = TextField(
        label="主要内容",
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 10, "data-count": "content", "maxlength": MAX_CONTENT}),
        help_text="写清时间、地点、经过和您的诉求。",
    )
    address = TextField(
        label="联系地址",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    files = MultipleFileField(
        label="附件（可选）",
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.txt,.ofd,.mp3,.m4a"}
        ),
        help_text=f"最多 {MAX_FILES} 个文件，每个不超过规定大小；支持图片、PDF、Word、Excel、文本和录音。",
    )
    cosigner_count = forms.IntegerField(
        label="联名人数（不含本人）", min_value=0, max_value=998, required=False, initial=None
    )
    cosigner_names = TextField(
        label="联名人姓名和手机号码（可选，每行一人）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如“李四 13800000001”。填写了手机号码的联名人，用该号码实名登录后可以查看本事项和文书。",
    )
    consent = forms.BooleanField(
        label="我已阅读并同意《个人信息保护告知书》，确认所反映情况属实",
        error_messages={"required": "请阅读并勾选同意个人信息保护告知书。"},
    )
    token = forms.CharField(widget=forms.HiddenInput)
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = intake_orgs()
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)

    def uploaded(self) -> list[tuple[str, bytes]]:
        files = self.files.getlist("files") if self.files else []
        return [(f.name, f.read()) for f in files]

    def cosigners(self) -> list[PetitionerInput]:
        """One co-signer a line: the name, then (after a space or a comma) a mobile number if any.
        The service checks the number; a line without one is a name only."""
        people = []
        for line in (self.cleaned_data.get("cosigner_names") or "").splitlines():
            found = _COSIGNER_LINE.fullmatch(line.strip())
            if found is None or not line.strip():
                continue
            people.append(PetitionerInput(name=found["name"].strip(), phone=(found["phone"] or "").strip()))
        return people


class SupplementForm(PortalForm):
    files = MultipleFileField(
        label="补充材料",
        widget=MultipleFileInput(),
        help_text=f"最多 {MAX_FILES} 个文件；支持图片、PDF、Word、Excel、文本和录音。",
        error_messages={"required": "请选择要上传的文件。"},
    )

    def uploaded(self) -> list[tuple[str, bytes]]:
        return [(f.name, f.read()) for f in self.files.getlist("files")]


RATING_CHOICES = [
    (Rating.Value.SATISFIED, "满意"),
    (Rating.Value.BASICALLY, "基本满意"),
    (Rating.Value.DISSATISFIED, "不满意"),
]


class RateForm(PortalForm):
    track = forms.ChoiceField(choices=Rating.Track.choices, widget=forms.HiddenInput)
    value = forms.ChoiceField(
        label="评价",
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评价结果。"},
    )
    reason = TextField(
        label="理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="评价为“基本满意”或“不满意”的，请写明理由。",
    )


class AppealForm(PortalForm):
    reasons = TextField(
        label="申请理由",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请写明申请的理由。"},
        help_text="说明您对意见的哪些内容不服，以及您的请求。",
    )
    files = MultipleFileField(label="附件（可选）", required=False, widget=MultipleFileInput())

    def uploaded(self) -> list[tuple[str, bytes]]:
        return [(f.name, f.read()) for f in self.files.getlist("files")] if self.files else []
