"""What the workbench's forms share: a service's refusal put on its field, and the date and time
inputs of the browser's own pickers (their values in ISO form, whatever the locale writes)."""

from __future__ import annotations

from typing import Any

from django import forms

from xinfang.core.errors import ServiceError


def service_error_on(form: forms.Form, exc: ServiceError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the field it names (``fields`` maps the service's names to the
    form's), or above the form when the form has no such field."""
    name = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


class IsoDateInput(forms.DateInput):
    """<input type="date">: it takes and gives YYYY-MM-DD only, so the value is written so too
    (the zh-hans format, 2026/12/03, would leave the picker empty)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class LocalDateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local">, written YYYY-MM-DDTHH:MM (read in the current time zone)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


LOCAL_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
