"""Registration reports every row's faults at once and refuses dates, ID numbers and lengths that
cannot be right; a collective visit without a representative is questioned."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from xinfang.cases.models import Case
from xinfang.cases.pii import _ID_CHECK, _ID_WEIGHTS
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, register
from xinfang.core.errors import ServiceError, ServiceErrors
from xinfang.core.timeutil import local_date
from xinfang.testing.world import World
from xinfang.workbench.tests.test_actions_pages import _registration, _row

BAD_CHECK_DIGIT = "110105194912310021"


def _with_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


def _post(world: World, *people: dict[str, str], **overrides: Any) -> str:
    client = Client()
    client.force_login(world.registrar)
    return client.post("/cases/new/", _registration(world, *people, **overrides)).content.decode()


def test_every_row_error_is_shown_at_once(world: World) -> None:
    people = [
        {"name": "张三", "id_number": BAD_CHECK_DIGIT},
        {"name": "李四", "phone": "12ab"},
        {"name": "王" * 51},
        {"phone": "13800138000"},
    ]
    html = _post(world, *people, headcount="4")
    assert "身份证号码校验位不正确" in _row(html, 1)
    assert "联系电话应为 7 至 15 位数字" in _row(html, 2)
    assert "50" in _row(html, 3) and "field-error" in _row(html, 3)
    assert "信访人姓名不能为空" in _row(html, 4)
    assert not Case.objects.exists()


def test_row_errors_show_even_while_the_matter_itself_is_incomplete(world: World) -> None:
    html = _post(world, {"name": "张三", "id_number": BAD_CHECK_DIGIT}, subject="")
    assert "身份证号码校验位不正确" in _row(html, 1)


def test_the_service_reports_every_petitioner_fault_at_once(world: World) -> None:
    people = [
        PetitionerInput(name="张三", id_number=BAD_CHECK_DIGIT),
        PetitionerInput(name="李四", phone="12ab"),
    ]
    with pytest.raises(ServiceErrors) as caught:
        register(world, petitioners=people, headcount=2)
    assert [e.field for e in caught.value.errors] == ["petitioners[0].id_number", "petitioners[1].phone"]


def test_an_id_number_born_in_the_future_is_refused(world: World) -> None:
    future = local_date() + dt.timedelta(days=400)
    number = _with_check_digit(f"110105{future:%Y%m%d}002")
    html = _post(world, {"name": "张三", "id_number": number})
    assert f"出生日期 {future:%Y-%m-%d} 晚于今天" in _row(html, 1)
    with pytest.raises(ServiceError, match="晚于今天") as caught:
        register(world, petitioners=[PetitionerInput(name="张三", id_number=number)])
    assert caught.value.field == "petitioners[0].id_number"
    impossible = _with_check_digit("11010519491332002")  # month 13
    with pytest.raises(ServiceError, match="不是有效日期"):
        register(world, petitioners=[PetitionerInput(name="张三", id_number=impossible)])


def test_a_received_date_before_the_history_starts_or_in_the_future_is_refused(
    world: World, settings: Any
) -> None:
    with pytest.raises(ServiceError, match="早于本系统记录的起始日期 2000-01-01") as caught:
        register(world, received_on=dt.date(1999, 12, 31))
    assert caught.value.field == "received_on"
    html = _post(world, {"name": "张三"}, received_on="1926-05-04")
    assert "早于本系统记录的起始日期" in html
    with pytest.raises(ServiceError, match="不能晚于今天"):
        register(world, received_on=local_date() + dt.timedelta(days=1))
    settings.XINFANG_HISTORY_START = dt.date(1990, 1, 1)
    assert register(world, received_on=dt.date(1999, 12, 31)).received_on == dt.date(1999, 12, 31)


def test_contents_and_names_beyond_sane_lengths_are_refused(world: World) -> None:
    with pytest.raises(ServiceError, match="主要内容不能超过 20000 个字") as caught:
        register(world, content="字" * 20001)
    assert caught.value.field == "content"
    html = _post(world, {"name": "张三"}, content="字" * 20001)
    assert "20000" in html and not Case.objects.exists()
    with pytest.raises(ServiceError, match="信访人姓名不能超过 50 个字"):
        register(world, petitioners=[PetitionerInput(name="王" * 51)])
    with pytest.raises(ServiceError, match="被反映人不能超过 100 个字"):
        register(world, nature="accusation", accused_person="某" * 101)


def test_a_collective_visit_without_a_representative_is_questioned(world: World) -> None:
    people = [{"name": "张三", "id_number": ID_NUMBER}, {"name": "李四"}]
    html = _post(world, *people, headcount="6")
    assert "属集体访，应推选不超过 5 名代表（第二十条）" in html and "无代表" in html
    assert not Case.objects.exists()
    _post(world, *people, headcount="6", no_representative="on")
    assert Case.objects.get().headcount == 6
    # A letter signed by six is no visit; a visit with a representative marked needs no confirmation.
    _post(world, *people, headcount="6", channel="letter")
    _post(world, {"name": "王五", "is_representative": "on"}, {"name": "赵六"}, headcount="6")
    assert Case.objects.count() == 3
