"""Property lists (binary 'bplist00' and XML) and Apple '.strings' files, parsed with bounds.

Our own readers instead of plistlib: plistlib's binary reader recurses without a depth limit and expands
shared references, and we want one place that rejects XML entity declarations (the 'billion laughs' bomb)
and any internal DTD subset. Real Info.plist files carry only the public Apple DOCTYPE, which is allowed.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import struct
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from clonedetect.settings import Limits

APPLE_EPOCH = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
BPLIST_MAGIC = b"bplist00"
XML_LEAVES = {"string", "key", "integer", "real", "date", "data"}


class PlistError(ValueError):
    """Not a property list, or one over the limits."""


# -- binary --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Binary:
    data: bytes
    offsets: list[int]
    ref_size: int
    max_depth: int
    done: dict[int, Any] = field(default_factory=dict)
    open: set[int] = field(default_factory=set)

    def int_at(self, at: int, size: int) -> int:
        if at + size > len(self.data):
            raise PlistError(f"integer at {at} runs past the data")
        return int.from_bytes(self.data[at : at + size], "big", signed=size == 8)

    def length(self, marker: int, at: int) -> tuple[int, int]:
        """The object length in the marker's low nibble, or the int object that follows when it is 0xF."""
        length = marker & 0x0F
        if length != 0x0F:
            return length, at
        if at >= len(self.data) or self.data[at] >> 4 != 0x1:
            raise PlistError(f"bad length marker at {at}")
        size = 1 << (self.data[at] & 0x0F)
        return self.int_at(at + 1, size), at + 1 + size

    def object(self, ref: int, depth: int) -> Any:
        if ref in self.done:
            return self.done[ref]  # shared references are decoded once, never expanded again
        if ref >= len(self.offsets) or ref in self.open or depth > self.max_depth:
            raise PlistError(f"object {ref}: bad reference, cycle, or nesting over {self.max_depth}")
        self.open.add(ref)
        value = self.decode(self.offsets[ref], depth)
        self.open.discard(ref)
        self.done[ref] = value
        return value

    def decode(self, at: int, depth: int) -> Any:
        if at >= len(self.data):
            raise PlistError(f"object offset {at} past the data")
        marker = self.data[at]
        kind = marker >> 4
        if marker in (0x00, 0x0F):
            return None
        if marker in (0x08, 0x09):
            return marker == 0x09
        if kind == 0x1:
            return self.int_at(at + 1, 1 << (marker & 0x0F))
        if kind == 0x2:
            size = 1 << (marker & 0x0F)
            raw = self.data[at + 1 : at + 1 + size]
            if size not in (4, 8) or len(raw) != size:
                raise PlistError(f"bad real at {at}")
            return struct.unpack(">f" if size == 4 else ">d", raw)[0]
        if marker == 0x33:
            raw = self.data[at + 1 : at + 9]
            if len(raw) != 8:
                raise PlistError(f"bad date at {at}")
            try:
                return APPLE_EPOCH + dt.timedelta(seconds=struct.unpack(">d", raw)[0])
            except (OverflowError, ValueError):
                raise PlistError(f"date out of range at {at}") from None
        length, start = self.length(marker, at + 1)
        if kind in (0x4, 0x5, 0x6, 0x8):
            size = length * 2 if kind == 0x6 else (length + 1 if kind == 0x8 else length)
            raw = self.data[start : start + size]
            if len(raw) != size:
                raise PlistError(f"object at {at} runs past the data")
            if kind == 0x4:
                return raw
            if kind == 0x5:
                return raw.decode("latin-1")
            if kind == 0x6:
                return raw.decode("utf-16-be", "replace")
            return int.from_bytes(raw, "big")  # UID
        if kind in (0xA, 0xC, 0xD):
            count = length * (2 if kind == 0xD else 1)
            refs = [self.int_at(start + i * self.ref_size, self.ref_size) for i in range(count)]
            if kind == 0xD:
                keys = [self.object(ref, depth + 1) for ref in refs[:length]]
                values = [self.object(ref, depth + 1) for ref in refs[length:]]
                if not all(isinstance(key, str) for key in keys):
                    raise PlistError(f"dictionary at {at} has a non-string key")
                return dict(zip(keys, values, strict=True))
            return [self.object(ref, depth + 1) for ref in refs]
        raise PlistError(f"unknown object marker 0x{marker:02x} at {at}")


