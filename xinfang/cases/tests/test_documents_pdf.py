"""Every document as PDF: the same text as its .docx, on as many pages as it needs."""

from __future__ import annotations

import io

import pytest
from docx import Document

from xinfang.cases import services
from xinfang.cases.documents import DOCUMENT_KINDS, available_documents, render_document
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.cases.tests.test_documents import climbed as climbed_case
from xinfang.core.errors import ServiceError
from xinfang.testing.pdf import page_texts
from xinfang.testing.world import World

climbed = climbed_case  # the fixture of the .docx tests: a case with every document but the decline


def _docx_paragraphs(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(p.text for cell in row.cells for p in cell.paragraphs)
    return [t.replace(" ", "") for t in texts if t.strip()]


def _same_text(case: Case, kind: str) -> None:
    docx_name, docx = render_document(case, kind)
    pdf_name, pdf = render_document(case, kind, fmt="pdf")
    assert pdf_name == docx_name.removesuffix(".docx") + ".pdf"
    assert pdf.startswith(b"%PDF-")
    text = "".join(page_texts(pdf)).replace(" ", "")
    for paragraph in _docx_paragraphs(docx):
        assert paragraph in text, (kind, paragraph)


def test_every_document_of_a_case_is_also_a_pdf_saying_what_its_docx_says(climbed: Case) -> None:
    kinds = [kind for kind, _ in available_documents(climbed)]
    assert set(kinds) == set(DOCUMENT_KINDS) - {"decline_notice"}
    for kind in kinds:
        _same_text(climbed, kind)


def test_the_decline_notice_is_a_pdf_too(world: World) -> None:
    case = services.case_decline(
        actor=world.registrar,
        case=register(world),
        legal_channel="litigation",
        reasons="已由人民法院立案审理",
    )
    _same_text(case, "decline_notice")


def test_a_long_reply_runs_onto_more_pages_with_a_number_on_each(climbed: Case) -> None:
    event = climbed.events.get(kind="replied")
    event.payload = {**event.payload, "facts": "\n".join(f"第{n}项查明的事实。" * 4 for n in range(1, 41))}
    event.save(update_fields=["payload"])  # the document reads the event; the hash chain is not checked here
    _, pdf = render_document(climbed, "reply_opinion", fmt="pdf")
    pages = page_texts(pdf)
    assert len(pages) >= 4
    assert all(page.endswith(f"— {n} —") for n, page in enumerate(pages, start=1))
    assert "第40项查明的事实" in "".join(pages)


def test_an_unknown_format_is_refused_naming_the_formats_there_are(climbed: Case) -> None:
    with pytest.raises(ServiceError) as refused:
        render_document(climbed, "reply_opinion", fmt="odt")
    assert refused.value.field == "format" and "docx、pdf" in refused.value.message
