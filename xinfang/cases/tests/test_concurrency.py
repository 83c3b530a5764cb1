from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xinfang.cases import services
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.tests.helpers import register
from xinfang.core.errors import ServiceError
from xinfang.testing.world import World, build_world

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks between threads are tested on PostgreSQL (make test-postgres)",
)


def _race(action: object, case_id: int, actor_id: int) -> list[str]:
    from xinfang.orgs.models import User

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press() -> None:
        try:
            barrier.wait()
            case = Case.objects.get(pk=case_id)
            action(actor=User.objects.get(pk=actor_id), case=case)  # type: ignore[operator]
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_handlers_accepting_at_once_one_wins_one_is_refused() -> None:
    world: World = build_world()
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)

    outcomes = _race(services.case_accept, case.pk, world.handler.pk)

    assert sorted(outcomes, key=len) == [
        "ok",
        "当前状态为“办理中”，不能受理。此状态下可进行：启动听证、结束听证、申请延期、批准延期、退回延期申请、"
        "提交处理意见书审核、批准并出具处理意见书、退回处理意见书、出具处理意见书、增加协办单位。",
    ]
    assert CaseEvent.objects.filter(case=case, kind="accepted").count() == 1
    assert Case.objects.get(pk=case.pk).version == 3


@pytest.mark.django_db(transaction=True)
def test_two_clerks_forwarding_at_once_write_one_event() -> None:
    world: World = build_world()
    case = register(world)

    def forward(*, actor: object, case: Case) -> None:
        services.case_forward(actor=actor, case=case, to_org=world.city_housing)  # type: ignore[arg-type]

    outcomes = _race(forward, case.pk, world.registrar.pk)

    assert outcomes.count("ok") == 1
    assert CaseEvent.objects.filter(case=case, kind="forwarded").count() == 1
