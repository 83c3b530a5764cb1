from __future__ import annotations

import csv
import random
from pathlib import Path

from xinfang.textintel.reply_quality import build_idf, parse_time, score_reply

TITLE = "A3区青山小区工地夜间施工噪音扰民"
DETAIL = "工地每晚十一点后还在打桩施工，居民无法入睡。请问能否限制夜间施工时间？希望环保部门调查处理。"
GOOD = (
    "网友您好，关于A3区青山小区工地夜间施工噪音扰民的问题，经调查核实，该工地确有夜间打桩施工。根据《环境噪声污染防治法》"
    "规定，已责令施工单位停止夜间施工，夜间施工时间限制在晚上十点前。如有疑问可拨打联系电话0000-00000000。"
)
OTHER = (
    "网友您好，关于A5区明德中学食堂饭菜涨价的问题，经调查，食堂承包价格已按规定公示，2019年秋季学期每餐"
    "价格为8元，下一步将督促学校加强管理，定期公开食堂账目。"
)


def test_the_true_reply_scores_higher_than_a_reply_to_another_message() -> None:
    good = score_reply(TITLE, DETAIL, GOOD, "2019/5/1 10:00:00", "2019/5/10 10:00:00")
    other = score_reply(TITLE, DETAIL, OTHER, "2019/5/1 10:00:00", "2019/5/10 10:00:00")
    assert good.total > other.total and good.relevance > other.relevance
    assert "疑似答非所问" in other.warnings and "疑似答非所问" not in good.warnings


def test_a_late_reply_loses_timeliness_and_says_so() -> None:
    late = score_reply(TITLE, DETAIL, GOOD, "2019/1/1 10:00:00", "2019/3/31 10:00:00", period_days=60)
    assert late.timeliness is not None and late.timeliness < 1 and late.days == 89
    assert any(w.startswith("答复超期") for w in late.warnings)


def test_without_dates_timeliness_is_not_scored() -> None:
    assert score_reply(TITLE, DETAIL, GOOD).timeliness is None


def test_an_empty_reply_is_flagged() -> None:
    assert "答复为空" in score_reply(TITLE, DETAIL, "").warnings


def test_the_data_time_formats_parse() -> None:
    assert parse_time("2019/4/25 9:32:09") == parse_time("2019-04-25 09:32:09")
    assert parse_time("") is None


def test_on_real_replies_the_true_reply_usually_wins(data_dir: Path) -> None:
    with (data_dir / "messages_replies.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:300]
    rng = random.Random(1)
    wins = 0
    for i, r in enumerate(rows):
        other = rows[(i + rng.randrange(1, len(rows))) % len(rows)]
        a = score_reply(r["留言主题"], r["留言详情"], r["答复意见"])
        b = score_reply(r["留言主题"], r["留言详情"], other["答复意见"])
        wins += a.total > b.total
    assert wins / len(rows) >= 0.85


def test_a_reply_addressed_to_another_user_is_flagged_and_loses() -> None:
    mine = "网友“A00012345”您好！" + GOOD
    theirs = "网友“A00099999”您好！" + GOOD
    a = score_reply(TITLE, DETAIL, mine, user="A00012345")
    b = score_reply(TITLE, DETAIL, theirs, user="A00012345")
    assert a.relevance > b.relevance and a.total > b.total
    assert "答复对象与留言人不符" in b.warnings and "答复对象与留言人不符" not in a.warnings


def test_a_bare_acknowledgement_is_vague_but_beats_an_answer_to_another_matter() -> None:
    bare = score_reply(TITLE, DETAIL, "网友：您好！留言已收悉")
    other = score_reply(TITLE, DETAIL, OTHER)
    assert "答复内容空泛" in bare.warnings
    assert bare.relevance > other.relevance


def test_idf_from_replies_weights_specific_terms_over_boilerplate() -> None:
    idf = build_idf([GOOD, OTHER, "网友您好，经调查，现答复如下。"])
    assert idf["青山"] > idf["经调"]
