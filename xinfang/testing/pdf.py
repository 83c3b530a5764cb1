"""Read back what the PDF renderer (xinfang.core.pdf_layout) wrote: its pages and their text.

A small reader for reportlab's own output only (no PDF library is a dependency): page content
streams, ASCII85- and Flate-encoded, whose strings are in the STSong-Light font's UCS-2 encoding.
"""

from __future__ import annotations

import base64
import re
import zlib

_STREAM = re.compile(rb"<<(?P<dict>[^<>]*)>>\s*stream\r?\n(?P<data>.*?)\s*endstream", re.S)
_SHOWN = re.compile(rb"\((?P<text>(?:\\.|[^\\)])*)\)\s*Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def _decoded(header: bytes, data: bytes) -> bytes:
    if b"ASCII85Decode" in header:
        data = base64.a85decode(data.strip().removesuffix(b"~>"), ignorechars=b" \n\r\t")
    if b"FlateDecode" in header:
        data = zlib.decompress(data)
    return data


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    index = 0
    while index < len(raw):
        char = raw[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        following = raw[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            index += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def page_texts(data: bytes) -> list[str]:
    """The text of every page, in order: the strings each page's content stream shows, joined."""
    pages = []
    for match in _STREAM.finditer(data):
        content = _decoded(match.group("dict"), match.group("data"))
        if b" Tj" not in content and b"BT" not in content:
            continue
        shown = [_unescape(m.group("text")).decode("utf-16-be") for m in _SHOWN.finditer(content)]
        pages.append("".join(shown))
    return pages
