from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.cases.models import CaseEvent
from xinfang.cases.tests.helpers import to_delivered
from xinfang.testing.world import World


def test_an_untouched_log_verifies(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    to_delivered(world)
    call_command("verify_events")
    assert "检查了 1 件，办理记录完整" in capsys.readouterr().out


def test_an_edited_event_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case = to_delivered(world)
    event = case.events.get(kind="replied")
    payload = dict(event.payload, outcome="not_support")
    CaseEvent.objects.filter(pk=event.pk).update(payload=payload)  # behind the services' back
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert "记录 #4（replied）内容被改动" in capsys.readouterr().err


def test_a_deleted_event_in_the_middle_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case = to_delivered(world)
    CaseEvent.objects.filter(case=case, kind="accepted").delete()
    with pytest.raises(CommandError):
        call_command("verify_events", number=case.number)
    assert "记录 #3 缺失" in capsys.readouterr().err


def test_a_deleted_last_event_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case = to_delivered(world)
    CaseEvent.objects.filter(case=case, kind="delivered").delete()
    with pytest.raises(CommandError):
        call_command("verify_events")
    assert "记录可能被删除" in capsys.readouterr().err
