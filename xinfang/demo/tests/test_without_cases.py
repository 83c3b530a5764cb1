"""load_demo --without-cases: the organisations and staff only, then a file imported into them."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

from xinfang.cases.models import Case
from xinfang.orgs.models import Membership, Role, User
from xinfang.statistics.models import ImportedCase

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import-example.csv"


def test_without_cases_loads_organisations_and_staff_only(db: None) -> None:
    call_command("load_demo", "--without-cases", "--quiet-logins")
    assert not Case.objects.exists()
    # The per-organ demo staff too, not only the listed logins.
    assert User.objects.filter(username__startswith="demo").exists()
    assert Membership.objects.filter(role=Role.HANDLER, user__username__startswith="demo").exists()


def test_the_example_file_imports_into_the_demo_installation(db: None) -> None:
    call_command("load_demo", "--without-cases", "--quiet-logins")
    call_command("import_cases", str(EXAMPLE))
    rows = len(EXAMPLE.read_text(encoding="utf-8-sig").splitlines()) - 1
    assert ImportedCase.objects.count() == Case.objects.count() == rows
    national = ImportedCase.objects.select_related("case__registered_org").get(external_number="XF-2024-0004")
    # 国家信访局来访接待司 is outside the demo installation: received by the province's bureau.
    assert national.registered_level == "national" and national.outside_org == "国家信访局来访接待司"
    assert national.case.registered_org.name == "示例省信访局"


def test_every_organ_that_decides_has_a_listed_login(db: None) -> None:
    from xinfang.demo.generator import DECIDING_KINDS, STAFF, load_demo
    from xinfang.orgs.models import Level, Org

    load_demo()
    listed = {org_name for _, _, org_name, _ in STAFF}
    # The national bureau stands outside a provincial installation: cases are routed to it, not decided.
    deciding = Org.objects.filter(kind__in=DECIDING_KINDS).exclude(region__level=Level.NATIONAL)
    assert sorted(org.name for org in deciding if org.name not in listed) == []
    province = User.objects.get(username="shengfu")
    assert province.memberships.filter(org__name="示例省人民政府", role=Role.LEADER).exists()
