"""The timeline speaks Chinese: no payload code ("rereview_decided", "overdue") is ever written."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from xinfang.cases import services
from xinfang.cases.models import CaseEvent
from xinfang.cases.presentation import event_summary
from xinfang.cases.tests.helpers import a_reply, reply_approved, to_accepted
from xinfang.cases.tests.test_replay import PATHS
from xinfang.core.timeutil import local_date
from xinfang.supervision import services as supervision
from xinfang.testing.world import World

_ASCII_WORD = re.compile(r"(?<![.A-Za-z0-9])[a-z_]{3,}")  # a file's extension (来信.pdf) is not a code


def test_the_reported_codes_are_written_as_labels() -> None:
    assert (
        event_summary("terminated", {"reason": "rereview_decided"})
        == "终结：复核意见为最终意见（第三十六条）"
    )
    supervised = {
        "supervision": 3,
        "reason": "overdue",
        "reason_name": "超期未办结",
        "feedback_due": "2027-01-05",
    }
    assert event_summary("supervised", supervised) == "督办：超期未办结；反馈期限 2027-01-05"
    assert "overdue" not in event_summary("supervised", supervised)


def test_an_unknown_code_is_left_out_and_free_text_kept() -> None:
    assert event_summary("terminated", {"reason": "some_new_code"}) == "终结"
    assert event_summary("extended", {"days": 10, "reason": "需现场勘验", "approver_name": "周审核"}) == (
        "延期：延长 10 日，批准人 周审核；需现场勘验"
    )


@pytest.mark.parametrize("path", sorted(PATHS))
def test_no_event_of_any_workflow_shows_a_code(world: World, settings: Any, tmp_path: Any, path: str) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = PATHS[path](world)
    for event in CaseEvent.objects.filter(case=case).order_by("seq"):
        summary = event_summary(event.kind, event.payload)
        assert not _ASCII_WORD.search(summary), f"{event.kind}: {summary}"


def test_rating_and_supervision_events_read_in_chinese_on_the_case_page(world: World) -> None:
    case = to_accepted(world)
    due = local_date() + dt.timedelta(days=10)
    opened = supervision.supervision_open(
        actor=world.bureau_head,
        org=world.city_bureau,
        case=case,
        reason="overdue",
        details="请加快办理",
        feedback_due=due,
    )
    supervision.supervision_feedback(actor=world.handler, supervision=opened, text="已组织维修")
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    services.case_rate(
        actor=world.registrar, case=case, track="unit", value="dissatisfied", reason="维修太慢"
    )
    client = Client()
    client.force_login(world.registrar)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S)
    assert timeline
    text = re.sub(r"<[^>]+>", " ", timeline.group(1))
    assert "督办：超期未办结" in text and "按期反馈" in text
    assert "评价：责任单位（示例市住房和城乡建设局） 不满意；理由：维修太慢" in text
    assert not _ASCII_WORD.search(text), text
