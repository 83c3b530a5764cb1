"""Input checks every service shares, with the Chinese message naming the field.

Every text is normalised with `xinfang.core.text.clean_text` first (line breaks to LF, control
characters removed): forms and the API do it already, this is the last line of defence for the
admin, commands, imports and the demo.
"""

from __future__ import annotations

from xinfang.core.errors import ServiceError
from xinfang.core.text import clean_text

# Bounds of the integer inputs, shared by the API schemas, the staff forms and the services, so a
# number too large for the database column is refused with a message instead of reaching it.
MAX_ID = 2**63 - 1  # a 63-bit primary key
MAX_HEADCOUNT = 100000  # 信访人数
MAX_EXTENSION_DAYS = 366  # the service allows at most 30 (第三十四条); this only bounds the input
MAX_ATTACHMENT_PAGES = 100000  # 页数 of one attachment
# Lengths of what a clerk types at registration (the API's schemas bound them the same way).
MAX_PERSON_NAME = 50  # 姓名: the longest registered Chinese names (with ethnic names) stay well below
MAX_SUBJECT = 200  # 标题
MAX_CONTENT = 20000  # 主要内容: a long letter typed in; the full letter is an attachment


def optional_text(value: str | None) -> str:
    """The normalised, stripped text; "" for None."""
    return clean_text(value or "").strip()


def required_text(
    value: str | None,
    *,
    field: str,
    label: str,
    max_length: int | None = None,
    empty: str = "{label}不能为空。",
) -> str:
    """The normalised, stripped text, or a ServiceError on `field` when it is empty or too long."""
    text = optional_text(value)
    if not text:
        raise ServiceError(empty.format(label=label), field=field)
    if max_length is not None and len(text) > max_length:
        raise ServiceError(f"{label}不能超过 {max_length} 个字（现有 {len(text)} 个字）。", field=field)
    return text
