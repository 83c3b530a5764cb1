"""The back office: the import records, the import itself (upload, preview, confirm), and the
report templates (edited, previewed on invented figures, copied).

The list shows where each imported case came from (file, row, number, level), not the case: cases
are seen through the access policy on the staff pages. The upload runs the same checks as
`import_cases`; nothing is written before the 系统管理员 confirms, and a file with a bad row is
imported only with 跳过有误的行 ticked.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from xinfang.core.forms import CleanTextAdmin
from xinfang.core.text import clean_text
from xinfang.statistics.importer import import_file
from xinfang.statistics.importing import COLUMNS, FileProblem, read_table
from xinfang.statistics.models import ImportedCase, ReportTemplate
from xinfang.statistics.render import ReportTemplateError, render, render_template, unknown_names
from xinfang.statistics.render_sample import empty_report, sample_report

PREVIEW_ROWS = 10
# An upload not confirmed within a day is removed (it holds petitioners' personal data).
KEEP_UPLOADS = dt.timedelta(days=1)
_TOKEN = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _remove_stale_uploads() -> None:
    cutoff = time.time() - KEEP_UPLOADS.total_seconds()
    for stale in upload_dir().glob("*"):
        if _TOKEN.match(stale.name) and stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="导入文件", help_text="CSV（UTF-8 或 GB18030）或 Excel（.xlsx），首行为中文表头。"
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError("只能导入 .csv 或 .xlsx 文件。")
        return upload


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=_TOKEN, widget=forms.HiddenInput)
    name = forms.CharField(max_length=255, widget=forms.HiddenInput)
    skip_bad = forms.BooleanField(label="跳过有误的行，只导入正确的行", required=False)


@admin.register(ImportedCase)
class ImportedCaseAdmin(CleanTextAdmin, admin.ModelAdmin[ImportedCase]):
    list_display = [
        "external_number",
        "registered_level",
        "outside_org",
        "source_file",
        "source_row",
        "imported_at",
    ]
    list_filter = ["registered_level", "source_file"]
    search_fields = ["external_number", "source_file"]
    change_list_template = "statistics/admin/importedcase_changelist.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from an import only

    def has_change_permission(self, request: HttpRequest, obj: ImportedCase | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ImportedCase | None = None) -> bool:
        return False  # the case stays; without its row a re-import would register it twice

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="statistics_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        context: dict[str, Any] = {**self.admin_site.each_context(request), "title": "导入原有信访记录"}
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, context)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            _remove_stale_uploads()
            token = f"{secrets.token_hex(16)}{Path(upload.name).suffix.lower()}"
            target = upload_dir() / token
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                header, rows = read_table(target)
                result = import_file(target, dry_run=True)
            except FileProblem as exc:
                target.unlink(missing_ok=True)
                form.add_error("file", str(exc))
            else:
                shown = [c for c in COLUMNS if c in header]
                context.update(
                    result=result,
                    columns=shown,
                    preview=[
                        (number, [cells.get(c, "") for c in shown]) for number, cells in rows[:PREVIEW_ROWS]
                    ],
                    confirm=ConfirmForm(initial={"token": token, "name": upload.name}),
                    file_name=upload.name,
                )
                return TemplateResponse(request, "statistics/admin/import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "statistics/admin/import_upload.html", context)

    def _confirm(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        form = ConfirmForm(request.POST)
        target = upload_dir() / str(request.POST.get("token", ""))
        if not form.is_valid() or not target.is_file():
            messages.error(request, "上传的文件已失效，请重新上传。")
            return HttpResponseRedirect(reverse("admin:statistics_import"))
        named = target.with_name(Path(form.cleaned_data["name"]).name)
        try:
            result = import_file(target, skip_bad=form.cleaned_data["skip_bad"], source_name=named.name)
        except FileProblem as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:statistics_import"))
        if result.written:
            target.unlink(missing_ok=True)
        context.update(result=result, file_name=named.name, confirm=None if result.written else form)
        return TemplateResponse(request, "statistics/admin/import_done.html", context)


# --- report templates ---------------------------------------------------------------------------------


class ReportTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    """Refuses a template that does not compile or render on the sample reports, naming its line."""

    class Meta:
        model = ReportTemplate
        fields = ["name", "title", "description", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 110, "style": "font-family: monospace"})}

    def _check(self, field: str) -> str:
        value: str = self.cleaned_data.get(field) or ""
        for report in (sample_report(), empty_report()):
            try:
                render_template(value, report)
            except ReportTemplateError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def clean_title(self) -> str:
        return self._check("title")

    def clean_body(self) -> str:
        return self._check("body")


@admin.register(ReportTemplate)
class ReportTemplateAdmin(CleanTextAdmin, admin.ModelAdmin[ReportTemplate]):
    form = ReportTemplateForm
    list_display = ["name", "title", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "title", "body"]
    readonly_fields = ["preview", "updated_at"]
    fields = ["name", "title", "description", "is_active", "body", "preview", "updated_at"]
    actions = ["copy_templates"]
    change_form_template = "statistics/admin/reporttemplate_change_form.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="statistics_reporttemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The edited, unsaved title and body rendered on both sample reports (or their errors)."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:statistics_reporttemplate_changelist"))
        title, body = request.POST.get("title", ""), request.POST.get("body", "")
        previews = []
        for label, report in (("示例数据", sample_report()), ("没有信访事项的期间", empty_report())):
            try:
                rendered = render(clean_text(title), clean_text(body), report)
            except ReportTemplateError as exc:
                previews.append({"label": label, "error": str(exc)})
                continue
            previews.append(
                {
                    "label": label,
                    "title": rendered.title,
                    "lines": rendered.text.splitlines(),
                    "unknown": unknown_names(rendered.title + rendered.text),
                }
            )
        context = {**self.admin_site.each_context(request), "title": "报告模板预览", "previews": previews}
        return TemplateResponse(request, "statistics/admin/reporttemplate_preview.html", context)

    @admin.display(description="预览（示例数据）")
    def preview(self, obj: ReportTemplate) -> str:
        """The saved template rendered on the invented sample report, or its error with the line."""
        if obj.pk is None:
            return "保存后在此显示用示例数据生成的报告。"
        try:
            rendered = render(obj.title, obj.body, sample_report())
        except ReportTemplateError as exc:
            return format_html('<p class="errornote">{}</p>', str(exc))
        unknown = unknown_names(rendered.text)
        warning = (
            format_html('<p class="errornote">未知的名称：{}</p>', "、".join(unknown)) if unknown else ""
        )
        return format_html(
            '{}<div style="max-width: 50em; line-height: 1.8"><h3>{}</h3>{}</div>',
            warning,
            rendered.title,
            format_html_join("", "<p>{}</p>", ((line,) for line in rendered.text.splitlines())),
        )

    @admin.action(description="复制所选的报告模板")
    def copy_templates(self, request: HttpRequest, queryset: Any) -> None:
        for original in queryset:
            name = _copy_name(original.name)
            ReportTemplate.objects.create(
                name=name,
                title=original.title,
                body=original.body,
                description=original.description,
                is_active=False,  # a copy is switched on once its wording is changed
            )
            self.message_user(request, f"已复制为“{name}”（未启用），修改措辞后启用即可。", messages.SUCCESS)


def _copy_name(name: str) -> str:
    for number in range(1, 1000):
        candidate = f"{name}（副本{number if number > 1 else ''}）"
        if not ReportTemplate.objects.filter(name=candidate).exists():
            return candidate
    raise ValueError("too many copies")
