"""Bounded decoding of text bytes: BOM, UTF-8, UTF-16 without BOM, GB18030, and a lossless last resort.

Game text files come in every encoding a studio's tools produce: UTF-8 with and without BOM, UTF-16 from
Xcode (.strings), GBK/GB18030 from Chinese Windows editors. A pirate's file may be anything at all, so
decoding never fails: the last resort (Latin-1) maps every byte to a character.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    truncated: bool  # the input was longer than the limit; only its head was decoded


def decode_text(data: bytes, max_bytes: int) -> DecodedText:
    """Decode at most max_bytes of data, choosing the encoding from a BOM or from the bytes themselves."""
    truncated = len(data) > max_bytes
    head = data[:max_bytes] if truncated else data
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return DecodedText(_decode_tolerant(head[len(bom) :], encoding, truncated), encoding, truncated)
    utf16 = _utf16_without_bom(head[:SNIFF_BYTES])
    if utf16:
        return DecodedText(_decode_tolerant(head, utf16, truncated), utf16, truncated)
    for encoding in ("utf-8", "gb18030"):
        text = _decode_strict(head, encoding, truncated)
        if text is not None:
            return DecodedText(text, encoding, truncated)
    return DecodedText(head.decode("latin-1"), "latin-1", truncated)


def looks_like_text(data: bytes) -> bool:
    """True when the head of data is plausibly text (no NUL bytes outside UTF-16, few control characters)."""
    sample = data[:SNIFF_BYTES]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in BOMS) or _utf16_without_bom(sample):
        return True
    if b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if byte < 0x09 or 0x0E <= byte < 0x20)
    return controls * 100 <= len(sample)


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text of mostly ASCII/Latin characters has a NUL in every other byte."""
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    even_zero = even.count(0) / len(even)
    odd_zero = odd.count(0) / len(odd)
    if odd_zero > 0.6 and even_zero < 0.1:
        return "utf-16-le"
    if even_zero > 0.6 and odd_zero < 0.1:
        return "utf-16-be"
    return None


def _decode_strict(data: bytes, encoding: str, truncated: bool) -> str | None:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        # final=False when truncated: a multi-byte character cut at the limit is dropped, not an error
        return decoder.decode(data, final=not truncated)
    except UnicodeDecodeError:
        return None


def _decode_tolerant(data: bytes, encoding: str, truncated: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    return decoder.decode(data, final=not truncated)
