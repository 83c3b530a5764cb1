"""Duplicate / repeat suggestions at intake over the real index (CaseTextSignature)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from xinfang.cases.hooks import on_case_registered
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, category, register, to_accepted
from xinfang.core.timeutil import local_date
from xinfang.testing.world import World
from xinfang.textintel import near_dup
from xinfang.textintel.db import intake
from xinfang.textintel.db.intake import PersonIn, find_similar, index_case, suggest_category
from xinfang.textintel.models import CaseTextSignature

SUBJECT = "青山县幸福小区住房墙体开裂问题长期未解决"
CONTENT = (
    "本人购买的青山县幸福小区3栋住房，入住不到两年墙体大面积开裂，卫生间渗水严重。"
    "多次向开发商和物业公司反映，对方一直推诿不予维修。请求有关部门督促开发商依法履行保修义务，"
    "尽快组织维修，并对房屋质量进行检测。"
)
# the same complaint resubmitted: traditional characters, other punctuation and spacing, new title
SUBJECT_TW = "再次反映：幸福小區房屋牆體開裂無人維修"
CONTENT_TW = (
    "本人購買的青山縣幸福小區3棟住房 ，入住不到兩年牆體大面積開裂 ，衛生間滲水嚴重！"
    "多次向開發商和物業公司反映 ，對方一直推諉不予維修 。請求有關部門督促開發商依法履行保修義務 ，"
    "盡快組織維修 ，並對房屋質量進行檢測 。"
)
UNRELATED = (
    "河口县某建筑工地拖欠农民工工资三个月，共计十二万元，包工头失联。请求劳动监察部门介入，"
    "责令施工单位支付拖欠的工资。"
)
PERSON = PetitionerInput(name="张三", id_number=ID_NUMBER, phone="13800138000", address="青山县幸福小区3栋")
OTHER_PERSON = PetitionerInput(name="李四", phone="13900139000", address="青山县幸福小区5栋")


def _register(world: World, capture: Any, **kwargs: Any) -> Case:
    with capture(execute=True):  # and its on-commit callbacks run, as after a real commit
        return register(world, **kwargs)


@pytest.fixture
def original(world: World, django_capture_on_commit_callbacks: Any) -> Case:
    return _register(
        world, django_capture_on_commit_callbacks, subject=SUBJECT, content=CONTENT, petitioners=[PERSON]
    )


def test_registration_indexes_the_case(original: Case) -> None:
    assert CaseTextSignature.objects.filter(case=original).count() == 32


def test_a_traditional_copy_by_the_same_id_number_is_a_repeat(world: World, original: Case) -> None:
    # another phone and address: the ID number alone decides
    person = PersonIn(name="張三", id_number=ID_NUMBER.lower(), phone="13700000000", address="")
    found = find_similar(world.registrar, SUBJECT_TW, CONTENT_TW, [person], world.county.code)
    assert [(s.kind, s.case_id) for s in found] == [("重复信访", original.pk)]
    assert "身份证号一致" in found[0].evidence
    assert "问题属地一致" in found[0].evidence
    assert found[0].similarity >= 0.5
    assert original.number in found[0].describe()
    assert ID_NUMBER not in str(found[0].as_dict())


def test_same_text_by_someone_else_is_the_same_matter(world: World, original: Case) -> None:
    person = PersonIn(name=OTHER_PERSON.name, phone=OTHER_PERSON.phone, address=OTHER_PERSON.address)
    found = find_similar(world.registrar, SUBJECT_TW, CONTENT_TW, [person])
    assert [(s.kind, s.case_id) for s in found] == [("同一事项", original.pk)]


def test_an_unrelated_case_is_not_suggested(
    world: World, original: Case, django_capture_on_commit_callbacks: Any
) -> None:
    unrelated = _register(
        world,
        django_capture_on_commit_callbacks,
        subject="农民工工资被拖欠",
        content=UNRELATED,
        petitioners=[OTHER_PERSON],
    )
    found = find_similar(world.registrar, SUBJECT_TW, CONTENT_TW, [PersonIn(name="王五")])
    assert [s.case_id for s in found] == [original.pk]
    assert unrelated.pk not in [s.case_id for s in found]
    # the same person with another matter: not suggested either
    found = find_similar(world.registrar, "农民工工资被拖欠", UNRELATED, [PersonIn(id_number=ID_NUMBER)])
    assert [s.case_id for s in found] == [unrelated.pk]


def test_an_invisible_case_is_never_suggested(world: World, original: Case) -> None:
    person = PersonIn(name="張三", id_number=ID_NUMBER)
    assert find_similar(world.registrar, SUBJECT_TW, CONTENT_TW, [person])
    assert find_similar(world.other_clerk, SUBJECT_TW, CONTENT_TW, [person]) == []
    assert find_similar(world.citizen, SUBJECT_TW, CONTENT_TW, [person]) == []


def test_the_case_itself_can_be_excluded(world: World, original: Case) -> None:
    assert find_similar(world.registrar, SUBJECT, CONTENT, exclude=original.pk) == []


def test_a_prolific_petitioners_other_cases_do_not_push_out_the_same_matter(
    world: World, original: Case, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    # the same person registers newer, unrelated matters; with room to score only two candidates,
    # the case sharing band keys with the text is still among them
    for n in range(3):
        _register(
            world,
            django_capture_on_commit_callbacks,
            subject=f"农民工工资被拖欠（{n}）",
            content=UNRELATED + f"第{n}次反映。",
            petitioners=[PERSON],
        )
    monkeypatch.setattr("xinfang.textintel.db.intake.MAX_CANDIDATES", 2)
    found = find_similar(world.registrar, SUBJECT_TW, CONTENT_TW, [PersonIn(id_number=ID_NUMBER)])
    assert [(s.kind, s.case_id) for s in found] == [("重复信访", original.pk)]


def test_candidates_are_shingled_in_one_pass_with_the_same_result() -> None:
    texts = [
        CONTENT,
        CONTENT_TW,
        SUBJECT + "\n" + CONTENT,
        UNRELATED,
        "",
        "。！",
        "ab",
        "上访",
        "abcd",
        "重复重复重复重复",
    ]
    assert [a.tolist() for a in intake._shingle_sets(texts)] == [
        near_dup.shingle_hashes(t).tolist() for t in texts
    ]
    assert intake._shingle_sets([]) == []


def test_history_entered_in_bulk_gets_the_band_keys_of_each_text() -> None:
    """`signature_rows` (subscribed to on_cases_laid_out): the rows `index_new_case` writes, for
    cases laid out but not yet written; a text without words has none."""
    cases = [
        Case(pk=7, subject=SUBJECT, content=CONTENT),
        Case(pk=8, subject="……", content="！！"),
        Case(pk=9, subject="拖欠工资", content="某工地拖欠农民工工资三个月。"),
    ]
    [(model, names, rows)] = intake.signature_rows(cases)
    assert model is CaseTextSignature and names == ("case", "band", "hash")
    expected = [
        (case.pk, band, h)
        for case in cases
        for band, h in enumerate(intake.band_hashes(intake.case_text(case.subject, case.content)))
    ]
    assert rows == expected and {pk for pk, _, _ in rows} == {7, 9}
    assert intake.signature_rows([cases[1]]) == []


def test_backfill_command_indexes_cases_without_signatures(world: World) -> None:
    case = register(world, subject=SUBJECT, content=CONTENT)
    assert CaseTextSignature.objects.filter(case=case).count() == 32  # written with the case
    CaseTextSignature.objects.filter(case=case).delete()  # a case from before the index, or lost
    assert not CaseTextSignature.objects.filter(case=case).exists()
    call_command("textintel_index_cases")
    assert CaseTextSignature.objects.filter(case=case).count() == 32
    index_case(case)  # idempotent
    assert CaseTextSignature.objects.filter(case=case).count() == 32


def test_the_suggestion_is_recorded_without_personal_data(world: World) -> None:
    case = register(
        world, suggestion={"suggested_category": "城乡建设", "confidence": 0.8712, "x": ID_NUMBER}
    )
    payload = CaseEvent.objects.get(case=case, kind="registered").payload
    assert payload["suggestion"] == {"suggested_category": "城乡建设", "confidence": 0.8712}


# ---------------------------------------------------------------- category suggestion and the page

TRAFFIC = ["公交车经常晚点", "道路拥堵红绿灯太短", "出租车拒载乘客", "公交站台被占用", "路口红绿灯坏了"]
HOUSING = ["小区住房墙体开裂", "房屋漏水开发商不维修", "物业公司乱收费", "住房质量问题", "楼房墙体裂缝"]


@pytest.fixture
def trained_model(world: World, settings: Any, tmp_path: Any) -> Any:
    """A tiny model trained from the database (``textintel_train --from-db``) and installed."""
    for text in TRAFFIC:
        register(world, subject=text, content=text + "，请求有关部门处理。", category=category("100000"))
    for text in HOUSING:
        register(world, subject=text, content=text + "，请求有关部门处理。", category=category("030100"))
    out = tmp_path / "classifier"
    call_command("textintel_train", from_db=True, out=str(out))
    settings.XINFANG_TEXTINTEL_MODEL_DIR = out
    return out


def test_train_from_db_and_suggest_a_category(trained_model: Any) -> None:
    suggestion = suggest_category("房屋墙体开裂漏水", "开发商不维修住房")
    assert suggestion is not None and suggestion.best_guess == "城乡建设"
    assert set(json.loads((trained_model / "meta.json").read_text(encoding="utf-8"))["labels"]) == {
        "交通运输",
        "城乡建设",
    }
    text = suggestion.describe()
    assert text.startswith("建议分类：城乡建设（置信度") or text.startswith("需人工判断")


def test_no_model_no_category_suggestion(settings: Any, tmp_path: Any) -> None:
    settings.XINFANG_TEXTINTEL_MODEL_DIR = tmp_path / "missing"
    assert suggest_category("房屋墙体开裂", "请求维修") is None


def _page_data(world: World, **overrides: str) -> dict[str, str]:
    category("030100")
    data = {
        "org": str(world.city_bureau.pk),
        "channel": "visit",
        "nature": "appeal",
        "category": "",  # not chosen yet: 查重 still works
        "subject": SUBJECT_TW,
        "content": CONTENT_TW,
        "problem_region": world.county.code,
        "received_on": local_date().isoformat(),
        "headcount": "1",
        "via_proper_ladder": "on",
        "p-TOTAL_FORMS": "10",
        "p-INITIAL_FORMS": "0",
        "p-MIN_NUM_FORMS": "0",
        "p-MAX_NUM_FORMS": "10",
        "p-0-name": "張三",
        "p-0-id_number": ID_NUMBER,
    }
    data.update(overrides)
    return data


def test_the_check_button_shows_suggestions_and_saves_nothing(
    world: World, original: Case, trained_model: Any
) -> None:
    client = Client()
    client.force_login(world.registrar)
    before = Case.objects.count()
    response = client.post("/cases/new/", {**_page_data(world), "check": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == before
    assert "查重结果" in page and "重复信访" in page and original.number in page
    assert "身份证号一致" in page
    assert "建议分类：城乡建设" in page or "需人工判断" in page
    assert "登记未完成" not in page  # a check, not a failed registration
    assert 'name="suggested_confidence"' in page

    # registering after the check records what was suggested beside what was chosen
    suggested = re.search(r'name="suggested_category" value="([^"]*)"', page)
    confidence = re.search(r'name="suggested_confidence" value="([^"]*)"', page)
    assert confidence is not None
    data = _page_data(world, category="030100")
    data["suggested_category"] = suggested.group(1) if suggested else ""
    data["suggested_confidence"] = confidence.group(1)
    response = client.post("/cases/new/", data)
    assert response.status_code == 302
    new = Case.objects.order_by("-pk").first()
    assert new is not None
    payload = CaseEvent.objects.get(case=new, kind="registered").payload
    assert payload["category"] == "030100"
    assert payload["suggestion"]["confidence"] == pytest.approx(float(confidence.group(1)))


# ---------------------------------------------------------------- reply quality on the reply page


def test_the_reply_page_checks_the_drafts_quality_and_saves_nothing(world: World) -> None:
    case = to_accepted(world, register(world, subject=SUBJECT, content=CONTENT))
    client = Client()
    client.force_login(world.handler)
    page = client.get(f"/cases/{case.pk}/act/reply/").content.decode()
    assert "检查答复质量" in page
    draft = {
        "outcome": "support",
        "request": "请求督促开发商维修幸福小区3栋住房墙体开裂和卫生间渗水问题。",
        "facts": "经现场核查，幸福小区3栋住房墙体存在开裂，卫生间渗水，属于保修范围。",
        "reasons": "开发商应在保修期内承担维修责任，我局已责令开发商于30日内组织维修并检测房屋质量。",
        "legal_basis": "",  # not filled yet: a check, not a submission
        "check_reply": "1",
    }
    response = client.post(f"/cases/{case.pk}/act/reply/", draft)
    page = response.content.decode()
    assert response.status_code == 200
    for label in ("相关性", "完整性", "可解释性", "及时性", "总分"):
        assert label in page
    assert "未说明政策法规依据" in page
    assert "此项为必填项" not in page and "errorlist" not in page
    assert Case.objects.get(pk=case.pk).status == case.status
    assert not CaseEvent.objects.filter(case=case, kind="replied").exists()


def test_other_action_pages_have_no_reply_check(world: World) -> None:
    case = register(world)
    client = Client()
    client.force_login(world.registrar)
    page = client.get(f"/cases/{case.pk}/act/forward/").content.decode()
    assert "检查答复质量" not in page


def test_the_index_subscribes_to_registration_from_the_app_config() -> None:
    """The case services call no text analysis by name: the index is a hook subscriber."""
    assert intake.index_new_case in on_case_registered.subscribers()
