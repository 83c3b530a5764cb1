"""Every error the API returns has one shape: ``{"detail": [{"field", "message", "code"}, ...]}``.

- ``ServiceError`` from a service: 400; code ``invalid_state`` or ``conflict``: 409; ``not_found``:
  404; ``NotAllowed`` (code ``forbidden``): 403;
- request validation (pydantic): 422, one item per problem, ``field`` the dotted path of the input
  (``petitioners[0].name``, ``limit``), ``code`` ``required`` or ``invalid``, message in Chinese;
- a missing, unknown or revoked token: 401 with ``WWW-Authenticate: Bearer``;
- a body that is not JSON: 400; JSON but not an object: 422 on ``body``; a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 (code ``too_large``);
  an unknown or invisible case: 404;
- what the API never sees (an unknown path, a wrong method, an unexpected exception) is shaped the
  same by ``xinfang.api.middleware``, whatever DEBUG is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from xinfang.core.errors import ServiceError


class ErrorItemOut(Schema):
    field: str | None
    message: str
    code: str


class ErrorOut(Schema):
    detail: list[ErrorItemOut]


# The statuses every endpoint may answer with ErrorOut (for the OpenAPI document).
ERROR_RESPONSES: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}

_STATUS_BY_CODE = {"forbidden": 403, "not_found": 404, "invalid_state": 409, "conflict": 409}

# Services name their arguments (`to_org`); the API names the fields clients send (`to_org_id`).
FIELD_ALIASES = {
    "org": "org_id",
    "to_org": "to_org_id",
    "assisting": "assisting_ids",
    "category": "category_code",
    "problem_region": "problem_region_code",
    "accused_org": "accused_org_id",
    "forward_to": "forward_to_org_id",
    "earlier": "earlier_id",
    "target": "target_id",
    "approver": "approver_id",
    "review_org": "review_org_id",
    "rereview_org": "rereview_org_id",
    "leader": "leader_id",
}

CASE_NOT_FOUND = "信访件不存在，或您无权查看。"


def error_body(*items: tuple[str | None, str, str]) -> dict[str, Any]:
    return {"detail": [{"field": field, "message": message, "code": code} for field, message, code in items]}


def api_field(field: str | None) -> str | None:
    if field is None:
        return None
    head, dot, rest = field.partition(".")
    return FIELD_ALIASES.get(head, head) + dot + rest


def _service_error(request: HttpRequest, exc: ServiceError, api: NinjaAPI) -> HttpResponse:
    status = _STATUS_BY_CODE.get(exc.code, 400)
    # Several faults found at once (each petitioner's) are each listed.
    faults = getattr(exc, "errors", None) or [exc]
    items = [(api_field(each.field), each.message, each.code) for each in faults]
    return api.create_response(request, error_body(*items), status=status)


def _field_path(loc: Sequence[Any]) -> str | None:
    """("body", "payload", "petitioners", 0, "name") -> "petitioners[0].name"; ("query", "limit") -> "limit"."""
    parts = list(loc)
    if parts and parts[0] == "body":
        if len(parts) <= 2:
            return "body"  # the body as a whole (missing, or not an object)
        parts = parts[2:]  # the source and the name of the body parameter
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or None


def _choices(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("' or '", "'、'").replace("', '", "'、'")


def _chinese(error: dict[str, Any]) -> str:
    """A Chinese message for a pydantic error; the English one where no translation fits."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": "此项为必填项。",
        "string_type": "应为字符串。",
        "string_too_short": f"至少应有 {ctx.get('min_length')} 个字符。",
        "string_too_long": f"不能超过 {ctx.get('max_length')} 个字符。",
        "string_pattern_mismatch": "格式不正确。",
        "int_type": "应为整数。",
        "int_parsing": "应为整数。",
        "int_from_float": "应为整数。",
        "bool_type": "应为 true 或 false。",
        "bool_parsing": "应为 true 或 false。",
        "date_type": "应为日期（YYYY-MM-DD）。",
        "date_parsing": "应为日期（YYYY-MM-DD）。",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）。",
        "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不能带时间。",
        "enum": f"取值无效，可选：{_choices(ctx)}。",
        "literal_error": f"取值无效，可选：{_choices(ctx)}。",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}。",
        "greater_than": f"应大于 {ctx.get('gt')}。",
        "less_than_equal": f"不能大于 {ctx.get('le')}。",
        "less_than": f"应小于 {ctx.get('lt')}。",
        "list_type": "应为列表。",
        "too_long": f"最多 {ctx.get('max_length')} 项。",
        "too_short": f"至少 {ctx.get('min_length')} 项。",
        "model_type": "应为 JSON 对象。",
        "model_attributes_type": "应为 JSON 对象。",
        "dict_type": "应为 JSON 对象。",
        "extra_forbidden": "不是可接受的字段。",
        "json_invalid": "不是有效的 JSON。",
    }
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", ""))
    return messages.get(kind) or str(error.get("msg", "输入无效。"))


