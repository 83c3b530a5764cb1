"""Keeping petitioners out of a bulletin's text.

A bulletin is read far beyond the handler (every organ above the bureau, and once issued the organs
under it), so a petitioner's name never appears in it unmasked: every text a bulletin carries (the
rendered template, what the clerk typed, a 动态 item) is written through `scrub`, which masks the
names of the petitioners of the cases the bulletin draws on (`xinfang.cases.pii.mask_name`), and any
ID number or mobile number typed into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xinfang.cases import pii
from xinfang.cases.models import Petitioner

# An 18-digit resident ID number or an 11-digit mobile number standing alone: never part of a
# longer run of digits, such as a 22-digit case number.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])" + pii.MOBILE.pattern + r"(?![0-9])")


def petitioner_names(case_ids: Iterable[int]) -> list[str]:
    """The names of the petitioners of these cases (decrypted: they are needed to find them)."""
    ids = sorted(set(case_ids))
    if not ids:
        return []
    names = {row.name.strip() for row in Petitioner.objects.filter(case_id__in=ids).only("name_enc")}
    return sorted((name for name in names if name), key=len, reverse=True)


def scrub(text: str, names: Iterable[str]) -> str:
    """`text` with each of `names` masked (张三 → 张*), and ID and mobile numbers masked.

    A one-character "name" is left alone: masking every occurrence of one character would mangle
    the text. Longer names first, so 欧阳明 is masked before a 欧阳 that is someone else's name."""
    for name in sorted(set(names), key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, pii.mask_name(name))
    text = _ID_NUMBER.sub(lambda m: pii.mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: pii.mask_phone(m.group(0)), text)
