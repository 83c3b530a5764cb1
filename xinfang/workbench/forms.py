from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from xinfang.orgs.models import User


class StaffLoginForm(AuthenticationForm):
    """The staff sign-in; citizens are told to use the citizen portal instead."""

    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（注意区分大小写）。",
        "inactive": "该账号已停用，请联系系统管理员。",
        "citizen": "群众账号不能登录工作台，请使用群众端查询和评价信访事项。",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "placeholder": "请输入用户名"}
        )
        self.fields["password"].widget.attrs.update({"placeholder": "请输入密码"})

    def confirm_login_allowed(self, user: User) -> None:  # type: ignore[override]
        super().confirm_login_allowed(user)
        if user.is_citizen:
            raise forms.ValidationError(self.error_messages["citizen"], code="citizen")
