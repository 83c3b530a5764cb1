"""The citizen's pages (网上信访): accounts, 写信, 我的信访 and 查询, rating and appeals.

Each view validates its form, calls one function of `accounts`, `submissions` or the selectors, shows
a ServiceError next to the field it names and renders; no rule of the workflow is decided here.
"""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from xinfang.cases import pii
from xinfang.cases.documents import FORMATS, render_document
from xinfang.cases.models import Case
from xinfang.core.clientip import client_ip
from xinfang.core.errors import ServiceError
from xinfang.leadership.selectors.reception import published_schedule
from xinfang.portal import accounts, submissions, throttle
from xinfang.portal.forms import (
    AppealForm,
    CodeLoginForm,
    LookupForm,
    PasswordLoginForm,
    RateForm,
    RegisterForm,
    ResetForm,
    SubmitForm,
    SupplementForm,
    VerifyForm,
)
from xinfang.portal.models import SmsCode
from xinfang.portal.selectors import (
    LOOKUP_REFUSED,
    case_by_code,
    case_of_citizen,
    case_view,
    cn_date,
    my_cases,
    organ_suggestions,
)
from xinfang.portal.templatetags import portal_legal_routes as legal_routes

LOOKUP_SESSION = "portal_lookup"  # the cases opened with their 查询码 in this session
CODE_SENT = "验证码已发送至 {phone}，10 分钟内有效。"


def _session_seconds() -> int:
    return int(getattr(settings, "XINFANG_PORTAL_SESSION_SECONDS", 2 * 3600))


def _bound(request: HttpRequest) -> tuple[Any, Any]:
    """A form's data and files: bound on POST even when empty, so an empty form shows its errors."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def citizen_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        if not request.user.is_citizen:  # type: ignore[union-attr]
            return render(request, "portal/staff_here.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _sign_in(request: HttpRequest, user: Any) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # A phone is often shared or lost: the portal's session ends sooner than the office's.
    request.session.set_expiry(_session_seconds())


def _send_code(request: HttpRequest, form: Any, purpose: str) -> str:
    """The 获取验证码 button of a form: send the code, or show why not; the typed values stay."""
    phone = (form.data.get("phone") or "").strip()
    try:
        accounts.code_send(phone=phone, purpose=purpose, ip=client_ip(request))
    except ServiceError as exc:
        form.show(exc)
        return ""
    return CODE_SENT.format(phone=pii.mask_phone(accounts.phone_clean(phone)))


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"reception_days": list(published_schedule(days=14)[:5])})


def reception_schedule(request: HttpRequest) -> HttpResponse:
    """领导接访日安排: the published reception days of the coming weeks (第十八条), for anyone."""
    return render(request, "portal/reception_days.html", {"days": list(published_schedule()[:200])})


@require_GET
def legal_route_suggest(request: HttpRequest) -> HttpResponse:
    """GET ?category=<id or code>&subject=…&content=…: the legal routes the guide (法定途径清单)
    suggests, as an HTML fragment for the 写信 page; public, and only the guide's public text."""
    text = f"{request.GET.get('subject', '')} {request.GET.get('content', '')}"
    routes = legal_routes.suggested_for(legal_routes.category_from(request.GET.get("category")), text)
    return render(request, "portal/_legal_route_suggest.html", {"routes": routes})


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(_bound(request)[0])
    notice = ""
    if request.method == "POST":
        if request.POST.get("send_code"):
            notice = _send_code(request, form, SmsCode.Purpose.REGISTER)
            form = _unbound_errors(form)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                user = accounts.citizen_register(
                    phone=data["phone"],
                    code=data["code"],
                    full_name=data["full_name"],
                    id_number=data["id_number"],
                    password=data["password"],
                )
            except ServiceError as exc:
                form.show(exc)
            else:
                _sign_in(request, user)
                return redirect("portal:home")
    return render(request, "portal/register.html", {"form": form, "notice": notice})


def _unbound_errors(form: Any) -> Any:
    """After 获取验证码 only the phone is judged: the rest is still being typed."""
    form._errors = {k: v for k, v in (form._errors or {}).items() if k in ("phone", "__all__")}
    return form


