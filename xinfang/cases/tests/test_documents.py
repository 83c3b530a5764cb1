from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Pt

from xinfang.cases import services
from xinfang.cases.clocks import profile_for
from xinfang.cases.documents import available_documents, render_document
from xinfang.cases.models import Case
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, a_reply, register, reply_approved
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]


def open_docx(case: Case, kind: str) -> tuple[str, DocxDocument]:
    name, data = render_document(case, kind)
    return name, Document(io.BytesIO(data))


def text_of(document: DocxDocument) -> str:
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def rendered(case: Case, kind: str) -> str:
    return text_of(open_docx(case, kind)[1])


def head(document: DocxDocument) -> list[str]:
    """The 版头 and the title: [organ, 文号, title] ([organ, title] for a form without a number)."""
    return [p.text for p in document.paragraphs[:6] if p.text and p.alignment == 1]


def signed(text: str, organ: str, day: str) -> bool:
    """Signed by `organ` on `day` (the 版记 follows the signature)."""
    return f"（印章）\n{organ}\n{day}\n" in text


@pytest.fixture
def climbed(world: World, freeze: Freeze) -> Case:
    """A case that went the whole way: forwarded, accepted, extended, replied, 复查, 复核."""
    freeze("2025-03-03 09:00")
    case = register(world, received_on=dt.date(2025, 3, 3))
    freeze("2025-03-04 10:00")
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    freeze("2025-03-10 10:00")
    case = services.case_accept(actor=world.handler, case=case)
    freeze("2025-04-20 15:00")
    case = services.case_extend(
        actor=world.handler,
        case=case,
        days=30,
        approver=world.approver,
        reason="需委托第三方检测机构鉴定房屋质量",
    )
    freeze("2025-05-20 10:00")
    case = reply_approved(actor=world.handler, case=case, reply=a_reply(tags=["solved", "educated"]))
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    freeze("2025-05-26 10:00")
    case = services.case_review_request(actor=world.leader, case=case, reasons="维修进度太慢，对处理意见不服")
    freeze("2025-06-10 10:00")
    case = services.case_review_decide(
        actor=world.leader, case=case, outcome="uphold", opinion="原处理意见认定事实清楚，适用依据正确。"
    )
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    freeze("2025-06-15 10:00")
    case = services.case_rereview_request(actor=world.leader, case=case, reasons="仍然不服复查意见")
    freeze("2025-07-01 10:00")
    return services.case_rereview_decide(
        actor=world.leader, case=case, outcome="uphold", opinion="复查意见正确，予以维持。"
    )


def test_a_case_that_climbed_the_ladder_offers_every_document_of_its_path_in_order(climbed: Case) -> None:
    assert available_documents(climbed) == [
        ("routing_slip", "转送单"),
        ("acceptance_notice", "受理告知书"),
        ("extension_notice", "延期告知书"),
        ("reply_opinion", "信访处理意见书"),
        ("delivery_receipt", "送达回证"),
        ("review_opinion", "复查意见书"),
        ("rereview_opinion", "复核意见书"),
    ]


def test_every_document_is_a_docx_named_after_its_title_and_the_case_number(climbed: Case) -> None:
    for kind, title in available_documents(climbed):
        name, document = open_docx(climbed, kind)
        assert name == f"{title}-{climbed.number}.docx"
        assert head(document)[-1] == title
        assert climbed.number in text_of(document)


def test_a_document_is_a_formal_letter_on_a4_with_song_title_and_fangsong_body(climbed: Case) -> None:
    _, document = open_docx(climbed, "reply_opinion")
    section = document.sections[0]
    sizes = ("page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")
    assert [round(getattr(section, size).cm, 2) for size in sizes] == [21.0, 29.7, 3.7, 3.5, 2.8, 2.6]
    organ = document.paragraphs[0]
    title = next(p for p in document.paragraphs if p.text == "信访处理意见书")
    assert organ.text == "示例市住房和城乡建设局"
    for line in (organ, title):
        run = line.runs[0]
        assert line.alignment == 1  # centred
        assert run.bold and run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert title.runs[0].font.size == Pt(22)
    # 版头: the organ in red, as large as 小初 (36 pt) allows on one line (11 characters fit)
    assert organ.runs[0].font.size == Pt(36) and str(organ.runs[0].font.color.rgb) == "E00000"
    body = next(p for p in document.paragraphs if p.text.startswith("你于"))
    assert body.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)


