"""The back office: the import records, the import itself (upload, preview, confirm), the report
jobs of the statistics page (read-only, with their files), and the report templates (edited,
previewed on invented figures, copied).

The list shows where each imported case came from (file, row, number, level), not the case: cases
are seen through the access policy on the staff pages. The import itself is the flow of
`xinfang.statistics.upload` (also on the workbench for a 统计员): the same checks as `import_cases`,
nothing written before the user confirms. The report jobs are listed read-only, with their files.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from xinfang.core.forms import CleanTextAdmin, ReadOnlyAdmin
from xinfang.core.text import clean_text
from xinfang.statistics import upload
from xinfang.statistics.models import ImportedCase, ReportJob, ReportTemplate
from xinfang.statistics.render import ReportTemplateError, render_text, samples_for, unknown_names


@admin.register(ImportedCase)
class ImportedCaseAdmin(ReadOnlyAdmin):
    """Read-only: the rows come from an import only, and none is deleted (the case stays, and
    without its row a re-import would register it twice)."""

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

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="statistics_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """The import's flow (`xinfang.statistics.upload`) in the back office's pages."""
        step = upload.handle(request.method or "GET", request.POST, request.FILES)
        if step.error:
            messages.error(request, step.error)
            return HttpResponseRedirect(reverse("admin:statistics_import"))
        context = {**self.admin_site.each_context(request), "title": "导入原有信访记录", **step.context}
        return TemplateResponse(request, f"statistics/admin/import_{step.template}.html", context)


# --- report jobs ---------------------------------------------------------------------------------------


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    """The statistics page's report files, read-only: who asked for what, how it went, the file.
    Jobs are asked for on the statistics page and removed by housekeeping after
    XINFANG_REPORT_JOB_KEEP_DAYS (`prune_report_jobs`)."""

    list_display = [
        "created_at",
        "requested_by",
        "org",
        "period",
        "fmt",
        "template_name",
        "status",
        "finished_at",
        "download",
    ]
    list_filter = ["status", "fmt"]
    search_fields = ["org__name", "requested_by__username", "requested_by__full_name", "filename"]
    list_select_related = ["org", "requested_by"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    exclude = ["content"]  # offered as a download, not printed as bytes

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("content")

    @admin.display(description="期间")
    def period(self, job: ReportJob) -> str:
        return f"{job.start:%Y-%m-%d}～{job.end:%Y-%m-%d}"

    @admin.display(description="文件")
    def download(self, job: ReportJob) -> str:
        if job.status != ReportJob.Status.DONE:
            return job.error or "—"
        url = reverse("admin:statistics_reportjob_download", args=[job.pk])
        return format_html('<a href="{}">下载 {}</a>', url, job.filename)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:job_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="statistics_reportjob_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.DONE).first()
        if job is None:
            raise Http404("报告不存在或尚未生成。")
        return FileResponse(io.BytesIO(bytes(job.content)), as_attachment=True, filename=job.filename)


# --- report templates ---------------------------------------------------------------------------------


class ReportTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    """Refuses a template that does not compile or render on the sample reports, naming its line."""

    class Meta:
        model = ReportTemplate
        fields = ["name", "kind", "title", "description", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 110, "style": "font-family: monospace"})}

    def _check(self, field: str) -> str:
        """The field rendered on its kind's sample contexts (`render.samples_for`); the kind is
        cleaned before the title and the body (the order of `fields`)."""
        value: str = self.cleaned_data.get(field) or ""
        for _label, values in samples_for(self.cleaned_data.get("kind") or ReportTemplate.Kind.REPORT):
            try:
                render_text(value, values)
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
    list_display = ["name", "kind", "title", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "title", "body"]
    readonly_fields = ["preview", "updated_at"]
    fields = ["name", "kind", "title", "description", "is_active", "body", "preview", "updated_at"]
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
        title, body = clean_text(request.POST.get("title", "")), clean_text(request.POST.get("body", ""))
        previews = []
        for label, values in samples_for(request.POST.get("kind") or ReportTemplate.Kind.REPORT):
            try:
                heading, text = render_text(title, values), render_text(body, values)
            except ReportTemplateError as exc:
                previews.append({"label": label, "error": str(exc)})
                continue
            previews.append(
                {
                    "label": label,
                    "title": heading,
                    "lines": text.splitlines(),
                    "unknown": unknown_names(heading + text),
                }
            )
        context = {**self.admin_site.each_context(request), "title": "报告模板预览", "previews": previews}
        return TemplateResponse(request, "statistics/admin/reporttemplate_preview.html", context)

    @admin.display(description="预览（示例数据）")
    def preview(self, obj: ReportTemplate) -> str:
        """The saved template rendered on the invented sample report, or its error with the line."""
        if obj.pk is None:
            return "保存后在此显示用示例数据生成的报告。"
        samples = samples_for(obj.kind)
        if not samples:
            return "这一类模板没有示例数据。"
        try:
            title, text = render_text(obj.title, samples[0][1]), render_text(obj.body, samples[0][1])
        except ReportTemplateError as exc:
            return format_html('<p class="errornote">{}</p>', str(exc))
        unknown = unknown_names(text)
        warning = (
            format_html('<p class="errornote">未知的名称：{}</p>', "、".join(unknown)) if unknown else ""
        )
        return format_html(
            '{}<div style="max-width: 50em; line-height: 1.8"><h3>{}</h3>{}</div>',
            warning,
            title,
            format_html_join("", "<p>{}</p>", ((line,) for line in text.splitlines())),
        )

    @admin.action(description="复制所选的报告模板")
    def copy_templates(self, request: HttpRequest, queryset: Any) -> None:
        for original in queryset:
            name = _copy_name(original.name)
            ReportTemplate.objects.create(
                name=name,
                kind=original.kind,
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
