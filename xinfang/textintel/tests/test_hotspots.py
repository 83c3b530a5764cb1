from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from xinfang.textintel import issues
from xinfang.textintel.hotspots import (
    HotMessage,
    Hotspot,
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


# --- one place, several issues (invented texts) ----------------------------------------------------------

# other places and issues, so that the n-gram weights are not learnt from the few messages under test
BACKGROUND = [
    ("C1区朝阳小区停车位不足", "朝阳小区车位太少，晚上车辆停在消防通道上，请求增加停车位。"),
    ("C2区幸福路公交站台破损", "幸福路公交站台顶棚破损多时，雨天候车的老人无处躲雨。"),
    ("C3县东方中学食堂饭菜涨价", "东方中学食堂饭菜一学期涨价两次，学生家长负担加重。"),
    ("C1区锦绣家园物业乱收费", "锦绣家园物业擅自提高物业费，不公示收支，业主不满。"),
    ("C4区滨江路夜间飙车扰民", "滨江路每晚都有改装车飙车，轰鸣声吵得居民无法入睡。"),
    ("C2区红星市场占道经营", "红星市场摊贩占用人行道经营，行人只能走机动车道。"),
    ("C3县人民医院挂号难", "县人民医院专家号一号难求，凌晨排队也挂不上。"),
    ("C1区梧桐苑电梯经常停运", "梧桐苑3栋电梯一个月停运五次，老人上下楼困难。"),
    ("C4区新华小学门口交通拥堵", "新华小学放学时门口车辆乱停，交通拥堵，孩子过马路危险。"),
    ("C2区金沙湾垃圾清运不及时", "金沙湾小区垃圾站垃圾堆积多日无人清运，臭气熏天。"),
    ("C3县河西村自来水浑浊", "河西村自来水经常发黄浑浊，村民不敢饮用。"),
    ("C1区光明路路灯不亮", "光明路一段路灯坏了半年，晚上漆黑一片，行人摔倒多次。"),
]


def _msgs(pairs: list[tuple[str, str]], first: int, month: int = 6) -> list[HotMessage]:
    return [
        HotMessage(str(first + i), f"u{first + i}", title, datetime(2019, month, 1 + i), detail)
        for i, (title, detail) in enumerate(pairs)
    ]


def _background() -> list[HotMessage]:
    return _msgs(BACKGROUND, 900, month=3)


def _groups(top: list[Hotspot], ids: set[str]) -> list[set[str]]:
    """The hot spots' message ids restricted to ``ids``, for the hot spots that hold any of them."""
    return [g for h in top if (g := {m.message_id for m in h.messages} & ids)]


# one road: two users about its potholes, three about when the underpass under it opens. The details of
# both mention the underpass, as real ones do; the titles tell the two issues apart
ROAD_SURFACE = [
    (
        "D5县金桂路路面坑洼不平，影响行车安全",
        "金桂路路面坑洼不平，大洞很多，下穿通道通车后车流会更大，请尽快修补路面。",
    ),
    ("D5县金桂路路面破损严重", "金桂路路面破损严重，货车多，坑坑洼洼，下雨积水，请相关单位修补路面。"),
]
UNDERPASS = [
    ("D5县金桂路下穿通道何时通车", "金桂路下穿通道工程去年开工，原计划今年年底通车，请问能否按期通车？"),
    ("请问D5县金桂路下穿通道能否年底通车", "金桂路下穿通道工程进度缓慢，请问年底能否如期通车？"),
    (
        "D5县金桂路下穿通道工程进展如何，何时能通车",
        "金桂路下穿通道施工一年多了，周边居民盼通车，请问何时能通车？",
    ),
]


def test_one_road_with_two_issues_is_two_hot_spots_not_one() -> None:
    road = _msgs(ROAD_SURFACE, 1)
    tunnel = _msgs(UNDERPASS, 11)
    top = find_hotspots(_background() + road + tunnel, top=5)
    groups = _groups(top, {m.message_id for m in road + tunnel})
    assert {"11", "12", "13"} in groups  # the underpass question is one hot spot
    for g in groups:  # and no hot spot mixes it with the potholes
        assert g <= {"1", "2"} or g <= {"11", "12", "13"}


# one estate: five people about the concrete plant beside it, in different words (one title does not even
# name it), and one about its lifts
MIXING_PLANT = [
    ("E2区青枫苑附近搅拌站噪音扰民", "青枫苑小区旁边新建了一个混凝土搅拌站，日夜施工，噪音扰民，粉尘很大。"),
    ("E2区青枫苑旁混凝土搅拌厂粉尘太大", "青枫苑旁的搅拌厂粉尘太大，窗户不敢开，搅拌站噪音也吵得人睡不着。"),
    (
        "投诉青枫苑小区边上搅拌站夜间作业",
        "青枫苑边上的搅拌站每天夜间作业，搅拌车进出，噪音和粉尘严重影响居民。",
    ),
    ("请领导救救青枫苑的居民", "青枫苑附近的混凝土搅拌站噪音粉尘污染严重，居民苦不堪言，请求取缔搅拌站。"),
    ("青枫苑居民深受搅拌站污染之苦", "青枫苑小区附近搅拌站违规生产，粉尘和噪音污染，孩子老人都受影响。"),
]
LIFT = [("E2区青枫苑电梯经常故障", "青枫苑5栋电梯经常故障停运，物业维修不及时，老人上下楼困难。")]


def test_one_issue_in_different_words_at_one_place_stays_one_hot_spot() -> None:
    plant = _msgs(MIXING_PLANT, 21)
    lift = _msgs(LIFT, 31)
    top = find_hotspots(_background() + plant + lift, top=3)
    assert {m.message_id for m in top[0].messages} == {"21", "22", "23", "24", "25"}
    assert "青枫苑" in top[0].place


def test_the_rest_of_a_name_the_place_pattern_cut_short_does_not_join_two_issues() -> None:
    # the place pattern stops at the first suffix (星河城), so "际广场" is left in every title: it names
    # the place, and must not make the lift and the advertising complaints one issue
    lifts = _msgs(
        [
            ("F3区星河城际广场电梯频繁故障", "星河城际广场电梯频繁故障，多次困人，物业维修不及时。"),
            ("F3区星河城际广场电梯又坏了", "星河城际广场电梯又坏了，老人上下楼困难，物业不管。"),
        ],
        41,
    )
    ads = _msgs(
        [
            ("F3区星河城际广场虚假宣传学位", "星河城际广场售楼时宣传有名校学位，交房后学位没有兑现。"),
            ("投诉F3区星河城际广场售楼虚假宣传", "星河城际广场售楼处虚假宣传名校学位，业主要求兑现承诺。"),
        ],
        51,
    )
    top = find_hotspots(_background() + lifts + ads, top=4)
    assert sorted(sorted(g) for g in _groups(top, {m.message_id for m in lifts + ads})) == [
        ["41", "42"],
        ["51", "52"],
    ]


def test_a_window_too_big_to_cluster_at_once_gives_the_same_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    msgs = _background() + _msgs(ROAD_SURFACE, 1) + _msgs(UNDERPASS, 11) + _msgs(MIXING_PLANT, 21)
    whole = [sorted(m.message_id for m in h.messages) for h in find_hotspots(msgs, top=6)]
    monkeypatch.setattr(issues, "_MAX_ITEMS", 2)  # the rest join the closest cluster one by one
    assert [sorted(m.message_id for m in h.messages) for h in find_hotspots(msgs, top=6)] == whole
