"""services.case_enter_history: a batch of historic records, the services' refusals per record."""

from __future__ import annotations

import datetime as dt

from xinfang.cases.hooks import Table, on_cases_laid_out
from xinfang.cases.integrity import verify
from xinfang.cases.models import Case, CaseEvent, ContentCategory, Rating, Status
from xinfang.cases.services import (
    HistoricRecord,
    PetitionerInput,
    ReplyInput,
    TargetNotEntered,
    case_enter_history,
)
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import LOCAL_TZ
from xinfang.testing.world import World


def _at(day: str, hour: int) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=LOCAL_TZ)


def _record(world: World, **changes: object) -> HistoricRecord:
    text = "（原系统未提供）"
    values: dict[str, object] = {
        "org": world.city_bureau,
        "channel": "letter",
        "nature": "appeal",
        "category": ContentCategory.objects.get(code="990000"),
        "subject": "工资拖欠",
        "content": "工地拖欠工资。",
        "problem_region": world.county,
        "petitioners": (PetitionerInput(name="王小明", phone="13800001111"),),
        "received_on": dt.date(2024, 3, 4),
        "registered_at": _at("2024-03-04", 9),
        "accepted_at": _at("2024-03-05", 10),
        "reply": ReplyInput(outcome="support", request=text, facts=text, reasons=text, legal_basis=text),
        "replied_at": _at("2024-04-10", 14),
        "delivered_on": dt.date(2024, 4, 10),
        "delivered_at": _at("2024-04-10", 15),
        "ratings": (("bureau", "satisfied", _at("2024-04-10", 16)),),
        "closed_at": _at("2024-06-20", 16),
    }
    values.update(changes)
    return HistoricRecord(**values)  # type: ignore[arg-type]


def test_a_batch_is_written_and_each_refused_record_says_why(world: World) -> None:
    results = case_enter_history(
        actor=world.bureau_head,
        records=[
            _record(world),
            _record(world, ratings=(("bureau", "great", _at("2024-04-10", 16)),)),
            _record(
                world,
                repeat_of=1,
                linked_at=_at("2024-05-01", 9),
                received_on=dt.date(2024, 5, 1),
                registered_at=_at("2024-05-01", 9),
            ),
            _record(world, headcount=0),
            _record(
                world,
                repeat_of=0,
                linked_at=_at("2024-05-02", 9),
                received_on=dt.date(2024, 5, 2),
                registered_at=_at("2024-05-02", 9),
                accepted_at=None,
                reply=None,
                closed_at=None,
            ),
        ],
    )
    first, bad_rating, lost_target, bad_headcount, repeat = results
    assert isinstance(first, Case) and isinstance(repeat, Case)
    # the services' own messages, with their fields
    assert isinstance(bad_rating, ServiceError) and bad_rating.field == "value"
    assert bad_rating.message == "请选择评价结果（满意、基本满意或不满意）。"
    assert isinstance(lost_target, TargetNotEntered) and lost_target.index == 1
    assert isinstance(bad_headcount, ServiceError) and bad_headcount.field == "headcount"
    # a refused record writes nothing
    assert Case.objects.count() == 2
    first.refresh_from_db()
    assert first.status == Status.TERMINATED and first.version == 6
    kinds = list(CaseEvent.objects.filter(case=first).order_by("seq").values_list("kind", "payload__reason"))
    assert [k for k, _ in kinds] == ["registered", "accepted", "replied", "delivered", "rated", "terminated"]
    # 30 days after the delivery had passed by 2024-06-20: the window lapsed
    assert kinds[-1] == ("terminated", "window_lapsed")
    assert Rating.objects.get(case=first).value == "satisfied"
    repeat.refresh_from_db()
    assert repeat.repeat_of_id == first.pk and repeat.status == Status.REGISTERED
    assert first.report_fact.first_repeat_on == dt.date(2024, 5, 2)
    problems: list[str] = []
    verify(report=problems.append)
    assert problems == []


def test_a_laid_out_subscriber_sees_the_cases_numbered_before_they_are_written(world: World) -> None:
    """`hooks.on_cases_laid_out`: called with the cases as they will be written (ids, numbers),
    before anything is written; the rows it returns are inserted with theirs (the duplicate
    index's band keys: textintel/tests/test_intake.py)."""
    seen: list[tuple[int, str, bool]] = []

    def look(cases: list[Case]) -> list[Table]:
        seen.extend((case.pk, case.number, Case.objects.filter(pk=case.pk).exists()) for case in cases)
        return []

    on_cases_laid_out.connect(look)
    try:
        results = case_enter_history(actor=world.bureau_head, records=[_record(world), _record(world)])
    finally:
        on_cases_laid_out.disconnect(look)
    assert seen == [(case.pk, case.number, False) for case in results if isinstance(case, Case)]
    assert len(seen) == 2 and all(number for _, number, _ in seen)
