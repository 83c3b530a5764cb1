"""Form fields every page shares.

`TextField` is the CharField of every form a person types into: what is pasted from a word
processor (a vertical tab for a line break, a stray control character) is normalised with
`xinfang.core.text.clean_text` instead of being refused, so the clerk is never bothered with an
error about a character they cannot see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from xinfang.core.text import clean_text


class TextField(forms.CharField):
    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = clean_text(value)
        return super().to_python(value)


class CleanTextAdmin:
    """A ModelAdmin mixin: every plain text field of its forms is a `TextField`, so what is
    pasted into the back office is normalised like everywhere else (a control character there
    once made every document of a case fail). Fields with choices and typed text fields (e-mail,
    URL, slug) keep their own form fields and validation."""

    def formfield_for_dbfield(self, db_field: models.Field[Any, Any], request: Any, **kwargs: Any) -> Any:
        if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", TextField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class ReadOnlyAdmin(CleanTextAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows written by the services or a sweep only: the back office may look, not touch (a
    change there would bypass the rules and the case's history)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(CleanTextAdmin, admin.TabularInline):  # type: ignore[type-arg]
    """The child rows of a `ReadOnlyAdmin` page, shown as they are."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
