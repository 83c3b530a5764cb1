from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from xinfang.textintel.hotspots import (
    HotMessage,
    extract_area,
    extract_places,
    find_hotspots,
    parse_messages,
    write_tables,
)


def msg(i: int, title: str, user: str, day: int, likes: int = 0) -> HotMessage:
    return HotMessage(str(i), user, title, datetime(2019, 5, day), title + "，请有关部门处理。", likes, 0)


MESSAGES = [
    msg(1, "B3区翠湖花园小区门口烧烤摊油烟扰民", "u1", 1, 5),
    msg(2, "翠湖花园楼下夜宵摊噪音太大", "u2", 3),
    msg(3, "B市B3区翠湖花园油烟问题何时解决", "u3", 6, 2),
    msg(4, "C2县实验中学食堂涨价", "u4", 2),
    msg(5, "请问社保卡怎么补办", "u5", 4),
]


def test_place_names_are_found_without_the_admin_prefix() -> None:
    assert extract_places("B3区翠湖花园小区门口烧烤摊")[0].startswith("翠湖花园")
    assert extract_area("B市B3区翠湖花园") == "B3区"


def test_messages_about_one_estate_in_different_words_form_one_hot_spot() -> None:
    top = find_hotspots(MESSAGES, top=2)
    assert {m.message_id for m in top[0].messages} == {"1", "2", "3"}
    assert "翠湖花园" in top[0].place and top[0].heat > top[1].heat


def test_the_tables_have_the_tipdm_columns(tmp_path: Path) -> None:
    summary, detail = write_tables(find_hotspots(MESSAGES, top=2), tmp_path)
    with summary.open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述"]
    with detail.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == [
        "问题ID",
        "留言编号",
        "留言用户",
        "留言主题",
        "留言时间",
        "留言详情",
        "点赞数",
        "反对数",
    ]


def test_on_the_real_hot_messages_the_big_known_topics_are_in_the_top_five(data_dir: Path) -> None:
    with (data_dir / "messages_hot.csv").open(encoding="utf-8") as fh:
        top = find_hotspots(parse_messages(list(csv.DictReader(fh))), top=5)
    places = " ".join(h.place for h in top)
    for topic in ("伊景园", "魅力之城", "丽发新城", "58车贷"):
        assert topic in places
