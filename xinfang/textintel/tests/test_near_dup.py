from __future__ import annotations

import opencc

from xinfang.textintel.near_dup import DuplicateIndex, is_same_matter

ORIGINAL = (
    "青山小区旁边的工地夜间施工噪音扰民\n每天晚上十一点以后还在用打桩机施工，附近居民根本无法入睡。"
    "我们多次向施工单位反映，对方置之不理。\n请环保部门尽快调查处理，依法限制夜间施工时间。"
)
OTHERS = {
    "b": "学校食堂饭菜价格上涨，学生家长普遍不满，希望教育局过问食堂承包合同的情况，公开收费标准。",
    "c": "公交站台年久失修，雨天没有遮雨棚，老人和孩子候车非常不便，请交通部门尽快维修改造站台设施。",
    "d": "单位拖欠工资已经三个月，多次讨要无果，请劳动监察大队依法督促公司支付工人的血汗钱。",
}


def make_index() -> DuplicateIndex:
    index = DuplicateIndex()
    index.add("a", ORIGINAL)
    for key, text in OTHERS.items():
        index.add(key, text)
    return index


def test_a_traditional_resubmission_with_a_new_title_finds_the_original() -> None:
    copy = opencc.OpenCC("s2t").convert(
        "再次反映工地噪音问题！！\n" + ORIGINAL.split("\n", 1)[1].replace("，", ", ")
    )
    hits = make_index().query(copy, k=2)
    assert hits[0][0] == "a" and is_same_matter(hits[0][1])


def test_a_copy_with_a_paragraph_dropped_is_still_the_same_matter() -> None:
    copy = "\n".join(ORIGINAL.split("\n")[:2])
    doc_id, similarity, evidence = make_index().query(copy, k=1)[0]
    assert doc_id == "a" and is_same_matter(similarity) and evidence.overlap > 0.8


def test_an_unrelated_message_is_not_the_same_matter() -> None:
    hits = make_index().query("医院挂号太难，网上预约系统经常崩溃，希望卫健委督促医院改进预约系统。", k=3)
    assert all(not is_same_matter(sim) for _, sim, _ in hits)


def test_the_index_answers_without_documents_and_ignores_a_repeated_id() -> None:
    index = DuplicateIndex()
    assert index.query("任何文字") == []
    index.add("x", ORIGINAL)
    index.add("x", "别的文字")
    assert len(index) == 1 and "x" in index