def test_a_document_carries_a_document_number_and_is_signed_and_dated_at_the_bottom_right(
    climbed: Case,
) -> None:
    _, document = open_docx(climbed, "acceptance_notice")
    texts = [p.text for p in document.paragraphs]
    # the organ's first 受理告知书 of 2025; no 机关代字 set: its short name stands in
    assert head(document) == ["示例市住房和城乡建设局", "示例市住房和城乡建设局受〔2025〕1号", "受理告知书"]
    at = texts.index("（印章）")
    assert texts[at : at + 3] == ["（印章）", "示例市住房和城乡建设局", "2025年3月10日"]
    assert all(p.alignment == 2 for p in document.paragraphs[at : at + 3])  # right
    # 版记: copied to the bureau that forwarded the case, printed by the organ on the day
    colophon = document.tables[-1]
    assert {cell.text for cell in colophon.rows[0].cells} == {"抄送：示例市信访局。"}
    assert [cell.text for cell in colophon.rows[1].cells] == ["示例市住房和城乡建设局", "2025年3月10日印发"]
    # floating at the foot of the text area (GB/T 9704 7.4: the 版记 ends on the last line)
    position = colophon._tbl.tblPr.find(qn("w:tblpPr"))
    assert position is not None and position.get(qn("w:tblpYSpec")) == "bottom"


def test_the_acceptance_notice_gives_the_date_the_handling_period_and_the_query_code(
    climbed: Case, world: World
) -> None:
    text = rendered(climbed, "acceptance_notice")
    handle = profile_for(climbed).rules["handle"]
    assert "张三：" in text
    assert "本机关已于2025年3月10日依法受理" in text
    assert f"自受理之日起{handle.length}日内（即2025年5月9日前）办结" in text
    assert climbed.query_code in text
    assert "2025年3月3日通过来访方式反映的“小区住房质量问题长期未解决”问题" in text


def test_documents_for_the_petitioner_show_neither_phone_nor_id_number(climbed: Case) -> None:
    for kind in (
        "acceptance_notice",
        "extension_notice",
        "reply_opinion",
        "review_opinion",
        "rereview_opinion",
    ):
        text = rendered(climbed, kind)
        assert "13800138000" not in text and ID_NUMBER not in text and ID_NUMBER[-4:] not in text


def test_the_extension_notice_gives_days_reason_approver_and_the_new_due_date(climbed: Case) -> None:
    text = rendered(climbed, "extension_notice")
    assert "原定于2025年5月9日前办结" in text
    assert "需委托第三方检测机构鉴定房屋质量" in text
    assert "周审核" in text
    # 5月9日 + 30 days is Sunday 8 June; a period ending on a rest day runs to the next working day.
    assert "办理期限延长30日，至2025年6月9日" in text
    assert "《信访工作条例》第三十四条" in text


def test_the_reply_opinion_states_request_facts_outcome_reasons_basis_and_the_right_to_review(
    climbed: Case,
) -> None:
    text = rendered(climbed, "reply_opinion")
    reply = a_reply()
    for part in (reply.request, reply.facts, reply.reasons, reply.legal_basis):
        assert part.rstrip("。") in text
    assert "三、处理意见：支持" in text
    assert "本机关对你的信访请求予以支持" in text
    # the 三到位一处理 tags were recorded, but they are the bureau's assessment, not the petitioner's
    assert "三到位一处理" not in text and "问题解决到位" not in text
    assert "本机关已于2025年3月10日受理" in text
    assert (
        "可以自收到本意见书之日起30日内，向示例市人民政府书面提出复查请求（《信访工作条例》第三十五条）"
        in text
    )
    assert signed(text, "示例市住房和城乡建设局", "2025年5月20日")


def test_a_reply_that_does_not_support_the_request_says_so(world: World) -> None:
    case = services.case_answer(
        actor=world.registrar, case=register(world), reply=a_reply(outcome="not_support", tags=[])
    )
    text = rendered(case, "reply_opinion")
    assert "三、处理意见：不予支持" in text and "本机关不予支持" in text
    assert "三到位一处理" not in text
    # answered directly by the bureau: its superior, the city government, hears the 复查
    assert text.splitlines()[0] == "示例市信访局"
    assert "向示例市人民政府书面提出复查请求" in text


def test_the_review_opinion_gives_the_outcome_and_the_right_to_rereview(climbed: Case) -> None:
    text = rendered(climbed, "review_opinion")
    assert text.splitlines()[0] == "示例市人民政府"
    assert "你不服示例市住房和城乡建设局于2025年5月20日作出的信访处理意见" in text
    assert "于2025年5月26日向本机关提出复查请求" in text
    assert "维修进度太慢，对处理意见不服" in text
    assert "二、复查意见：维持" in text
    assert "维持示例市住房和城乡建设局作出的信访处理意见。" in text
    assert "原处理意见认定事实清楚，适用依据正确。" in text
    assert (
        "可以自收到本复查意见之日起30日内，向示例省人民政府书面提出复核请求（《信访工作条例》第三十六条）"
        in text
    )
    assert signed(text, "示例市人民政府", "2025年6月10日")