def _parse_binary(data: bytes, max_depth: int) -> Any:
    if len(data) < 40:
        raise PlistError("binary plist too short")
    offset_size, ref_size, count, top, table = struct.unpack(">6xBBQQQ", data[-32:])
    if offset_size not in (1, 2, 4, 8) or ref_size not in (1, 2, 4, 8):
        raise PlistError("binary plist trailer has bad integer sizes")
    if count == 0 or top >= count or table + count * offset_size > len(data) - 32:
        raise PlistError("binary plist trailer does not fit the data")
    offsets = [
        int.from_bytes(data[table + i * offset_size : table + (i + 1) * offset_size], "big")
        for i in range(count)
    ]
    return _Binary(data, offsets, ref_size, max_depth).object(top, 0)


# -- XML -----------------------------------------------------------------------------------------------------


class _XmlBuilder:
    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.stack: list[Any] = []  # open dicts / arrays
        self.keys: list[str | None] = []  # pending key per open dict
        self.text: list[str] = []
        self.root: Any = None
        self.has_root = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.text = []
        if name in ("dict", "array"):
            if len(self.stack) >= self.max_depth:
                raise PlistError(f"plist nested deeper than {self.max_depth}")
            container: Any = {} if name == "dict" else []
            self.stack.append(container)
            self.keys.append(None)

    def end(self, name: str) -> None:
        text = "".join(self.text)
        self.text = []
        if name == "key":
            if not self.stack or not isinstance(self.stack[-1], dict):
                raise PlistError("<key> outside a <dict>")
            self.keys[-1] = text
            return
        if name in ("dict", "array"):
            self.keys.pop()
            self.add(self.stack.pop())
        elif name in XML_LEAVES or name in ("true", "false"):
            self.add(_leaf(name, text))

    def add(self, value: Any) -> None:
        if not self.stack:
            self.root, self.has_root = value, True
            return
        container = self.stack[-1]
        if isinstance(container, list):
            container.append(value)
        else:
            key = self.keys[-1]
            if key is None:
                raise PlistError("dictionary value without a <key>")
            container[key] = value
            self.keys[-1] = None

    def characters(self, data: str) -> None:
        self.text.append(data)


def _leaf(name: str, text: str) -> Any:
    try:
        if name == "integer":
            return int(text.strip(), 0) if text.strip().lower().startswith("0x") else int(text.strip())
        if name == "real":
            return float(text.strip())
        if name == "date":
            return dt.datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        if name == "data":
            return base64.b64decode(re.sub(r"\s+", "", text))
    except ValueError as error:
        raise PlistError(f"bad <{name}> value ({error})") from None
    if name in ("true", "false"):
        return name == "true"
    return text


def _refuse(*_: object) -> None:
    raise PlistError("XML with entity declarations or an internal DTD subset is refused")


def _parse_xml(data: bytes, max_depth: int) -> Any:
    builder = _XmlBuilder(max_depth)
    parser = expat.ParserCreate()
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.characters
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse

    def doctype(name: str, system: str | None, public: str | None, internal_subset: bool) -> None:
        if internal_subset:
            _refuse()

    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except PlistError:
        raise
    except (expat.ExpatError, LookupError, ValueError) as error:  # LookupError: unknown declared encoding
        raise PlistError(f"XML plist unreadable ({error})") from None
    if not builder.has_root:
        raise PlistError("XML plist has no value")
    return builder.root


def parse_plist(data: bytes, limits: Limits) -> Any:
    """A binary or XML property list -> dict / list / str / int / float / bool / bytes / datetime."""
    if len(data) > limits.max_text_bytes:
        raise PlistError(f"plist of {len(data)} bytes over the limit {limits.max_text_bytes}")
    if data.startswith(BPLIST_MAGIC):
        return _parse_binary(data, limits.max_depth)
    return _parse_xml(data, limits.max_depth)


# -- .strings ------------------------------------------------------------------------------------------------


