"""The back office speaks Chinese: names of the third-party apps, and the permissions' names.

Django names each model's permissions "Can add 满意度评价" when it creates them (auth's post_migrate,
in English whatever the language); `name_permissions_in_chinese` renames them after it, so the
permission pickers of 用户 and 组 read "可以添加满意度评价". The model and field names of the
third-party apps shown there (axes, django_tasks_db) are translated in locale/ (LOCALE_PATHS).
"""

from __future__ import annotations

from typing import Any

from axes.apps import AppConfig as _AxesConfig
from django.apps import AppConfig, apps
from django_tasks_db.apps import TasksAppConfig as _TasksDbConfig

ACTION_WORDS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


class AxesConfig(_AxesConfig):
    verbose_name = "登录安全"


class TasksDbConfig(_TasksDbConfig):
    verbose_name = "后台任务"


def chinese_permission_name(action: str, verbose_name: str) -> str:
    return f"可以{ACTION_WORDS[action]}{verbose_name}"


def name_permissions_in_chinese(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Rename the default permissions of `sender`'s models ("Can add X" -> "可以添加X")."""
    if not apps.is_installed("django.contrib.auth") or sender.models_module is None:
        return
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):  # migrate runs with no language active
        _rename(sender, using, Permission, ContentType)


def _rename(sender: AppConfig, using: str, Permission: Any, ContentType: Any) -> None:
    for model in sender.get_models():
        meta = model._meta
        content_type = ContentType.objects.db_manager(using).get_for_model(model, for_concrete_model=False)
        for action in meta.default_permissions:
            if action not in ACTION_WORDS:
                continue
            name = chinese_permission_name(action, str(meta.verbose_name))[:255]
            Permission.objects.using(using).filter(
                content_type=content_type, codename=f"{action}_{meta.model_name}"
            ).exclude(name=name).update(name=name)
