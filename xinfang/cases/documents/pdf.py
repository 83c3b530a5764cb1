"""The case file as PDF, made by the worker (`xinfang.cases.tasks.write_case_file_pdf`), never in a
request: a case file holds every document of the case and may run to many pages.

`docx_to_pdf` converts with LibreOffice where it is installed (it is not a dependency): `libreoffice
--headless --convert-to pdf` in a temporary folder with its own profile (two conversions at once do
not share one). Without it, the product's own renderer draws the PDF (`xinfang.core.pdf_layout`,
the one that gives each letter as PDF), so the case file's PDF is offered everywhere.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document

from xinfang.core import pdf_layout

if TYPE_CHECKING:
    from xinfang.cases.models import Case, CaseFileExport
    from xinfang.orgs.models import User

CONVERT_TIMEOUT_S = 180


def libreoffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


class ConversionFailed(Exception):
    pass


def docx_to_pdf(data: bytes) -> bytes:
    program = libreoffice()
    if program is None:
        return pdf_layout.docx_to_pdf(Document(io.BytesIO(data)))
    with tempfile.TemporaryDirectory(prefix="xinfang-pdf-") as folder:
        work = Path(folder)
        source = work / "case-file.docx"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=True)
        except (subprocess.SubprocessError, OSError) as exc:
            raise ConversionFailed(f"LibreOffice 转换失败：{exc}") from exc
        result = work / "case-file.pdf"
        if not result.exists():
            raise ConversionFailed("LibreOffice 未生成 PDF 文件。")
        return result.read_bytes()


def latest_export(user: User, case: Case) -> CaseFileExport | None:
    """The user's last PDF of the case, for the case page (None when they asked for none)."""
    from xinfang.cases.models import CaseFileExport

    return (
        CaseFileExport.objects.filter(case=case, requested_by=user)
        .defer("content")
        .order_by("-created_at")
        .first()
    )
