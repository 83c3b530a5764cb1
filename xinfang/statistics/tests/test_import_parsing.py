"""The pure reading and checking of an import file (no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xinfang.cases.models import Channel, Nature, Rating
from xinfang.cases.services.replies import OUTCOMES
from xinfang.orgs.models import Level
from xinfang.statistics.importing import (
    CHANNELS,
    LEVELS,
    NATURES,
    RATINGS,
    REPLY_OUTCOMES,
    FileProblem,
    parse_rows,
    read_table,
)
from xinfang.statistics.tests.helpers import GOOD_ROWS, write_csv, write_xlsx

TODAY = dt.date(2025, 1, 27)


def _parse(**cells: str) -> tuple[list, list]:
    row = {"信访日期": "2024-03-01", "信访形式": "来信", "问题属地": "990121", **cells}
    return parse_rows([(2, row)], today=TODAY)


def test_the_words_of_the_file_are_the_stored_values() -> None:
    assert set(CHANNELS.values()) == set(Channel.values)
    assert set(NATURES.values()) == set(Nature.values)
    assert set(LEVELS.values()) == set(Level.values)
    assert set(RATINGS.values()) == set(Rating.Value.values)
    assert {label: value for value, label in OUTCOMES.items()} == REPLY_OUTCOMES


def test_only_date_channel_and_region_are_required() -> None:
    good, errors = _parse()
    assert errors == []
    (row,) = good
    assert row.headcount == 1 and row.nature == "appeal" and row.via_proper_ladder
    assert row.subject and row.content  # placeholders the services accept
    assert row.external_number.startswith("#")  # known by its content


def test_a_row_without_number_is_known_by_its_content() -> None:
    first, _ = _parse(标题="甲")
    again, _ = _parse(标题="甲")
    other, _ = _parse(标题="乙")
    assert first[0].external_number == again[0].external_number != other[0].external_number


@pytest.mark.parametrize(
    "text", ["2024-03-05", "2024/3/5", "2024.03.05", "2024年3月5日", "20240305", "2024-03-05 14:20:00"]
)
def test_dates_in_the_shapes_exports_use(text: str) -> None:
    good, errors = _parse(信访日期=text)
    assert errors == [] and good[0].received_on == dt.date(2024, 3, 5)


def test_every_bad_value_of_a_row_is_named() -> None:
    good, errors = _parse(
        信访形式="上门",
        人数="0",
        手机="12ab",
        是否逐级="也许",
        答复日期="2024-04-01",
        信访部门评价="很好",
        信访日期="2030-01-01",
    )
    assert good == []
    columns = {e.column: e.reason for e in errors}
    assert set(columns) == {
        "信访形式",
        "人数",
        "手机",
        "是否逐级",
        "答复日期",
        "答复类型",
        "信访部门评价",
        "信访日期",
    }
    assert "晚于今天" in columns["信访日期"]
    assert "应填写受理日期" in columns["答复日期"]
    assert all(e.row == 2 for e in errors)


def test_steps_cannot_come_before_the_one_they_follow() -> None:
    _, errors = _parse(受理日期="2024-03-10", 答复日期="2024-03-09", 答复类型="支持", 办结日期="2024-03-08")
    reasons = {e.column: e.reason for e in errors}
    assert "早于受理日期" in reasons["答复日期"] and "早于答复日期" in reasons["办结日期"]


def test_a_number_twice_in_the_file_is_an_error() -> None:
    row = {"信访件编号": "A1", "信访日期": "2024-03-01", "信访形式": "来信", "问题属地": "990121"}
    good, errors = parse_rows([(2, row), (3, row)], today=TODAY)
    assert len(good) == 1 and [(e.row, e.column) for e in errors] == [(3, "信访件编号")]
    assert "第 2 行" in errors[0].reason


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    header, rows = read_table(write_csv(tmp_path / "a.csv", GOOD_ROWS, encoding=encoding))
    assert header[0] == "信访件编号"
    assert rows[0][0] == 2 and rows[0][1]["标题"] == "工地拖欠农民工工资"


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    _, rows = read_table(write_xlsx(tmp_path / "a.xlsx", GOOD_ROWS))
    assert rows[0][1]["信访日期"] == "2024-03-04" and rows[0][1]["人数"] == "6"


def test_blank_rows_are_skipped_and_headers_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("*信访日期, 信访形式 ,问题属地,其他列\n,,,\n2024-01-02,来信,990121,x\n", encoding="utf-8")
    header, rows = read_table(path)
    assert header == ["信访日期", "信访形式", "问题属地", "其他列"]
    assert [number for number, _ in rows] == [3]


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match="只能导入"):
        read_table(write_csv(tmp_path / "a.txt", GOOD_ROWS))
    with pytest.raises(FileProblem, match="不存在"):
        read_table(tmp_path / "missing.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(FileProblem, match="无法读取"):
        read_table(broken)
