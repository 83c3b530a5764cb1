"""The 类案预警 page: the clusters of similar recent cases the daily job raised, as the user may see them,
each 待研判 or 已研判, with a form to record a 研判 for a pending one.

The form only carries what was typed; ``textintel.db.alerts.review_alert`` checks the organ, the role,
the access policy and the note, and its refusal comes back next to that alert's form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.validation import MAX_ID
from xinfang.orgs.models import Org, User
from xinfang.textintel.db.alerts import NOTE_MAX_LENGTH, alerts_for, review_alert, review_orgs, window_days
from xinfang.workbench.cases import staff_required


class AlertReviewForm(forms.Form):
    # Not a ChoiceField: an organ outside the list reaches the service, whose message says what is wrong.
    org_id = forms.IntegerField(
        label="研判机构",
        widget=forms.Select,
        min_value=1,
        max_value=MAX_ID,
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), "请选择研判机构。"),
    )
    note = TextField(
        label="研判意见",
        required=False,  # the service says 请填写研判意见 (one message for the page and the API)
        widget=forms.Textarea(
            attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH, "placeholder": "例如：已报分管领导、已合并交办"}
        ),
    )

    def __init__(self, *args: Any, alert_id: int, orgs: tuple[Org, ...] | list[Org], **kwargs: Any) -> None:
        super().__init__(*args, auto_id=f"review-{alert_id}-%s", **kwargs)  # one form per alert on the page
        self.alert_id = alert_id
        self.fields["org_id"].widget.choices = [(org.pk, org.name) for org in orgs]
        if len(orgs) == 1:
            self.fields["org_id"].widget = forms.HiddenInput()
        if orgs:
            self.fields["org_id"].initial = orgs[0].pk


def _page(request: HttpRequest, failed: AlertReviewForm | None = None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = []
    for view in alerts_for(user):
        form: AlertReviewForm | None = None
        if failed is not None and failed.alert_id == view.alert.pk:
            form = failed  # shown again with its error and the typed note, even if no longer pending
        elif view.pending:
            form = AlertReviewForm(alert_id=view.alert.pk, orgs=view.pending_orgs)
        rows.append((view, form))
    return render(request, "workbench/alerts/list.html", {"rows": rows, "window_days": window_days()})


@staff_required
def alert_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@staff_required
@require_POST
def alert_review(request: HttpRequest, alert_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    views = {view.alert.pk: view for view in alerts_for(user)}
    if alert_id not in views:
        raise Http404("类案预警不存在，或您无权查看。")
    # all of the user's organs when none is pending any more (another tab recorded it): the form still shows
    orgs = views[alert_id].pending_orgs or tuple(review_orgs(user))
    form = AlertReviewForm(request.POST, alert_id=alert_id, orgs=orgs)
    if form.is_valid():
        try:
            review = review_alert(user, alert_id, form.cleaned_data["org_id"], form.cleaned_data["note"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已记录{review.org.name}的研判：{review.note}")
            return redirect(f"{reverse('workbench:alert-list')}#alert-{alert_id}")
    return _page(request, failed=form)
