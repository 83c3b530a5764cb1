"""The reply form shows the petition and its facts beside the text being written."""

from __future__ import annotations

import re

from django.test import Client

from xinfang.cases.models import Petitioner
from xinfang.cases.privacy import petitioner_view, sees_personal_data
from xinfang.cases.tests.helpers import to_accepted
from xinfang.testing.world import World


def _aside(user: object, url: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    html = client.get(url).content.decode()
    match = re.search(r'<aside class="card matter".*?</aside>', html, re.S)
    assert match, "no matter beside the form"
    return match.group(0)


def test_the_reply_form_shows_the_petition_text_petitioners_and_clocks(world: World) -> None:
    case = to_accepted(world)
    aside = _aside(world.handler, f"/cases/{case.pk}/act/reply/")
    assert case.subject in aside and case.content in aside
    person = Petitioner.objects.filter(case=case).first()
    assert person is not None
    shown = petitioner_view(person, masked=not sees_personal_data(world.handler, case))
    assert shown.name in aside
    assert "办理" in aside and "计时中" in aside


def test_a_form_that_writes_nothing_about_the_matter_shows_no_panel(world: World) -> None:
    case = to_accepted(world)
    client = Client()
    client.force_login(world.handler)
    html = client.get(f"/cases/{case.pk}/act/hearing_start/").content.decode()
    assert 'class="card matter"' not in html
