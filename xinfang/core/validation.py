"""Input checks every service shares, with the Chinese message naming the field."""

from __future__ import annotations

from xinfang.core.errors import ServiceError


def required_text(
    value: str | None,
    *,
    field: str,
    label: str,
    max_length: int | None = None,
    empty: str = "{label}不能为空。",
) -> str:
    """The stripped text, or a ServiceError on `field` when it is empty or too long."""
    text = (value or "").strip()
    if not text:
        raise ServiceError(empty.format(label=label), field=field)
    if max_length is not None and len(text) > max_length:
        raise ServiceError(f"{label}不能超过 {max_length} 个字（现有 {len(text)} 个字）。", field=field)
    return text
