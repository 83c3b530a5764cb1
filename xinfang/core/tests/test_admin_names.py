"""The back office shows no English model, field, app or permission names."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

# Abbreviations a Chinese reader sees as such (IP 地址, HTTP, GET 数据, SHA-256, ID, PDF).
_WORD = re.compile(r"[A-Za-z]+")
# django_tasks_db's key is named "id" by its attribute, untranslatable (shown as "Id", i.e. ID).
_ALLOWED = {"ID", "id", "IP", "HTTP", "Accept", "GET", "POST", "SHA", "PDF", "API"}


def _english(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if word not in _ALLOWED]


def test_every_model_and_field_in_the_back_office_has_a_chinese_name() -> None:
    with translation.override("zh-hans"):
        found = []
        for model in admin.site._registry:
            meta = model._meta
            for text in (meta.verbose_name, meta.verbose_name_plural, meta.app_config.verbose_name):
                if _english(str(text)):
                    found.append(f"{meta.label}: {text}")
            for field in meta.fields:
                if _english(str(field.verbose_name)):
                    found.append(f"{meta.label}.{field.name}: {field.verbose_name}")
    assert found == []


@pytest.mark.django_db
def test_no_permission_is_named_in_english() -> None:
    english = list(Permission.objects.filter(name__startswith="Can ").values_list("name", flat=True)[:5])
    assert english == []
    assert Permission.objects.get(codename="add_rating").name == "可以添加满意度评价"
    assert Permission.objects.get(codename="view_accessattempt").name == "可以查看登录尝试"


@pytest.mark.django_db
def test_the_admin_index_and_the_group_page_read_in_chinese(django_user_model: type) -> None:
    user = django_user_model.objects.create_superuser(username="root", password="Root-Pass-2026-x")
    client = Client()
    client.force_login(user)
    index = client.get("/admin/").content.decode()
    assert "登录尝试" in index and "后台任务" in index
    assert "Access attempts" not in index and "Task Results" not in index
    group_form = client.get("/admin/auth/group/add/").content.decode()
    assert "Can add" not in group_form and "可以添加满意度评价" in group_form
    assert apps.get_app_config("axes").verbose_name == "登录安全"
