from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from xinfang.cases.models import Case, CaseEvent, CaseUnit, Instruction
from xinfang.core.timeutil import LOCAL_TZ, now
from xinfang.demo.cases import generate_cases
from xinfang.demo.generator import load_demo
from xinfang.orgs.models import Membership, Org, OrgKind, Region, Role, User


def _counts() -> tuple[int, int, int, int]:
    return Region.objects.count(), Org.objects.count(), User.objects.count(), Membership.objects.count()


def test_the_demo_city_has_counties_towns_bureaus_and_departments(db: None) -> None:
    load_demo()
    assert Region.objects.filter(level="county", parent__name="示例市").count() == 4
    assert Region.objects.filter(level="township").count() >= 10
    assert (
        Org.objects.filter(kind=OrgKind.PETITION_BUREAU, name__in=["示例市信访局", "青山县信访局"]).count()
        == 2
    )
    functional = Org.objects.filter(kind__in=[OrgKind.FUNCTIONAL, OrgKind.POLITICAL_LEGAL]).count()
    assert 28 <= functional <= 40


def test_every_staff_role_has_a_demo_login(db: None) -> None:
    load_demo()
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    assert User.objects.filter(kind="citizen").exists()


def test_loading_the_demo_twice_duplicates_nothing(db: None, capsys: object, demo_model_dir: Path) -> None:
    call_command("load_demo", quiet_logins=True, cases=30)
    before = _counts(), Case.objects.count(), CaseEvent.objects.count()
    call_command("load_demo", cases=30)
    assert (_counts(), Case.objects.count(), CaseEvent.objects.count()) == before


def test_demo_cases_cover_the_workflow_and_their_logs_verify(
    db: None, capsys: pytest.CaptureFixture[str], freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2026-06-01 10:00")  # with the seed, the same cases on every machine and database
    load_demo()
    counts = generate_cases(160)
    assert sum(counts.values()) >= 160
    reached = {status for status, n in counts.items() if n}
    assert {"routed", "accepted", "delivered", "declined", "refused_again", "terminated"} <= reached
    assert CaseEvent.objects.filter(kind="rated").exists()
    assert CaseEvent.objects.filter(kind="review_requested").exists()
    oldest = Case.objects.order_by("registered_at").first()
    assert oldest is not None and (now() - oldest.registered_at).days > 300
    # 领导阅批: 陈副市长 has one case to read, one instruction awaiting the unit, one reported back.
    leader = User.objects.get(username="fushizhang")
    states = sorted(Instruction.objects.filter(leader=leader).values_list("state", flat=True))
    assert states == ["instructed", "reported", "sent"]
    assert Instruction.objects.get(state="instructed").is_late  # the overdue one
    call_command("verify_events")
    assert "办理记录完整" in capsys.readouterr().out
    # most housing matters were routed to a housing department, as a routing suggestion would expect
    housing = CaseUnit.objects.filter(
        case__category__code__startswith="03", role=CaseUnit.Role.LEAD, org__kind=OrgKind.FUNCTIONAL
    )
    assert housing.count() >= 10
    assert housing.filter(org__name__contains="住房和城乡建设").count() >= 0.7 * housing.count()


@pytest.fixture
def demo_model_dir(settings: Any, tmp_path: Path) -> Path:
    settings.XINFANG_TEXTINTEL_MODEL_DIR = str(tmp_path / "classifier")
    return tmp_path / "classifier"


def test_the_demo_trains_a_category_model_once_so_registration_can_suggest(
    db: None, demo_model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from xinfang.textintel.db.intake import suggest_category

    call_command("load_demo", quiet_logins=True, cases=60)
    assert "训练内容分类模型" in capsys.readouterr().out
    stamp = (demo_model_dir / "model.joblib").stat().st_mtime_ns
    case = Case.objects.order_by("pk").first()
    assert case is not None
    assert suggest_category(case.subject, case.content) is not None
    call_command("load_demo", quiet_logins=True, cases=60)  # a model is there: not trained again
    assert "训练内容分类模型" not in capsys.readouterr().out
    assert (demo_model_dir / "model.joblib").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("moment", ["2026-12-04 00:20", "2026-12-04 10:30"])
def test_the_halls_queue_is_taken_today_even_just_after_midnight(
    db: None, freeze: Callable[[str], dt.datetime], moment: str
) -> None:
    from xinfang.demo.reception import reception_work
    from xinfang.reception.models import Ticket

    at = freeze(moment)
    load_demo()
    assert reception_work()["tickets"] == 5
    today = at.astimezone(LOCAL_TZ).date()
    taken = list(Ticket.objects.filter(day=today).values_list("issued_at", flat=True))
    assert len(taken) >= 5 and all(issued <= at for issued in taken)
