"""Text normalisation that every other text-intelligence step runs first.

Why: petitions arrive scraped from web boards, typed on phones, pasted from Word or written in
traditional characters. Two copies of the same complaint should look identical to the classifier and to
the duplicate index, so we fold the differences that carry no meaning:

* traditional -> simplified characters (OpenCC ``t2s``; the converter is built once, lazily, because
  loading its dictionaries costs ~50 ms);
* full-width letters, digits and symbols -> ASCII (``ＡＢＣ１２３`` -> ``ABC123``), but the Chinese
  sentence punctuation ``，。；：？！（）`` keeps (or gets) its full-width form next to Chinese text,
  because that is the form Chinese writing uses and a half-width comma inside a Chinese sentence is
  only a typing variant;
* traditional quotation marks ``「」『』`` -> ``“”‘’``;
* scrape padding (``\\t``, ``\\xa0``, ideographic spaces, runs of blank lines) removed; whitespace
  between two Chinese characters removed (Chinese does not separate words with spaces); other runs of
  whitespace collapse to one space;
* masked personal data stays masked: ``138****1234`` and ``0000-00000000`` pass through unchanged.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

__all__ = ["compact", "normalize", "to_simplified"]

_converter: Any = None
_converter_lock = threading.Lock()

# Full-width punctuation that is the normal form in Chinese sentences: kept full-width.
_CJK_PUNCT_FULL = "，；：？！（）"
_CJK_PUNCT_HALF = ",;:?!()"
_HALF_TO_FULL = dict(zip(_CJK_PUNCT_HALF, _CJK_PUNCT_FULL, strict=True))

# Full-width block U+FF01..U+FF5E maps to ASCII by subtracting 0xFEE0; the ideographic space to " ".
_FULLWIDTH_TABLE: dict[int, str] = {
    code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _CJK_PUNCT_FULL
}
_FULLWIDTH_TABLE[0x3000] = " "
_FULLWIDTH_TABLE.update({ord("「"): "“", ord("」"): "”", ord("『"): "‘", ord("』"): "’"})
_FULLWIDTH_TABLE.update({ord("\xa0"): " ", ord("\u200b"): "", ord("\ufeff"): "", ord("\u3000"): " "})

_CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_IS_CJK = re.compile(f"[{_CJK}]")
# Characters the table changes (sparse in real text: a regex finds them faster than str.translate
# walks every character through a dict).
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_FULLWIDTH_TABLE)) + "]")
_WHITESPACE_RUN = re.compile(r"\s+")
_HALF_PUNCT = re.compile(r"[,;:?!()]")


def _translate(m: re.Match[str]) -> str:
    return _FULLWIDTH_TABLE[ord(m.group(0))]


def _near_cjk(s: str, start: int, end: int) -> bool:
    """True when the character before ``start`` or at ``end`` is Chinese (or Chinese punctuation)."""
    return (start > 0 and _IS_CJK.match(s, start - 1) is not None) or (
        end < len(s) and _IS_CJK.match(s, end) is not None
    )


def _space(m: re.Match[str]) -> str:
    return "" if _near_cjk(m.string, m.start(), m.end()) else " "


def _punct(m: re.Match[str]) -> str:
    return _HALF_TO_FULL[m.group(0)] if _near_cjk(m.string, m.start(), m.end()) else m.group(0)


def _get_converter() -> Any:
    """Build the OpenCC converter on first use (thread-safe) and reuse it."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified ones (OpenCC t2s); other characters pass through."""
    if not text:
        return ""
    return str(_get_converter().convert(text))


def normalize(text: str | None) -> str:
    """Return the canonical single-line form of ``text`` (see the module docstring for the rules)."""
    if not text:
        return ""
    # NFC first so that combining sequences compare equal; NFKC would also fold 。 and Chinese
    # punctuation into ASCII, which we do not want, so full-width folding is done by our own table.
    text = unicodedata.normalize("NFC", text)
    text = _TRANSLATED.sub(_translate, text)
    text = to_simplified(text)
    text = _WHITESPACE_RUN.sub(_space, text).strip()
    if _HALF_PUNCT.search(text):
        for _ in range(2):  # twice: a converted mark can make its neighbour "next to Chinese" too
            text = _HALF_PUNCT.sub(_punct, text)
        if " " in text:  # a space next to a mark that just became Chinese punctuation
            text = _WHITESPACE_RUN.sub(_space, text)
    return text


def compact(text: str | None) -> str:
    """Normalised text with all whitespace removed: the form of the training column ``文本``."""
    return normalize(text).replace(" ", "")
