from __future__ import annotations

from django.core.management import call_command

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


def test_loading_the_demo_twice_duplicates_nothing(db: None, capsys: object) -> None:
    call_command("load_demo", quiet_logins=True)
    before = _counts()
    call_command("load_demo")
    assert _counts() == before