def login_view(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode") or request.GET.get("mode") or "password"
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith("/portal/"):
        next_url = reverse("portal:home")
    form: Any = (CodeLoginForm if mode == "code" else PasswordLoginForm)(_bound(request)[0])
    notice = ""
    if request.method == "POST":
        if mode == "code" and request.POST.get("send_code"):
            notice = _send_code(request, form, SmsCode.Purpose.LOGIN)
            form = _unbound_errors(form)
        elif form.is_valid():
            user = _password_user(request, form) if mode != "code" else _code_user(request, form)
            if user is not None:
                _sign_in(request, user)
                return redirect(next_url)
    context = {"form": form, "mode": mode, "notice": notice, "next": next_url}
    # A TemplateResponse: django-axes replaces it with the same form saying why it is locked.
    return TemplateResponse(request, "portal/login.html", context)


def _password_user(request: HttpRequest, form: Any) -> Any:
    data = form.cleaned_data
    login_name = data["phone"].strip()
    try:
        known = accounts.citizen_by_phone(accounts.phone_clean(login_name))
    except ServiceError:
        known = None  # not a mobile number: an account's user name (one opened in the back office)
    # Unknown names are tried too, so django-axes counts them against this address.
    user = authenticate(request, username=known.username if known else login_name, password=data["password"])
    if user is None or not user.is_citizen:
        if not getattr(request, "axes_locked_out", False):
            form.add_error(None, "手机号码或密码不正确。工作人员请从工作台登录。")
        return None
    return user


def _code_user(request: HttpRequest, form: Any) -> Any:
    data = form.cleaned_data
    try:
        phone = accounts.phone_clean(data["phone"])
        throttle.check("code_login", phone, "登录尝试过多，请 {wait}后再试。", field="code")
        accounts.code_check(phone=phone, purpose=SmsCode.Purpose.LOGIN, code=data.get("code") or "")
    except ServiceError as exc:
        form.show(exc)
        return None
    user = accounts.citizen_by_phone(phone)
    if user is None or not user.is_active:
        form.add_error("code", "验证码已失效，请重新获取。")
        return None
    return user


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


def reset(request: HttpRequest) -> HttpResponse:
    form = ResetForm(_bound(request)[0])
    notice = ""
    if request.method == "POST":
        if request.POST.get("send_code"):
            notice = _send_code(request, form, SmsCode.Purpose.RESET)
            form = _unbound_errors(form)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                user = accounts.password_reset(
                    phone=data["phone"], code=data["code"], password=data["password"]
                )
            except ServiceError as exc:
                form.show(exc)
            else:
                _sign_in(request, user)
                return redirect("portal:my-cases")
    return render(request, "portal/reset.html", {"form": form, "notice": notice})


@citizen_required
def verify(request: HttpRequest) -> HttpResponse:
    """实名认证 of a signed-in account that has none yet: writing needs a verified identity."""
    if accounts.is_verified(request.user):  # type: ignore[arg-type]
        return redirect("portal:submit")
    form = VerifyForm(_bound(request)[0])
    notice = ""
    if request.method == "POST":
        if request.POST.get("send_code"):
            notice = _send_code(request, form, SmsCode.Purpose.REGISTER)
            form = _unbound_errors(form)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                accounts.citizen_verify(
                    user=request.user,  # type: ignore[arg-type]
                    phone=data["phone"],
                    code=data["code"],
                    id_number=data["id_number"],
                )
            except ServiceError as exc:
                form.show(exc)
            else:
                return redirect("portal:submit")
    return render(request, "portal/verify.html", {"form": form, "notice": notice})


@citizen_required
def submit(request: HttpRequest) -> HttpResponse:
    if not accounts.is_verified(request.user):  # type: ignore[arg-type]
        return redirect("portal:verify")
    form = SubmitForm(*_bound(request))
    similar: list[submissions.Similar] = []
    region = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = data["problem_region"]
        org = data["org"] or None
        files = form.uploaded()
        if (done := submissions.submitted_with(request.user, data["token"])) is not None:  # type: ignore[arg-type]
            return redirect("portal:submitted", case_id=done.pk)
        try:
            if org is None:
                raise ServiceError("请选择向哪个机关提出。", field="org")
            if not data.get("confirm_new"):
                similar = submissions.similar_matters(
                    request.user,  # type: ignore[arg-type]
                    subject=data["subject"],
                    content=data["content"],
                )
            if not similar:
                case, _ = submissions.submit(
                    citizen=request.user,  # type: ignore[arg-type]
                    ip=client_ip(request),
                    token=data["token"],
                    org=org,
                    nature=data["nature"],
                    category=data["category"],
                    subject=data["subject"],
                    content=data["content"],
                    problem_region=region,
                    address=data["address"],
                    cosigner_count=data["cosigner_count"] or 0,
                    cosigners=form.cosigners(),
                    files=files,
                )
                return redirect("portal:submitted", case_id=case.pk)
        except ServiceError as exc:
            form.show(exc)
    elif request.method == "POST":
        region = form.cleaned_data.get("problem_region") if hasattr(form, "cleaned_data") else None
    suggestions = organ_suggestions()
    context = {
        "form": form,
        "similar": similar,
        "suggested": suggestions.get(region.pk) if region is not None else None,
        "suggestions": sorted(suggestions.items()),
    }
    return render(request, "portal/submit.html", context)


@citizen_required
def submitted(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_of_citizen(request.user, case_id)  # type: ignore[arg-type]
    if case is None or case.citizen_id != request.user.pk:  # the submitter's receipt, with the 查询码
        raise Http404("信访事项不存在。")
    view = case_view(case, request.user)  # type: ignore[arg-type]
    return render(request, "portal/submitted.html", {"case": case, "view": view})


@citizen_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = list(my_cases(request.user)[:100])  # type: ignore[arg-type]
    return render(request, "portal/case_list.html", {"cases": cases})


def _case(request: HttpRequest, case_id: int) -> Case:
    """A case the visitor may open: their own (signed in), or one opened here with its 查询码."""
    user = request.user
    if user.is_authenticated and user.is_citizen:  # type: ignore[union-attr]
        case = case_of_citizen(user, case_id)  # type: ignore[arg-type]
        if case is not None:
            return case
    if case_id in request.session.get(LOOKUP_SESSION, []):
        case = (
            Case.objects.select_related("registered_org", "current_org", "review_org")
            .filter(pk=case_id)
            .first()
        )
        if case is not None:
            return case
    raise Http404("信访事项不存在，或您无权查看。")


SUBMITTER_ONLY = (
    "补充材料、评价和申请复查（复核）由提交本事项的信访人办理；联名信访人可以查看办理情况和文书。"
)


def _own_case(request: HttpRequest, case_id: int) -> Case:
    """A case the signed-in citizen submitted: what only the submitter does (material, rating,
    appeals) is not offered to a co-signer, who sees the matter (`_case`) and nothing more."""
    case = _case(request, case_id)
    if case.citizen_id != request.user.pk:
        raise Http404(SUBMITTER_ONLY)
    return case


def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    user = request.user if request.user.is_authenticated else None
    view = case_view(case, user)  # type: ignore[arg-type]
    context = {
        "case": case,
        "view": view,
        "rate_forms": [RateForm(initial={"track": track}, prefix=track) for track, _ in view.ratable_tracks],
    }
    return render(request, "portal/case_detail.html", context)


@citizen_required
def supplement(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _own_case(request, case_id)
    form = SupplementForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            submissions.supplement(citizen=request.user, case=case, files=form.uploaded())  # type: ignore[arg-type]
        except ServiceError as exc:
            form.show(exc)
        else:
            return redirect(f"{reverse('portal:case-detail', args=[case.pk])}?added=1")
    view = case_view(case, request.user)  # type: ignore[arg-type]
    return render(request, "portal/supplement.html", {"case": case, "view": view, "form": form})


@citizen_required
@require_POST
def rate(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _own_case(request, case_id)
    track = request.POST.get("track_key", "")
    form = RateForm(request.POST, prefix=track)
    if form.is_valid():
        data = form.cleaned_data
        try:
            submissions.rate(
                citizen=request.user,  # type: ignore[arg-type]
                case=case,
                track=data["track"],
                value=data["value"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            form.show(exc)
        else:
            return redirect(f"{reverse('portal:case-detail', args=[case.pk])}?rated=1")
    view = case_view(case, request.user)  # type: ignore[arg-type]
    forms = [form if t == track else RateForm(initial={"track": t}, prefix=t) for t, _ in view.ratable_tracks]
    return render(
        request, "portal/case_detail.html", {"case": case, "view": view, "rate_forms": forms}, status=400
    )


@citizen_required
def appeal(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _own_case(request, case_id)
    view = case_view(case, request.user)  # type: ignore[arg-type]
    form = AppealForm(*_bound(request))
    if request.method == "POST" and view.appeal and form.is_valid():
        try:
            submissions.appeal(
                citizen=request.user,  # type: ignore[arg-type]
                case=case,
                stage=view.appeal,
                reasons=form.cleaned_data["reasons"],
                files=form.uploaded(),
            )
        except ServiceError as exc:
            form.show(exc)
        else:
            return redirect(f"{reverse('portal:case-detail', args=[case.pk])}?appealed=1")
    return render(request, "portal/appeal.html", {"case": case, "view": view, "form": form})


def document(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    """A letter addressed to the petitioner, as .docx or (`?format=pdf`) PDF, rendered now."""
    case = _case(request, case_id)
    view = case_view(case, request.user if request.user.is_authenticated else None)  # type: ignore[arg-type]
    if kind not in dict(view.documents):
        raise Http404("该文书尚未送达，或不存在。")
    fmt = request.GET.get("format") or "docx"
    try:
        filename, content = render_document(case, kind, fmt=fmt)
    except ServiceError as exc:  # a format that does not exist
        raise Http404(exc.message) from None
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(_bound(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            case = case_by_code(
                number=form.cleaned_data["number"], code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ServiceError as exc:
            form.show(exc)
        else:
            if case is None:
                form.add_error(None, LOOKUP_REFUSED)
            else:
                opened = [i for i in request.session.get(LOOKUP_SESSION, []) if i != case.pk][-9:]
                request.session[LOOKUP_SESSION] = [*opened, case.pk]
                return redirect("portal:case-detail", case_id=case.pk)
    return render(request, "portal/lookup.html", {"form": form, "cn_date": cn_date})
