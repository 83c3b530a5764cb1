"""The hearing's documents, opened again with python-docx and read: 听证通知书 once announced,
听证结论 once concluded; an accused unit's name never appears in them (第三十条)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from xinfang.cases import services as case_services
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.leadership.hearing_documents import available_documents, moment_text, render_document
from xinfang.leadership.models.hearings import Hearing
from xinfang.leadership.services import hearings as svc
from xinfang.testing.world import World


def text_of(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def prepared(world: World, case=None, *, origin: str = "applied") -> Hearing:  # type: ignore[no-untyped-def]
    case = case or to_accepted(world)
    if origin == "applied":
        hearing = svc.hearing_start(
            actor=world.handler, case=case, origin="applied", applied_on=local_date(), application="申请听证"
        )
        hearing = svc.hearing_accept(
            actor=world.handler, hearing=hearing, decided_on=local_date(), decision="同意"
        )
    else:
        hearing = svc.hearing_start(
            actor=world.handler, case=case, origin="decided", decided_on=local_date(), decision="决定听证"
        )
    at = dt.datetime.combine(local_date() + dt.timedelta(days=2), dt.time(9, 30), tzinfo=LOCAL_TZ)
    hearing = svc.hearing_announce(
        actor=world.handler,
        hearing=hearing,
        announced_on=local_date(),
        announcement="听证公告",
        scheduled_at=at,
        venue="市住房和城乡建设局三楼会议室",
    )
    for role, name, where in [
        ("host", "周主持", "市住建局副局长"),
        ("panel", "吴听证员", ""),
        ("petitioner", "张三", ""),
        ("npc_deputy", "人大代表甲", "市人大代表"),
        ("cppcc_member", "政协委员乙", "市政协委员"),
        ("lawyer", "律师丙", "某律师事务所"),
        ("unit", "开发商代表", "某房地产开发公司"),
        ("recorder", "记录员丁", ""),
    ]:
        svc.hearing_add_participant(
            actor=world.handler, hearing=hearing, role=role, name=name, affiliation=where
        )
    return hearing


def test_no_document_before_the_announcement(world: World) -> None:
    hearing = svc.hearing_start(
        actor=world.handler,
        case=to_accepted(world),
        origin="decided",
        decided_on=local_date(),
        decision="决定",
    )
    assert available_documents(hearing) == []
    with pytest.raises(ServiceError, match="听证公告发布后才能生成听证通知书") as exc:
        render_document(hearing, "notice")
    assert (exc.value.field, exc.value.code) == ("kind", "invalid_state")
    with pytest.raises(ServiceError) as exc:
        render_document(hearing, "minutes")
    assert exc.value.code == "not_found"


def test_the_notice_tells_the_petitioner_when_where_who_and_the_rules(world: World) -> None:
    hearing = prepared(world)
    assert available_documents(hearing) == [("notice", "听证通知书")]
    with pytest.raises(ServiceError, match="作出听证结论后"):
        render_document(hearing, "conclusion")
    name, content = render_document(hearing, "notice")
    assert name == f"听证通知书-{hearing.case.number}-{hearing.pk}.docx"
    text = text_of(content)
    assert "听证通知书" in text and "张三：" in text  # to the petitioner
    assert "小区住房质量问题长期未解决" in text and hearing.case.number in text  # the matter
    assert "申请听证，本机关经审查，决定举行听证" in text
    assert f"时间：{moment_text(hearing.scheduled_at)}" in text and "9时30分" in text
    assert "地点：市住房和城乡建设局三楼会议室" in text
    for line in [
        "主持人：周主持（市住建局副局长）",
        "听证员：吴听证员",
        "信访人：张三",
        "人大代表：人大代表甲（市人大代表）",
        "政协委员：政协委员乙（市政协委员）",
        "律师：律师丙（某律师事务所）",
        "责任单位代表：开发商代表（某房地产开发公司）",
        "记录员：记录员丁",
    ]:
        assert line in text, line
    assert text.index("主持人：") < text.index("信访人：") < text.index("记录员：")
    assert "信访人的权利" in text and "陈述事实和理由" in text and "申请其回避" in text
    assert "信访人的义务" in text and "如实陈述" in text
    assert "无正当理由不按时参加听证" in text and "视为撤回听证申请" in text
    assert "示例市住房和城乡建设局" in text  # the organ signs
    assert f"{local_date().year}年" in text


def test_the_conclusion_records_the_course_and_the_result(world: World) -> None:
    hearing = prepared(world, origin="decided")
    assert "本机关决定举行听证" in text_of(render_document(hearing, "notice")[1])
    hearing = svc.hearing_announce(
        actor=world.handler,
        hearing=hearing,
        announced_on=local_date(),
        announcement="公告",
        scheduled_at=dt.datetime.combine(local_date(), dt.time(23, 59), tzinfo=LOCAL_TZ),
        venue="市住房和城乡建设局三楼会议室",
    )
    hearing = svc.hearing_open(actor=world.handler, hearing=hearing, started_on=local_date())
    hearing = svc.hearing_record(
        actor=world.handler,
        hearing=hearing,
        statement="信访人陈述：墙体开裂两年未修。\n开发商陈述：已安排检测",
        questioning="主持人询问了检测结论",
        debate="双方就保修期限进行了辩论。",
        deliberation="",
    )
    hearing = svc.hearing_conclude(
        actor=world.handler,
        hearing=hearing,
        conclusion="信访人诉求合理，开发商应于三十日内维修。",
        ended_on=local_date(),
    )
    assert available_documents(hearing) == [("notice", "听证通知书"), ("conclusion", "听证结论")]
    text = text_of(render_document(hearing, "conclusion")[1])
    assert "听证结论" in text
    assert "信访人张三于" in text and "小区住房质量问题长期未解决" in text  # the matter
    assert "在市住房和城乡建设局三楼会议室举行听证" in text
    assert "主持人：周主持（市住建局副局长）" in text and "政协委员：政协委员乙（市政协委员）" in text
    assert "陈述：信访人陈述：墙体开裂两年未修。" in text and "开发商陈述：已安排检测" in text
    assert "询问：主持人询问了检测结论。" in text
    assert "辩论：双方就保修期限进行了辩论。" in text
    assert "评议：未记录。" in text
    assert "信访人诉求合理，开发商应于三十日内维修。" in text
    assert "向社会公开" not in text
    hearing = svc.hearing_publish(actor=world.handler, hearing=hearing, published_on=local_date())
    text = text_of(render_document(hearing, "conclusion")[1])
    assert "本听证结论已于" in text and "向社会公开" in text
    assert text.rstrip().endswith(f"{local_date().year}年{local_date().month}月{local_date().day}日")


def test_an_accused_units_name_is_scrubbed_from_both_documents(world: World) -> None:
    case = register(
        world,
        nature="accusation",
        subject="举报青山县人力资源和社会保障局拖延办理工伤认定",
        content="青山县人力资源和社会保障局对我的工伤认定申请拖延半年不予处理。",
        accused_org=world.county_labour,
    )
    case = case_services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = case_services.case_accept(actor=world.handler, case=case)
    hearing = prepared(world, case)
    svc.hearing_add_participant(
        actor=world.handler,
        hearing=hearing,
        role="unit",
        name="某科长",
        affiliation="青山县人力资源和社会保障局",
    )
    hearing = svc.hearing_open(
        actor=world.handler,
        hearing=svc.hearing_announce(
            actor=world.handler,
            hearing=hearing,
            announced_on=local_date(),
            announcement="公告",
            scheduled_at=dt.datetime.combine(local_date(), dt.time(23, 59), tzinfo=LOCAL_TZ),
            venue="会议室",
        ),
        started_on=local_date(),
    )
    hearing = svc.hearing_record(
        actor=world.handler, hearing=hearing, statement="信访人称青山县人力资源和社会保障局拖延。"
    )
    hearing = svc.hearing_conclude(
        actor=world.handler,
        hearing=hearing,
        conclusion="青山县人力资源和社会保障局应在十五日内作出工伤认定。",
        ended_on=local_date(),
    )
    for kind in ("notice", "conclusion"):
        text = text_of(render_document(hearing, kind)[1])
        assert "青山县人力资源和社会保障局" not in text, kind
        assert "有关单位" in text, kind
    assert "举报有关单位拖延办理工伤认定" in text
