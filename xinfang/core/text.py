"""The one rule for control characters in text people type or paste (pure; no Django).

Text reaches the system from forms, the API and imports, and leaves it in .docx documents, whose
XML (XML 1.0) cannot hold most control characters: a single vertical tab pasted from a word
processor made every document of its case fail. So every text input is normalised with
`clean_text`, and every text written into a document passes through it again:

- CR LF and a lone CR become LF;
- a vertical tab (U+000B) and a form feed (U+000C) become LF: a word processor's line and page
  breaks, so the text keeps its line structure;
- the other C0 controls except TAB and LF (NUL included), DEL (U+007F), the C1 controls
  (U+0080-U+009F), lone surrogates and the noncharacters U+FFFE and U+FFFF (which XML 1.0 does not
  allow either) are removed.

The JSON API refuses these characters instead (a machine client should learn that it sends them);
`FORBIDDEN_PATTERN` is what it refuses, and `FORBIDDEN_JSON_PATTERN` the same in the form the OpenAPI
document declares it.
"""

from __future__ import annotations

import re

# CR is normalised everywhere, never refused: it is an ordinary line ending (CR LF) on Windows.
_NEWLINES = re.compile("\r\n?|[\x0b\x0c]")
_REMOVED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# What an API text may not contain: everything `clean_text` removes or turns into LF, except CR.
FORBIDDEN_PATTERN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# The same as a JSON Schema (ECMA-262) pattern for a whole string. Lone surrogates are left out:
# in a UTF-16 regex engine a surrogate range would also match the halves of every character beyond
# U+FFFF (CJK extension B, emoji), and a lone surrogate cannot be sent as UTF-8 in the first place.
FORBIDDEN_JSON_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]*$"


def clean_text(value: str) -> str:
    """`value` with line breaks normalised to LF and the characters documents cannot hold removed."""
    return _REMOVED.sub("", _NEWLINES.sub("\n", value))


def forbidden_character(value: str) -> tuple[int, str] | None:
    """The first character (0-based position, character) the API refuses, or None."""
    match = FORBIDDEN_PATTERN.search(value)
    return None if match is None else (match.start(), match.group())


def describe(char: str) -> str:
    """U+000B: how a message names a character that cannot be shown."""
    return f"U+{ord(char):04X}"
