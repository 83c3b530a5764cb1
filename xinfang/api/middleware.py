"""Under /api/, every error answers the API's JSON error shape, also those the API never saw.

Django answers an unknown path (404), ninja a wrong method (405), and Django an unexpected
exception (500) with an HTML page, a plain-text traceback (DEBUG) or a bare text; a client of the
API must get ``{"detail": [{"field", "message", "code"}]}`` whatever DEBUG is. The pages outside
/api/ keep their HTML error pages. Errors the API raises itself are shaped in ``xinfang.api.errors``;
this middleware only rewrites the error responses that are not JSON already.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from xinfang.api.errors import error_body

API_PREFIX = "/api/"

_CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def _message(request: HttpRequest, response: HttpResponseBase) -> str:
    status = response.status_code
    if status == 404:
        return f"接口不存在：{request.method} {request.path}。可用的接口见 /api/v1/docs。"
    if status == 405:
        allowed = "、".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip()))
        return f"该接口不支持 {request.method} 方法" + (f"，可用：{allowed}。" if allowed else "。")
    if status == 400:
        return "请求无效。"
    if status == 403:
        return "没有权限。"
    if status == 413:
        return "请求体过大。"
    if status >= 500:
        return "服务器内部错误，请稍后重试；问题已记入服务器日志。"
    return "请求无法处理。"


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or _is_json(response)
            or getattr(response, "streaming", False)
        ):
            return response
        status = response.status_code
        code = _CODES.get(status, "server_error" if status >= 500 else "error")
        shaped: HttpResponse = JsonResponse(
            error_body((None, _message(request, response), code)),
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                shaped[header] = response[header]
        return shaped