def test_the_rereview_opinion_is_final_and_says_the_same_matter_will_not_be_accepted_again(
    climbed: Case,
) -> None:
    text = rendered(climbed, "rereview_opinion")
    assert text.splitlines()[0] == "示例省人民政府"
    assert "维持示例市人民政府作出的复查意见。" in text
    assert "本复核意见为最终意见" in text
    assert "仍然以同一事实和理由提出投诉请求的，各级机关不再受理（《信访工作条例》第三十六条）" in text
    assert "可以自收到" not in text  # no further appeal


def test_the_routing_slip_gives_the_unit_the_petitioners_contact_data_with_the_id_number_masked(
    climbed: Case,
) -> None:
    _, document = open_docx(climbed, "routing_slip")
    text = text_of(document)
    assert head(document)[-1] == "转送单"
    assert "示例市住房和城乡建设局：" in text
    assert "张三" in text and "13800138000" in text and "青山县城关镇幸福路1号" in text
    assert "110105********002X" in text and ID_NUMBER not in text
    assert "墙体开裂" in text
    assert "《信访工作条例》第二十二条" in text
    assert "自收到本转送单之日起15日内决定是否受理" in text
    assert "5个工作日内" in text
    assert "办结报告" not in text
    assert "经办人：李登记" in text


def test_an_assignment_slip_is_titled_jiaoban_and_demands_a_completion_report_by_its_date(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 09:00")
    case = services.case_assign(
        actor=world.registrar,
        case=register(world),
        to_org=world.city_housing,
        report_due=dt.date(2025, 4, 15),
        assisting=[world.town_office],
        note="请会同城关镇实地核查",
    )
    assert available_documents(case) == [("routing_slip", "交办单")]
    name, document = open_docx(case, "routing_slip")
    text = text_of(document)
    assert name == f"交办单-{case.number}.docx"
    assert head(document)[-1] == "交办单"
    assert "办结报告期限\n2025年4月15日" in text
    assert "请于2025年4月15日前将办理结果以办结报告形式书面报送本机关（《信访工作条例》第二十二条）" in text
    assert "青山县城关镇人民政府" in text and "请会同城关镇实地核查" in text


def test_the_routing_slip_comes_from_the_last_routing_after_an_objection(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.county_labour)
    clerk = staff_user_create(username="labour", full_name="吴劳动", password=PASSWORD)
    membership_grant(user=clerk, org=world.county_labour, role=Role.HANDLER)
    case = services.case_object(actor=clerk, case=case, reasons="不属于本单位职权范围")
    case = services.case_assign(
        actor=world.registrar,
        case=case,
        to_org=world.city_housing,
        report_due=local_date() + dt.timedelta(days=20),
    )
    text = rendered(case, "routing_slip")
    assert available_documents(case) == [("routing_slip", "交办单")]
    assert "示例市住房和城乡建设局：" in text and "青山县人力资源和社会保障局" not in text


def test_the_decline_notice_gives_the_reasons_and_the_legal_channel(world: World, freeze: Freeze) -> None:
    freeze("2025-03-05 11:00")
    case = services.case_decline(
        actor=world.registrar,
        case=register(world),
        legal_channel="litigation",
        reasons="该纠纷属于商品房买卖合同纠纷，已由人民法院立案审理",
    )
    assert available_documents(case) == [("decline_notice", "不予受理告知书")]
    text = rendered(case, "decline_notice")
    assert [line for line in text.splitlines()[:5] if line] == [
        "示例市信访局",
        "示例市信访局不受〔2025〕1号",
        "不予受理告知书",
    ]
    assert "张三：" in text
    assert "经审查，该纠纷属于商品房买卖合同纠纷，已由人民法院立案审理。" in text
    assert "《信访工作条例》第三十一条" in text and "法定途径（诉讼）" in text
    assert "本机关不予受理" in text
    assert "13800138000" not in text and ID_NUMBER not in text
    assert signed(text, "示例市信访局", "2025年3月5日")


def test_a_group_is_addressed_through_its_representatives(world: World) -> None:
    people = [
        PetitionerInput(name="赵一", is_representative=True),
        PetitionerInput(name="钱二", is_representative=True),
        PetitionerInput(name="孙三"),
    ]
    case = register(world, petitioners=people, headcount=12)
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    notice = rendered(case, "acceptance_notice")
    assert "赵一、钱二等12人：" in notice
    assert "你们于" in notice and "二、你们可以凭查询码" in notice
    slip = rendered(case, "routing_slip")
    assert "赵一（代表）" in slip and "孙三" in slip and "12人" in slip


@pytest.fixture
def accusation(world: World) -> Case:
    """An accusation against the housing bureau, written by a petitioner who names it."""
    return register(
        world,
        nature="accusation",
        subject="举报示例市住房和城乡建设局工作人员索要好处费",
        content="示例市住房和城乡建设局（市住建局）某科室工作人员在办理房屋维修资金时索要好处费。",
        accused_person="王某",
        accused_org=world.city_housing,
    )


def test_an_accusation_routed_to_discipline_names_the_accused_on_the_slip_only(
    world: World, accusation: Case
) -> None:
    world.city_housing.short_name = "市住建局"
    world.city_housing.save(update_fields=["short_name"])
    case = services.case_forward(actor=world.registrar, case=accusation, to_org=world.city_discipline)
    slip = rendered(case, "routing_slip")
    assert "被反映单位\n示例市住房和城乡建设局" in slip and "王某" in slip
    assert "检举控告材料不得透露、转送给被检举控告的人员和单位" in slip

    inspector = staff_user_create(username="inspector", full_name="郑纪检", password=PASSWORD)
    membership_grant(user=inspector, org=world.city_discipline, role=Role.HANDLER)
    reviewer = staff_user_create(username="reviewer", full_name="钱审核", password=PASSWORD)
    membership_grant(user=reviewer, org=world.city_discipline, role=Role.APPROVER)
    case = services.case_accept(actor=inspector, case=case)
    case = reply_approved(
        actor=inspector,
        case=case,
        reply=a_reply(
            facts="经查，示例市住房和城乡建设局相关工作人员存在违规收受财物问题。", tags=["dealt_with"]
        ),
    )
    for kind in ("acceptance_notice", "reply_opinion"):
        text = rendered(case, kind)
        assert "住房和城乡建设局" not in text and "市住建局" not in text
        assert "举报有关单位工作人员索要好处费" in text
    assert "经查，有关单位相关工作人员存在违规收受财物问题" in rendered(case, "reply_opinion")


def test_an_accusation_routed_elsewhere_never_names_the_accused_unit(world: World) -> None:
    case = register(
        world,
        nature="accusation",
        subject="举报青山县人力资源和社会保障局拖延办理工伤认定",
        content="青山县人力资源和社会保障局对我的工伤认定申请拖延半年不予处理。",
        accused_org=world.county_labour,
    )
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    slip = rendered(case, "routing_slip")
    assert "青山县人力资源和社会保障局" not in slip
    assert "被反映单位" not in slip
    assert "举报有关单位拖延办理工伤认定" in slip


def test_an_anonymous_accusation_is_addressed_to_the_petitioner_in_general(world: World) -> None:
    case = register(world, nature="accusation", petitioners=[], subject="举报某村干部侵占集体资金")
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_discipline)
    assert "匿名" in rendered(case, "routing_slip")


