from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from xinfang.cases.models import Case
from xinfang.demo.cases import generate_cases
from xinfang.demo.generator import DEMO_PASSWORD, load_demo
from xinfang.orgs.models import User
from xinfang.portal.accounts import is_verified


def test_the_demo_citizen_signs_in_and_sees_an_answered_matter(
    db: None, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2026-06-01 10:00")
    load_demo()
    generate_cases(10)
    own = Case.objects.filter(citizen__username="qunzhong", query_code__isnull=False)
    assert own.filter(channel="online", status="delivered").exists()
    assert own.filter(status="registered").exists()
    client = Client()
    signed = client.post(
        "/portal/login/", {"mode": "password", "phone": "13800000000", "password": DEMO_PASSWORD}
    )
    assert signed.status_code == 302
    delivered = own.filter(status="delivered").first()
    page = client.get(f"/portal/cases/{delivered.pk}/")
    assert "信访处理意见书" in page.text and "满意度评价" in page.text and "申请复查" in page.text


def test_the_demo_citizen_is_verified_and_sees_the_letter_he_cosigned(
    db: None, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2026-06-01 10:00")
    load_demo()
    generate_cases(10)
    citizen = User.objects.get(username="qunzhong")
    assert is_verified(citizen)
    client = Client()
    client.force_login(citizen)
    assert client.get("/portal/submit/").status_code == 200  # no 实名认证 first
    letter = Case.objects.get(subject="幸福小区电梯频繁故障")
    assert letter.citizen is None and letter.petitioners.count() == 2
    listed = client.get("/portal/cases/")
    assert letter.subject in listed.text and "联名" in listed.text
    page = client.get(f"/portal/cases/{letter.pk}/")
    assert "您是本事项的联名信访人" in page.text and "受理告知书" in page.text
    pdf = client.get(f"/portal/cases/{letter.pk}/documents/acceptance_notice/?format=pdf")
    assert pdf.content.startswith(b"%PDF-")
    load_demo()  # again: nothing is duplicated, the profile is kept
    generate_cases(0)
    assert Case.objects.filter(subject=letter.subject).count() == 1
