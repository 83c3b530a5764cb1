from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from xinfang.cases.models import Case
from xinfang.demo.cases import generate_cases
from xinfang.demo.generator import DEMO_PASSWORD, load_demo


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
        "/portal/login/", {"mode": "password", "phone": "qunzhong", "password": DEMO_PASSWORD}
    )
    assert signed.status_code == 302
    delivered = own.filter(status="delivered").first()
    page = client.get(f"/portal/cases/{delivered.pk}/")
    assert "信访处理意见书" in page.text and "满意度评价" in page.text and "申请复查" in page.text