def _validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    items = [
        (
            _field_path(error.get("loc", ())),
            _chinese(error),
            "required" if error.get("type") == "missing" else "invalid",
        )
        for error in exc.errors
    ]
    return api.create_response(request, error_body(*items), status=422)


def _authentication_error(request: HttpRequest, exc: AuthenticationError, api: NinjaAPI) -> HttpResponse:
    body = error_body(
        (
            "Authorization",
            "缺少有效的接口令牌：请在请求头中提供 Authorization: Bearer <令牌>。",
            "unauthenticated",
        )
    )
    response = api.create_response(request, body, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="xinfang"'
    return response


class BodyNotAnObject(ValueError):
    pass


class ObjectBodyParser(Parser):
    """Every request body of the API is a JSON object, as the OpenAPI document declares each one.

    ninja's schemas read fields off any value, so an array, a string or null would pass for a body
    whose fields all have defaults (`POST /cases/similar`, `accept`). A body that may be left out is
    left out (no bytes), not sent as null.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise BodyNotAnObject(type(data).__name__)
        return data


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    if isinstance(exc.__cause__, BodyNotAnObject):
        body = error_body(("body", "请求体应为 JSON 对象。", "invalid"))
        return api.create_response(request, body, status=422)
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        body = error_body(("body", "请求体不是有效的 JSON。", "invalid"))
    else:
        body = error_body((None, str(exc), "error"))
    return api.create_response(request, body, status=exc.status_code)


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return api.create_response(
        request, error_body((None, str(exc) or CASE_NOT_FOUND, "not_found")), status=404
    )


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit // mib} MB" if limit % mib == 0 else f"{limit} 字节"


def _too_big(request: HttpRequest, exc: RequestDataTooBig, api: NinjaAPI) -> HttpResponse:
    # Django would answer a 400 page (a traceback with DEBUG): the client must learn the limit.
    request._mark_post_parse_error()  # type: ignore[attr-defined]  # the body cannot be read again
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"请求体过大：不能超过 {_size(limit)}。" if limit is not None else "请求体过大。"
    return api.create_response(request, error_body(("body", message, "too_large")), status=413)


def _suspicious(request: HttpRequest, exc: SuspiciousOperation, api: NinjaAPI) -> HttpResponse:
    # Too many fields, a malformed multipart body and the like: the request is refused as a whole.
    return api.create_response(request, error_body((None, "请求无效。", "invalid")), status=400)


def install(api: NinjaAPI) -> None:
    def bind(handler: Any) -> Any:
        return lambda request, exc: handler(request, exc, api)

    handlers: Iterable[tuple[type[Exception], Any]] = [
        (ServiceError, _service_error),
        (ValidationError, _validation_error),
        (AuthenticationError, _authentication_error),
        (HttpError, _http_error),
        (Http404, _not_found),
        (RequestDataTooBig, _too_big),
        (SuspiciousOperation, _suspicious),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, bind(handler))
