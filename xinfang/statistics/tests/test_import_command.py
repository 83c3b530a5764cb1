"""import_cases end to end: rows become cases with real events, through the case services."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xinfang.cases.clocks import case_next_due
from xinfang.cases.integrity import verify
from xinfang.cases.models import Case, CaseEvent, Rating, Status
from xinfang.cases.services import PetitionerInput, case_register
from xinfang.core.timeutil import LOCAL_TZ, local_date, pinned_now
from xinfang.statistics.importer import IMPORT_USERNAME
from xinfang.statistics.levels import beijing_visit_q, level_of, registered_level
from xinfang.statistics.models import ImportedCase
from xinfang.statistics.tests.helpers import BAD_ROWS, GOOD_ROWS, write_csv, write_xlsx
from xinfang.testing.world import World


def _import(path: Path, *args: str) -> None:
    call_command("import_cases", str(path), *args)


def _case(number: str) -> Case:
    return ImportedCase.objects.select_related("case").get(external_number=number).case


def _kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def test_a_small_file_becomes_cases_with_their_history(world: World, tmp_path: Path) -> None:
    _import(write_csv(tmp_path / "export.csv", GOOD_ROWS))

    assert ImportedCase.objects.count() == Case.objects.count() == 5
    concluded = _case("SRC-0001")
    assert concluded.status == Status.TERMINATED
    assert concluded.registered_org == world.city_bureau
    assert concluded.received_on.isoformat() == "2024-03-04"
    assert concluded.registered_at.astimezone(LOCAL_TZ).date().isoformat() == "2024-03-04"
    assert concluded.closed_at is not None and local_date(concluded.closed_at).isoformat() == "2024-06-20"
    assert concluded.headcount == 6 and concluded.is_collective and concluded.via_proper_ladder
    assert concluded.category.code == "040300" and concluded.problem_region == world.county
    assert _kinds(concluded) == [
        "registered",
        "accepted",
        "replied",
        "delivered",
        "rated",
        "rated",
        "terminated",
    ]
    assert dict(Rating.objects.filter(case=concluded).values_list("track", "value")) == {
        "bureau": "satisfied",
        "unit": "basically",
    }
    events = list(CaseEvent.objects.filter(case=concluded).order_by("seq"))
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert {e.actor.username for e in events} == {IMPORT_USERNAME}

    forwarded = _case("SRC-0002")
    assert forwarded.status == Status.DELIVERED
    assert forwarded.current_org == world.city_housing
    assert forwarded.category.code == "030100"  # by its level-2 name
    assert _kinds(forwarded) == ["registered", "forwarded", "accepted", "replied", "delivered"]

    repeat = _case("SRC-0003")
    assert repeat.repeat_of == concluded and not repeat.via_proper_ladder
    assert repeat.status == Status.REGISTERED
    assert repeat.registered_org == world.county_bureau  # the nearest bureau over 青山县
    assert ImportedCase.objects.get(case=repeat).registered_level == "county"

    suggestion = _case("SRC-0005")
    assert suggestion.nature == "suggestion" and suggestion.channel == "online"
    assert suggestion.received_on.isoformat() == "2024-09-30"

    report: list[str] = []
    verify(report=report.append)
    assert report == []  # the event chains and the projections agree


def test_the_clocks_run_on_the_calendar_of_the_historic_dates(world: World, tmp_path: Path) -> None:
    _import(write_csv(tmp_path / "export.csv", GOOD_ROWS))
    imported = _case("SRC-0005")
    assert imported.next_due_at is not None
    # A case registered live at the same moment has the same clocks.
    with pinned_now(imported.registered_at):
        live = case_register(
            actor=world.registrar,
            org=world.city_bureau,
            channel="online",
            nature="suggestion",
            category=imported.category,
            subject="对照",
            content="对照",
            problem_region=imported.problem_region,
            petitioners=[PetitionerInput(name="对照人")],
            received_on=imported.received_on,
        )
    assert imported.next_due_at == live.next_due_at
    assert case_next_due(imported, events=imported.events.all())[0] == imported.next_due_at
    # 15 days from 2024-09-30 cross the National Day holiday: due well after 2024-10-15.
    assert imported.next_due_on is not None and imported.next_due_on.year == 2024


def test_an_organ_outside_the_installation_still_counts_at_its_level(world: World, tmp_path: Path) -> None:
    _import(write_csv(tmp_path / "export.csv", GOOD_ROWS))
    beijing = _case("SRC-0004")
    record = ImportedCase.objects.get(case=beijing)
    # The test world has no national bureau: the city bureau received it through the exchange.
    assert beijing.registered_org == world.city_bureau and beijing.registered_level == "city"
    assert record.registered_level == "national" and record.outside_org == "国家信访局"
    assert level_of(beijing) == "national"
    assert list(Case.objects.filter(beijing_visit_q())) == [beijing]
    levels = dict(Case.objects.annotate(level=registered_level()).values_list("pk", "level"))
    assert levels[beijing.pk] == "national" and levels[_case("SRC-0001").pk] == "city"


def test_importing_the_same_file_again_changes_nothing(world: World, tmp_path: Path, capsys: object) -> None:
    path = write_csv(tmp_path / "export.csv", GOOD_ROWS)
    _import(path)
    events = CaseEvent.objects.count()
    _import(path)
    assert Case.objects.count() == 5 and CaseEvent.objects.count() == events
    assert "5 行此前已导入（跳过）" in capsys.readouterr().out  # type: ignore[attr-defined]


def _bad_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "bad.csv", [*GOOD_ROWS, *(row for row, _, _ in BAD_ROWS)])


def test_a_bad_file_is_refused_whole_with_every_bad_row_named(world: World, tmp_path: Path) -> None:
    out = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match=f"{len(BAD_ROWS)} 行有误，未导入任何行"):
        _import(_bad_file(tmp_path), "--errors", str(out))
    assert Case.objects.count() == 0 and ImportedCase.objects.count() == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["行号", "列", "原因"]
    found = {(int(row), column): reason for row, column, reason in lines[1:]}
    for index, (_, column, words) in enumerate(BAD_ROWS):
        row = len(GOOD_ROWS) + index + 2  # the header is row 1
        assert words in found[(row, column)], (row, column, found)
    assert {row for row, _ in found} == {len(GOOD_ROWS) + i + 2 for i in range(len(BAD_ROWS))}


def test_skip_bad_imports_the_good_rows(world: World, tmp_path: Path, capsys: object) -> None:
    out = tmp_path / "errors.csv"
    _import(_bad_file(tmp_path), "--skip-bad", "--errors", str(out))
    assert sorted(ImportedCase.objects.values_list("external_number", flat=True)) == [
        row["信访件编号"] for row in GOOD_ROWS
    ]
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + len(BAD_ROWS)
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    assert f"{len(BAD_ROWS)} 行有误" in printed and "新导入 5 件" in printed


def test_dry_run_writes_nothing(world: World, tmp_path: Path, capsys: object) -> None:
    _import(write_csv(tmp_path / "export.csv", GOOD_ROWS), "--dry-run")
    assert Case.objects.count() == 0 and ImportedCase.objects.count() == 0
    assert (
        not Case.objects.model._meta.apps.get_model("orgs", "User")
        .objects.filter(username=IMPORT_USERNAME)
        .exists()
    )
    assert "检查通过 5 行（试运行，未写入）" in capsys.readouterr().out  # type: ignore[attr-defined]


def test_dry_run_of_a_bad_file_names_the_errors(world: World, tmp_path: Path) -> None:
    out = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        _import(_bad_file(tmp_path), "--dry-run", "--errors", str(out))
    assert Case.objects.count() == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + len(BAD_ROWS)


def test_xlsx_gives_the_same_cases_as_csv(world: World, tmp_path: Path) -> None:
    _import(write_xlsx(tmp_path / "export.xlsx", GOOD_ROWS))
    assert ImportedCase.objects.count() == 5
    concluded = _case("SRC-0001")
    assert concluded.status == Status.TERMINATED and concluded.headcount == 6
    assert ImportedCase.objects.get(case=concluded).source_file == "export.xlsx"


def test_gb18030_csv(world: World, tmp_path: Path) -> None:
    _import(write_csv(tmp_path / "export.csv", GOOD_ROWS, encoding="gb18030"))
    assert _case("SRC-0003").subject == "再次反映拖欠工资"


def test_a_file_without_a_required_column_is_refused(world: World, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("信访件编号,信访日期\nX,2024-01-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少必填列：信访形式、问题属地"):
        _import(path)


def test_progress_is_shown_on_stderr(world: World, tmp_path: Path, capsys: object) -> None:
    _import(write_csv(tmp_path / "export.csv", GOOD_ROWS))
    assert "已处理 5/5 行" in capsys.readouterr().err  # type: ignore[attr-defined]


def _one_row(**cells: str) -> dict[str, str]:
    return {"信访件编号": "R-1", "信访日期": "2024-03-01", "信访形式": "来信", "问题属地": "990121", **cells}


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"登记机构": "示例市信访局", "登记机构级别": "县"}, "登记机构级别", "不符"),
        (
            {"登记机构": "示例市住房和城乡建设局", "责任单位": "青山县人力资源和社会保障局"},
            "责任单位",
            "不是信访部门",
        ),
        ({"重复信访件编号": "NOWHERE"}, "重复信访件编号", "都找不到"),
        ({"证件号码": "123"}, "证件号码", "18 位"),
        ({"内容分类": "不存在的分类"}, "内容分类", "不是内容分类"),
        ({"问题属地": "火星"}, "问题属地", "不是本系统"),
    ],
)
def test_what_the_installation_cannot_resolve_is_named(
    world: World, tmp_path: Path, cells: dict[str, str], column: str, words: str
) -> None:
    out = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="未导入任何行"):
        _import(write_csv(tmp_path / "one.csv", [_one_row(**cells)]), "--errors", str(out))
    (_, line) = out.read_text(encoding="utf-8-sig").splitlines()
    row, found_column, reason = line.split(",", 2)
    assert (row, found_column) == ("2", column) and words in reason


def test_a_name_two_organs_share_must_be_told_apart(world: World, tmp_path: Path) -> None:
    from xinfang.orgs.services import org_create

    org_create(name="青山县住房和城乡建设局", region=world.county, kind="functional")
    org_create(name="青山县住房和城乡建设局", region=world.other_county, kind="functional")
    out = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        _import(
            write_csv(tmp_path / "one.csv", [_one_row(责任单位="青山县住房和城乡建设局")]),
            "--errors",
            str(out),
        )
    assert "2 个同名项" in out.read_text(encoding="utf-8-sig")


def test_a_repeat_must_reference_an_earlier_matter(world: World, tmp_path: Path) -> None:
    rows = [_one_row(重复信访件编号="R-2"), _one_row(信访件编号="R-2", 信访日期="2024-03-05")]
    out = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        _import(write_csv(tmp_path / "two.csv", rows), "--errors", str(out))
    assert "只能引用更早的信访件" in out.read_text(encoding="utf-8-sig")


def test_a_repeat_of_a_case_imported_before(world: World, tmp_path: Path) -> None:
    _import(write_csv(tmp_path / "first.csv", GOOD_ROWS[:1]))
    _import(write_csv(tmp_path / "second.csv", [_one_row(信访日期="2024-07-01", 重复信访件编号="SRC-0001")]))
    assert _case("R-1").repeat_of == _case("SRC-0001")


def test_an_anonymous_accusation(world: World, tmp_path: Path) -> None:
    _import(write_csv(tmp_path / "one.csv", [_one_row(信访性质="检举控告", 内容分类="160000")]))
    case = _case("R-1")
    assert case.nature == "accusation" and not case.petitioners.exists()


def test_a_row_the_services_refuse_leaves_nothing_and_the_rest_is_imported(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xinfang.cases import services
    from xinfang.core.errors import ServiceError
    from xinfang.statistics import importer

    real_accept = services.case_accept

    def accept(*, case: Case, **kwargs: object) -> Case:
        if case.subject == "住房墙体开裂问题":
            raise ServiceError("受理失败（测试）。")
        return real_accept(case=case, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "case_accept", accept)
    # Through the one-step services (the bulk path's refusals: test_import_bulk.py).
    monkeypatch.setattr(importer, "_write_batch", importer._write_stepwise)
    out = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="1 行导入失败，其余 4 件已导入"):
        _import(write_csv(tmp_path / "export.csv", GOOD_ROWS), "--errors", str(out))
    assert Case.objects.count() == ImportedCase.objects.count() == 4
    assert not Case.objects.filter(subject="住房墙体开裂问题").exists()
    assert "第 3 行" not in out.read_text(encoding="utf-8-sig")  # the file names rows by number only
    assert "3,,无法导入：受理失败（测试）。" in out.read_text(encoding="utf-8-sig")


def test_a_repeat_of_a_row_that_cannot_be_imported_is_named_too(world: World, tmp_path: Path) -> None:
    rows = [
        _one_row(责任单位="不存在局"),
        _one_row(信访件编号="R-2", 信访日期="2024-03-05", 重复信访件编号="R-1"),
    ]
    out = tmp_path / "errors.csv"
    _import(write_csv(tmp_path / "two.csv", rows), "--skip-bad", "--errors", str(out))
    assert not ImportedCase.objects.exists()
    text = out.read_text(encoding="utf-8-sig")
    assert "2,责任单位," in text and "3,重复信访件编号,所引用的“R-1”一行有误" in text


def test_two_imports_of_one_file_at_once_write_each_row_once(world: World, tmp_path: Path) -> None:
    from xinfang.core.timeutil import local_date
    from xinfang.statistics.importer import plan_rows, write_rows
    from xinfang.statistics.importing import parse_rows, read_table

    path = write_csv(tmp_path / "export.csv", GOOD_ROWS)
    parsed, _ = parse_rows(read_table(path)[1], today=local_date())
    planned, _, _ = plan_rows(parsed)  # the second import has checked the file ...
    _import(path)  # ... when the first one writes it
    failures = write_rows(planned, source="export.csv")
    assert Case.objects.count() == ImportedCase.objects.count() == 5
    assert {(f.column, f.reason) for f in failures} == {("信访件编号", "已由同时进行的另一次导入写入。")}
    assert len(failures) == 5
