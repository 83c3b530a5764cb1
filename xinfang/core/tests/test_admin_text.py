"""Every back-office form normalises pasted text like the staff pages (`CleanTextAdmin`)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory

from xinfang.cases.models import ContentCategory
from xinfang.core.forms import TextField
from xinfang.testing.world import World

pytestmark = pytest.mark.django_db


def _admins() -> list[object]:
    found: list[object] = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label.startswith("xinfang") or model.__module__.startswith("xinfang"):
            found.append(model_admin)
            for inline in model_admin.inlines:
                found.append(inline(model, admin.site))
    return found


def test_every_plain_text_field_of_every_admin_form_is_normalised() -> None:
    request = RequestFactory().get("/admin/")
    checked = 0
    for model_admin in _admins():
        opts = model_admin.model._meta  # type: ignore[attr-defined]
        for field in opts.get_fields():
            if type(field) not in (models.CharField, models.TextField) or field.choices:
                continue
            formfield = model_admin.formfield_for_dbfield(field, request)  # type: ignore[attr-defined]
            assert isinstance(formfield, TextField), (
                f"{opts.label}.{field.name} in {type(model_admin).__name__}"
            )
            checked += 1
    assert checked > 10  # categories, calendar, profiles, rules, tokens, organisations ...


def test_a_vertical_tab_pasted_into_a_category_name_is_removed(world: World) -> None:
    client = Client()
    client.force_login(_superuser())
    response = client.post(
        "/admin/cases/contentcategory/add/",
        {"code": "990100", "name": "测试\x0b分类", "parent": "", "level": "1", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ContentCategory.objects.get(code="990100").name == "测试\n分类"


def _superuser() -> object:
    from xinfang.orgs.models import User

    return User.objects.create_superuser(username="root-admin", password="Admin-Pass-2026-long")
