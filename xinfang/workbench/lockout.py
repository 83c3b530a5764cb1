"""What a locked-out login sees: the same login form, with the reason and when to try again.

django-axes flags a request whose account or client address has too many failed passwords
(settings.AXES_FAILURE_LIMIT within AXES_COOLOFF_TIME); this turns the flag into the page the user
was on, the staff login or the back office's, instead of a bare text page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

LOCKED_OUT = (
    "登录失败次数过多，该账号或当前网络地址已被暂时锁定，请 {minutes} 分钟后再试；"
    "如需立即解锁，请联系系统管理员。"
)


def lockout_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return LOCKED_OUT.format(minutes=minutes)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    message = lockout_message()
    context = dict(getattr(original_response, "context_data", None) or {})
    template = getattr(original_response, "template_name", None)
    form = context.get("form")
    if template is None or form is None or not getattr(form, "is_bound", False):
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    # The form said "wrong password"; the truth is that no password was checked at all.
    form.errors.clear()
    form.add_error(None, ValidationError(message, code="locked_out"))
    response = TemplateResponse(request, template, context, status=429)
    response.render()
    return response
