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
    place_key,
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
    for topic in ("伊景园", "魅力之城", "丽发新城", "58车贷", "涉外经济学院"):
        assert topic in places


def test_generic_phrases_are_not_places() -> None:
    assert extract_places("投诉小区附近搅拌站噪音扰民") == []
    assert extract_places("丽发新城小区旁边建搅拌站")[0].startswith("丽发新城")
    assert "我们小区" not in " ".join(extract_places("我们小区门口垃圾成堆"))


def test_victims_of_a_named_scheme_are_one_group_of_people() -> None:
    a = HotMessage("1", "u1", "A市58车贷恶性退出案件为什么不发布通报", datetime(2019, 1, 1), "")
    b = HotMessage("2", "u2", "58车贷立案五个月过去毫无进展", datetime(2019, 1, 9), "")
    assert place_key(a) == place_key(b) == "58车贷"


def _m(i: int, title: str, day: int) -> HotMessage:
    return HotMessage(str(i), f"u{i}", title, datetime(2019, 6, day), title)


def test_one_place_with_two_issues_gives_two_hot_spots() -> None:
    noise = [
        _m(i, t, i)
        for i, t in enumerate(
            ["青松苑旁搅拌站噪音扰民", "青松苑附近搅拌站粉尘污染", "投诉青松苑搅拌站噪音"], 1
        )
    ]
    road = [
        _m(i, t, i)
        for i, t in enumerate(
            ["青松苑车位被外来车辆占用", "青松苑小区车位乱收费", "青松苑地下车位收费太高"], 10
        )
    ]
    top = find_hotspots(noise + road, top=3)
    groups = sorted(sorted(m.message_id for m in h.messages) for h in top[:2])
    assert groups == [["1", "2", "3"], ["10", "11", "12"]]


def test_a_short_name_joins_the_one_longer_name_it_abbreviates() -> None:
    msgs = [
        _m(1, "丽发新城小区搅拌站扰民", 1),
        _m(2, "丽发新城附近搅拌站噪音", 2),
        _m(3, "A市丽发小区搅拌站噪音", 3),
    ]
    top = find_hotspots(msgs, top=1)
    assert len(top[0].messages) == 3 and "丽发新城" in top[0].place
