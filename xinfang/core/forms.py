"""Form fields every page shares.

`TextField` is the CharField of every form a person types into: what is pasted from a word
processor (a vertical tab for a line break, a stray control character) is normalised with
`xinfang.core.text.clean_text` instead of being refused, so the clerk is never bothered with an
error about a character they cannot see.
"""

from __future__ import annotations

from typing import Any

from django import forms

from xinfang.core.text import clean_text


class TextField(forms.CharField):
    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = clean_text(value)
        return super().to_python(value)
