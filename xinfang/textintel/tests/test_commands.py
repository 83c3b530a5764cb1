"""Command tests: they need Django (run with pytest-django); skipped under ``-p no:django``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


TRAIN = [
    ["公交车经常晚点", "交通运输"],
    ["道路拥堵红绿灯太短", "交通运输"],
    ["出租车拒载乘客", "交通运输"],
    ["学校收取补课费", "教育文体"],
    ["幼儿园学费太贵", "教育文体"],
    ["学生午餐质量差", "教育文体"],
]


def test_train_then_classify_adds_the_two_columns(tmp_path: Path) -> None:
    from django.core.management import call_command

    src = write_csv(tmp_path / "train.csv", ["文本", "一级标签"], TRAIN)
    call_command("textintel_train", input=str(src), out=str(tmp_path / "model"))
    call_command(
        "textintel_classify", model=str(tmp_path / "model"), input=str(src), out=str(tmp_path / "o.csv")
    )
    with (tmp_path / "o.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[-2:] == ["预测标签", "置信度"]


def test_a_missing_column_is_a_clear_command_error(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    src = write_csv(tmp_path / "bad.csv", ["内容"], [["x"]])
    with pytest.raises(CommandError, match=r"缺少列.*文本"):
        call_command("textintel_train", input=str(src), out=str(tmp_path / "m"))


def test_training_from_an_empty_database_is_a_clear_command_error(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no categorised cases"):
        call_command("textintel_train", from_db=True, out=str(tmp_path / "m"))


def test_hotspots_and_reply_quality_write_their_files(tmp_path: Path) -> None:
    from django.core.management import call_command

    cols = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"]
    rows = [
        [
            "1",
            "u1",
            "翠湖花园油烟扰民",
            "2019/5/1 9:00:00",
            "烧烤摊油烟大",
            "经调查已责令整改",
            "2019/5/9 9:00:00",
        ],
        ["2", "u2", "翠湖花园夜宵摊噪音", "2019/5/2 9:00:00", "夜宵摊太吵", "已转交", "2019/5/9 9:00:00"],
    ]
    src = write_csv(tmp_path / "m.csv", cols, rows)
    call_command("textintel_hotspots", input=str(src), out_dir=str(tmp_path / "hot"), top=1)
    assert (tmp_path / "hot" / "热点问题表.csv").is_file()
    call_command("textintel_reply_quality", input=str(src), out=str(tmp_path / "q.csv"))
    with (tmp_path / "q.csv").open(encoding="utf-8") as fh:
        assert next(csv.reader(fh))[-6:] == ["相关性", "完整性", "可解释性", "及时性", "总分", "问题提示"]
