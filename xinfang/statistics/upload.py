"""The import of existing records from an uploaded file: upload, preview, confirm.

One flow for its two doors, the back office (`admin.ImportedCaseAdmin`, for a 系统管理员) and the
workbench page /statistics/import/ (for a 统计员 or 系统管理员, `xinfang.workbench.statistics_import`):
each view only decides who may come in and which page wraps the same templates
(`statistics/import/_*.html`). The upload runs the same checks as `import_cases`; nothing is
written before the user confirms, and a file with a bad row is imported only with 跳过有误的行
ticked. The uploaded file waits under MEDIA_ROOT/imports/ under a random name until then.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from xinfang.statistics.importer import ImportResult, import_file
from xinfang.statistics.importing import COLUMNS, FileProblem, read_table

PREVIEW_ROWS = 10
# An upload not confirmed within a day is removed (it holds petitioners' personal data).
KEEP_UPLOADS = dt.timedelta(days=1)
_TOKEN = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")
EXPIRED = "上传的文件已失效，请重新上传。"


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


@dataclass
class Step:
    """What the flow did with a request: the template to show (one of `TEMPLATES`) and its context,
    or an error to show on the upload page again."""

    template: str = "upload"
    context: dict[str, Any] = field(default_factory=dict)
    error: str = ""


TEMPLATES = ("upload", "preview", "done")


def _preview(form: UploadForm) -> Step:
    upload: UploadedFile = form.cleaned_data["file"]
    _remove_stale_uploads()
    name = upload.name or "upload.csv"
    token = f"{secrets.token_hex(16)}{Path(name).suffix.lower()}"
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
        return Step("upload", {"form": form})
    shown = [c for c in COLUMNS if c in header]
    return Step(
        "preview",
        {
            "result": result,
            "columns": shown,
            "preview": [(number, [cells.get(c, "") for c in shown]) for number, cells in rows[:PREVIEW_ROWS]],
            "confirm": ConfirmForm(initial={"token": token, "name": name}),
            "file_name": name,
        },
    )


def _confirm(data: Any) -> Step:
    form = ConfirmForm(data)
    target = upload_dir() / str(data.get("token", ""))
    if not form.is_valid() or not target.is_file():
        return Step(error=EXPIRED)
    named = target.with_name(Path(form.cleaned_data["name"]).name)
    try:
        result: ImportResult = import_file(
            target, skip_bad=form.cleaned_data["skip_bad"], source_name=named.name
        )
    except FileProblem as exc:
        return Step(error=str(exc))
    if result.written:
        target.unlink(missing_ok=True)
    return Step(
        "done", {"result": result, "file_name": named.name, "confirm": None if result.written else form}
    )


def handle(method: str, data: Any, files: Any) -> Step:
    """One request of the flow: a confirmation (a POST with the token), an upload, or the form."""
    if method == "POST" and "token" in data:
        return _confirm(data)
    form = UploadForm(data if method == "POST" else None, files if method == "POST" else None)
    if method == "POST" and form.is_valid():
        return _preview(form)
    return Step("upload", {"form": form})