def test_a_registered_case_has_no_documents_yet(world: World) -> None:
    assert available_documents(register(world)) == []


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("acceptance_notice", "本件尚未受理，不能生成受理告知书。"),
        ("reply_opinion", "本件尚未作出处理意见，不能生成信访处理意见书。"),
        ("extension_notice", "本件未经批准延期，不能生成延期告知书。"),
        ("review_opinion", "本件尚未作出复查意见，不能生成复查意见书。"),
        ("rereview_opinion", "本件尚未作出复核意见，不能生成复核意见书。"),
        ("decline_notice", "本件未作出不予受理决定，不能生成不予受理告知书。"),
    ],
)
def test_a_document_asked_for_before_its_event_is_refused_with_a_message(
    world: World, kind: str, message: str
) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    with pytest.raises(ServiceError) as refused:
        render_document(case, kind)
    assert (refused.value.message, refused.value.field, refused.value.code) == (message, "kind", "not_found")


def test_a_routing_slip_asked_for_before_routing_is_refused(world: World) -> None:
    with pytest.raises(ServiceError, match="本件尚未转送或交办，不能生成转送单（交办单）。"):
        render_document(register(world), "routing_slip")


def test_an_unknown_kind_of_document_is_refused_naming_the_kinds_there_are(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        render_document(register(world), "summons")
    assert refused.value.code == "not_found" and refused.value.field == "kind"
    assert "文书类型“summons”不存在" in refused.value.message
    assert "reply_opinion（信访处理意见书）" in refused.value.message
