"""The bulk import writes what the one-step services write: the same file, both ways, compared.

Into the demo installation (load_demo --without-cases): the example file of docs/examples plus
rows for every branch of a row's history (a repeat of a row of the file and of a case imported
before, an organ outside the installation, no unit, accepted or not, replied, served, rated on
one track or both, concluded with the 复查 window lapsed or within it, an anonymous accusation)
and rows that cannot be written (a forward the services refuse, the repeat of that row, a date
that cannot be read). Each way runs in a savepoint rolled back afterwards, so both start from the
same database; the rows they leave are compared with ids replaced by what they name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from xinfang.cases import pii, search
from xinfang.cases.facts import FACT_FIELDS
from xinfang.cases.integrity import verify
from xinfang.cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseFact,
    CaseUnit,
    DocumentCounter,
    DocumentNumber,
    Petitioner,
    Rating,
)
from xinfang.cases.services._core import ProjectionDrift
from xinfang.cases.tests.helpers import category
from xinfang.notifications.models import Notification
from xinfang.statistics import importer
from xinfang.statistics.importer import import_file
from xinfang.statistics.models import ImportedCase
from xinfang.textintel.models import CaseTextSignature

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import-example.csv"

# Beside the example's rows (see the module docstring).
EXTRA_ROWS: list[dict[str, str]] = [
    {  # concluded a few days after the reply: within the 复查 window (petitioner_accepted)
        "信访件编号": "EX-ACCEPTED",
        "信访日期": "2024-06-10",
        "登记机构": "示例市信访局",
        "信访形式": "来信",
        "信访性质": "申诉求决",
        "问题属地": "青山县",
        "内容分类": "040300",
        "标题": "工资未结清",
        "内容": "工程结束后工资仍未结清，请求协调。",
        "信访人姓名": "孙丽",
        "证件号码": "11010519491231002X",
        "手机": "13800009999",
        "责任单位": "青山县人力资源和社会保障局",
        "受理日期": "2024-06-12",
        "答复日期": "2024-07-01",
        "答复类型": "支持",
        "办结日期": "2024-07-05",
        "责任单位评价": "不满意",
    },
    {  # registered by a department itself (no unit), replied, rated by the bureau only, not closed
        "信访件编号": "EX-OWN",
        "信访日期": "2024-06-11",
        "登记机构": "青山县信访局",
        "信访形式": "来访",
        "信访性质": "建议意见",
        "问题属地": "青山县",
        "内容分类": "交通运输",
        "标题": "建议增设路灯",
        "内容": "村道夜间无照明，建议增设路灯。",
        "信访人姓名": "钱进",
        "受理日期": "2024-06-11",
        "答复日期": "2024-06-30",
        "答复类型": "解释说明",
        "信访部门评价": "满意",
    },
    {  # the services refuse it: a county bureau cannot forward to the city's department
        "信访件编号": "EX-REFUSED",
        "信访日期": "2024-06-12",
        "登记机构": "青山县信访局",
        "信访形式": "来信",
        "问题属地": "青山县",
        "标题": "转送越级",
        "内容": "测试内容。",
        "信访人姓名": "周一",
        "责任单位": "示例市住房和城乡建设局",
    },
    {  # ... and so its repeat cannot be linked
        "信访件编号": "EX-REPEAT-OF-REFUSED",
        "信访日期": "2024-06-20",
        "登记机构": "青山县信访局",
        "信访形式": "来信",
        "问题属地": "青山县",
        "标题": "再次反映",
        "内容": "测试内容。",
        "信访人姓名": "周一",
        "重复信访件编号": "EX-REFUSED",
    },
    {  # a repeat of a case imported before this file
        "信访件编号": "EX-REPEAT-EARLIER",
        "信访日期": "2024-07-02",
        "登记机构": "示例市信访局",
        "信访形式": "来访",
        "问题属地": "青山县",
        "标题": "又一次反映",
        "内容": "此前反映的问题仍未解决。",
        "信访人姓名": "吴二",
        "重复信访件编号": "EARLIER-1",
        "受理日期": "2024-07-03",
    },
    {  # a date that cannot be read (skipped with --skip-bad)
        "信访件编号": "EX-BAD-DATE",
        "信访日期": "2024-13-40",
        "信访形式": "来信",
        "问题属地": "青山县",
        "标题": "日期有误",
        "内容": "测试内容。",
        "信访人姓名": "郑三",
    },
]

EARLIER_ROW = {
    "信访件编号": "EARLIER-1",
    "信访日期": "2024-01-03",
    "登记机构": "示例市信访局",
    "信访形式": "来访",
    "问题属地": "青山县",
    "标题": "最初反映",
    "内容": "最初反映的问题。",
    "信访人姓名": "吴二",
}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with EXAMPLE.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        example = list(reader)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(example + rows)
    return path


class _Undo(Exception):
    pass


def _names() -> dict[int, str]:
    return dict(ImportedCase.objects.values_list("case_id", "external_number"))


def _snapshot() -> dict[str, Any]:
    """Every row an import writes, ids of cases replaced by their 信访件编号 in the file."""
    names = _names()

    def case_of(pk: int | None) -> str | None:
        return None if pk is None else names[pk]

    cases = {}
    for case in Case.objects.all():
        values = {
            f.attname: getattr(case, f.attname)
            for f in Case._meta.concrete_fields
            if f.attname not in {"id", "query_code", "number", "last_event_hash"}
        }
        values["repeat_of_id"] = case_of(case.repeat_of_id)
        values["duplicate_of_id"] = case_of(case.duplicate_of_id)
        # 信访件编号: region, date, then the row's id (which differs between the runs on PostgreSQL)
        assert case.number.endswith(f"{case.pk:08d}")
        values["number"] = case.number[:-8]
        cases[names[case.pk]] = values
    events = {}
    for event in CaseEvent.objects.order_by("case_id", "seq"):
        payload = dict(event.payload)
        if "target" in payload:
            payload["target"] = case_of(payload["target"])
            payload["target_number"] = payload["target_number"][:-8]
        events[(names[event.case_id], event.seq)] = (
            event.kind,
            payload,
            event.at,
            event.org_id,
            event.actor_id,
        )
    people = sorted(
        (
            names[p.case_id],
            pii.decrypt(p.name_enc),
            pii.decrypt(p.id_number_enc),
            pii.decrypt(p.phone_enc),
            p.name_hash,
            p.id_number_hash,
            p.phone_hash,
            p.name_key,
            p.address,
            p.is_representative,
        )
        for p in Petitioner.objects.all()
    )
    facts = {}
    for fact in CaseFact.objects.all():
        values = {name: getattr(fact, name) for name in (*FACT_FIELDS, "first_repeat_on")}
        values["repeat_of_id"] = case_of(fact.repeat_of_id)
        values["duplicate_of_id"] = case_of(fact.duplicate_of_id)
        facts[names[fact.case_id]] = values
    return {
        "cases": cases,
        "events": events,
        "people": people,
        "units": sorted(
            (names[u.case_id], u.org_id, u.role, u.is_active, u.since) for u in CaseUnit.objects.all()
        ),
        "access": sorted(
            (names[a.case_id], a.org_id or 0, a.region_id or 0, a.tree, a.area)
            for a in CaseAccess.objects.all()
        ),
        "facts": facts,
        "ratings": sorted(
            (names[r.case_id], r.track, r.org_id, r.value, r.reason, r.rated_at) for r in Rating.objects.all()
        ),
        "imported": sorted(
            ImportedCase.objects.values_list(
                "external_number", "registered_level", "outside_org", "source_file", "source_row"
            )
        ),
        "numbers": sorted(
            (names[d.case_id], d.event.seq, d.kind, d.org_id, d.year, d.series, d.serial, d.number)
            for d in DocumentNumber.objects.select_related("event")
        ),
        "counters": sorted(DocumentCounter.objects.values_list("org_id", "year", "series", "last")),
        # the search index (FTS5 on SQLite, kept by triggers) and the people's name keys
        "found": sorted(
            names[pk]
            for word in ("拖欠工资", "墙体开裂", "补偿款")
            for pk in Case.objects.filter(search.by_text(word)).values_list("pk", flat=True)
        ),
        "found_by_name": sorted(
            names[pk] for pk in Case.objects.filter(search.by_name("王建国")).values_list("pk", flat=True)
        ),
        "signatures": sorted(
            (names[s.case_id], s.band, s.hash) for s in CaseTextSignature.objects.all() if s.case_id in names
        ),
    }


def _import(path: Path, **kwargs: Any) -> tuple[dict[str, Any], list[tuple[int, str, str]], list[str], int]:
    """Import `path` in a savepoint that is rolled back: what it wrote, its errors, what the
    integrity check found, and how many notices it sent."""
    out: list[Any] = []
    notices = Notification.objects.count()
    try:
        with transaction.atomic():
            result = import_file(path, skip_bad=True, **kwargs)
            problems: list[str] = []
            verify(report=problems.append)
            out = [
                _snapshot(),
                [(e.row, e.column, e.reason) for e in result.errors],
                problems,
                Notification.objects.count() - notices,
            ]
            raise _Undo
    except _Undo:
        pass
    return out[0], out[1], out[2], out[3]


def _demo_file(tmp_path: Path) -> Path:
    """The demo installation with a case imported before, and the file to import into it."""
    call_command("load_demo", "--without-cases", "--quiet-logins")
    earlier = tmp_path / "earlier.csv"
    with earlier.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(EARLIER_ROW))
        writer.writeheader()
        writer.writerow(EARLIER_ROW)
    import_file(earlier)
    return _write(tmp_path / "history.csv", EXTRA_ROWS)


@pytest.fixture
def demo(db: None, tmp_path: Path) -> Iterator[Path]:
    yield _demo_file(tmp_path)


def test_the_bulk_path_writes_what_the_one_step_services_write(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stepwise, step_errors, step_problems, step_notices = _import(demo, bulk=False)

    def no_fallback(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bulk path fell back to writing row by row")

    monkeypatch.setattr(importer, "_write_stepwise", no_fallback)
    bulk, bulk_errors, bulk_problems, bulk_notices = _import(demo)
    small, small_errors, small_problems, _ = _import(demo, batch=4)  # repeats across batches

    assert step_problems == bulk_problems == small_problems == []
    assert step_notices == bulk_notices == 0  # history is not news
    assert step_errors == bulk_errors == small_errors
    rows = {row for row, _, _ in step_errors}
    assert len(rows) == 3  # the unreadable date, the refused forward, its repeat
    assert any(column == "责任单位" or "上级机关" in reason for _, column, reason in step_errors)
    assert any(column == "重复信访件编号" and "EX-REFUSED" in reason for _, column, reason in step_errors)
    for part in stepwise:
        assert bulk[part] == stepwise[part], part
        assert small[part] == stepwise[part], part
    # every branch was there to compare
    events = stepwise["events"]
    kinds = {kind for kind, *_ in events.values()}
    assert {
        "registered",
        "linked",
        "forwarded",
        "accepted",
        "replied",
        "delivered",
        "rated",
        "terminated",
    } <= kinds
    reasons = {payload["reason"] for kind, payload, *_ in events.values() if kind == "terminated"}
    assert reasons == {"window_lapsed", "petitioner_accepted"}
    assert stepwise["cases"]["EX-REPEAT-EARLIER"]["repeat_of_id"] == "EARLIER-1"
    assert stepwise["cases"]["XF-2024-0006"]["repeat_of_id"] == "XF-2024-0001"
    assert stepwise["facts"]["XF-2024-0001"]["first_repeat_on"] is not None
    assert stepwise["numbers"] and stepwise["signatures"]
    assert stepwise["found"] and len(stepwise["found_by_name"]) == 2
    assert any(outside for _, _, outside, _, _ in stepwise["imported"])


def test_a_batch_refused_as_a_whole_is_written_row_by_row(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected, errors, _, _ = _import(demo, batch=4)
    lay_out = importer.services.lay_out_history
    calls: list[int] = []

    def refuse_the_first(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ProjectionDrift("信访件状态与办理记录不一致")
        return lay_out(**kwargs)

    monkeypatch.setattr(importer.services, "lay_out_history", refuse_the_first)
    fallen_back, fallback_errors, problems, _ = _import(demo, batch=4)
    assert len(calls) > 1 and problems == []
    assert fallback_errors == errors
    for part in expected:
        assert fallen_back[part] == expected[part], part


@pytest.fixture
def committed_demo(transactional_db: None, tmp_path: Path) -> Iterator[Path]:
    """`demo`, committed: a forked process reads only what is committed."""
    category("030100")  # a transactional test before this one flushed the code table
    yield _demo_file(tmp_path)


def test_batches_laid_out_by_a_second_process_write_the_same_rows(
    committed_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("a forked process cannot see an in-memory SQLite database (runs on PostgreSQL)")
    one_by_one, errors, _, _ = _import(committed_demo, batch=4)

    def no_fallback(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bulk path fell back to writing row by row")

    monkeypatch.setattr(importer, "_write_stepwise", no_fallback)
    apart: list[int] = []
    write_apart = importer._write_apart

    def counted(chunks: Any, *args: Any) -> int:
        apart.append(written := write_apart(chunks, *args))
        assert written == len(chunks)  # every batch came from the second process
        return written

    monkeypatch.setattr(importer, "_write_apart", counted)
    result = import_file(committed_demo, skip_bad=True, batch=4, parallel=True)
    assert apart and apart[0] > 1
    problems: list[str] = []
    verify(report=problems.append)
    assert problems == []
    assert [(e.row, e.column, e.reason) for e in result.errors] == errors
    parallel = _snapshot()
    for part in one_by_one:
        assert parallel[part] == one_by_one[part], part