class StringsFormatError(ValueError):
    """A .strings file that stops parsing part way; `pairs` holds what was read before the problem."""

    def __init__(self, message: str, pairs: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.pairs = pairs


def decode_text(data: bytes) -> str:
    """.strings text: UTF-16 with BOM (Xcode's default), UTF-8 with or without BOM, or BOM-less UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        return data.decode("utf-16-le", "replace")
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        return data.decode("utf-16-be", "replace")
    return data.decode("utf-8", "replace")


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", "a": "\a", "b": "\b", "f": "\f"}
UNQUOTED = re.compile(r"[A-Za-z0-9_$+/:.\-]+")


class _StringsLexer:
    """Tokens of the old-style (OpenStep) plist dictionary that .strings files are."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def skip(self) -> None:
        text = self.text
        while self.at < len(text):
            if text[self.at].isspace() or text[self.at] == "\ufeff":
                self.at += 1
            elif text.startswith("/*", self.at):
                end = text.find("*/", self.at + 2)
                self.at = len(text) if end < 0 else end + 2
            elif text.startswith("//", self.at):
                end = text.find("\n", self.at)
                self.at = len(text) if end < 0 else end + 1
            else:
                return

    def expect(self, char: str) -> bool:
        self.skip()
        if self.text.startswith(char, self.at):
            self.at += 1
            return True
        return False

    def token(self) -> str:
        self.skip()
        if self.text.startswith('"', self.at):
            return self.quoted()
        match = UNQUOTED.match(self.text, self.at)
        if match is None:
            raise ValueError(f"expected a string at offset {self.at}")
        self.at = match.end()
        return match.group()

    def quoted(self) -> str:
        text = self.text
        self.at += 1
        parts: list[str] = []
        while self.at < len(text):
            char = text[self.at]
            if char == '"':
                self.at += 1
                return "".join(parts)
            if char != "\\":
                end = self.at
                while end < len(text) and text[end] not in '"\\':
                    end += 1
                parts.append(text[self.at : end])
                self.at = end
                continue
            parts.append(self.escape())
        raise ValueError("unterminated string")

    def escape(self) -> str:
        text = self.text
        code = text[self.at + 1 : self.at + 2]
        if code in ("U", "u") and re.fullmatch(r"[0-9A-Fa-f]{4}", text[self.at + 2 : self.at + 6]):
            self.at += 6
            return chr(int(text[self.at - 4 : self.at], 16))
        octal = re.match(r"[0-7]{1,3}", text[self.at + 1 : self.at + 4])
        if octal:
            self.at += 1 + len(octal.group())
            return chr(int(octal.group(), 8))
        self.at += 2
        return ESCAPES.get(code, code)


def _merge_surrogates(text: str) -> str:
    """\\Ud83d\\Ude00 escapes give surrogate halves; join them into the character they encode."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def parse_strings_file(data: bytes, limits: Limits) -> list[tuple[str, str]]:
    """(key, value) pairs of a .strings file in file order: text (UTF-16/UTF-8, comments, escapes) or a
    binary/XML plist dictionary. Raises StringsFormatError, carrying the pairs read so far, when the file
    breaks off; PlistError when it is a plist that cannot be read or is over the limits."""
    if len(data) > limits.max_text_bytes:
        raise PlistError(f".strings file of {len(data)} bytes over the limit {limits.max_text_bytes}")
    stripped = data.lstrip()
    if data.startswith(BPLIST_MAGIC) or stripped.startswith((b"<?xml", b"<plist", b"<!DOCTYPE")):
        value = parse_plist(data, limits)
        if not isinstance(value, dict):
            raise PlistError(".strings plist is not a dictionary")
        return [(key, item) for key, item in value.items() if isinstance(item, str)][: limits.max_strings]
    lexer = _StringsLexer(decode_text(data))
    pairs: list[tuple[str, str]] = []
    try:
        while True:
            lexer.skip()
            if lexer.at >= len(lexer.text) or len(pairs) >= limits.max_strings:
                return pairs
            key = _merge_surrogates(lexer.token())
            value = _merge_surrogates(lexer.token()) if lexer.expect("=") else key
            if not lexer.expect(";"):
                raise ValueError(f"expected ';' at offset {lexer.at}")
            pairs.append((key, value))
    except ValueError as error:
        message = f".strings file unreadable after {len(pairs)} entries ({error})"
        raise StringsFormatError(message, pairs) from None
