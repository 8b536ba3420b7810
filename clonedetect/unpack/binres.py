"""Building blocks of Android's binary resource formats (resources.arsc and binary XML): chunk headers,
string pools and typed values, as laid out in androidfw's ResourceTypes.h.

Every read is bounds-checked against the enclosing chunk: packers and protectors tamper with these files on
purpose, so a bad offset or count raises ResFormatError instead of reading past the data or allocating
what a forged count asks for.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

CHUNK_HEADER = struct.Struct("<HHI")

# ResChunk_header types
RES_STRING_POOL_TYPE = 0x0001
RES_TABLE_TYPE = 0x0002
RES_XML_TYPE = 0x0003
RES_XML_START_NAMESPACE_TYPE = 0x0100
RES_XML_END_NAMESPACE_TYPE = 0x0101
RES_XML_START_ELEMENT_TYPE = 0x0102
RES_XML_END_ELEMENT_TYPE = 0x0103
RES_XML_CDATA_TYPE = 0x0104
RES_XML_RESOURCE_MAP_TYPE = 0x0180
RES_TABLE_PACKAGE_TYPE = 0x0200
RES_TABLE_TYPE_TYPE = 0x0201
RES_TABLE_TYPE_SPEC_TYPE = 0x0202

# Res_value data types
TYPE_NULL = 0x00
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_DYNAMIC_REFERENCE = 0x07
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12

NO_INDEX = 0xFFFFFFFF
UTF8_FLAG = 0x100


class ResFormatError(ValueError):
    """A binary resource file that does not follow the format (damaged or deliberately malformed)."""


@dataclass(frozen=True, slots=True)
class Chunk:
    type: int
    header_size: int
    size: int
    offset: int  # of the chunk header within the file

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def body(self) -> int:
        return self.offset + self.header_size


def read_chunk(data: bytes, offset: int, limit: int) -> Chunk:
    """The chunk header at offset; the chunk must lie within [offset, limit)."""
    if offset < 0 or offset + CHUNK_HEADER.size > limit:
        raise ResFormatError(f"chunk header at {offset} runs past the end ({limit})")
    kind, header_size, size = CHUNK_HEADER.unpack_from(data, offset)
    if header_size < CHUNK_HEADER.size or size < header_size or offset + size > limit:
        raise ResFormatError(f"chunk 0x{kind:04x} at {offset}: bad sizes (header {header_size}, size {size})")
    return Chunk(kind, header_size, size, offset)


def u8(data: bytes, offset: int) -> int:
    return data[offset]


def u16(data: bytes, offset: int) -> int:
    value: int = struct.unpack_from("<H", data, offset)[0]
    return value


def u32(data: bytes, offset: int) -> int:
    value: int = struct.unpack_from("<I", data, offset)[0]
    return value


@dataclass(frozen=True, slots=True)
class ResValue:
    """A typed value (Res_value): a string-pool index, a resource reference, an integer, a colour..."""

    type: int
    data: int

    @property
    def is_reference(self) -> bool:
        return self.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE) and self.data != 0


def read_value(data: bytes, offset: int, limit: int) -> ResValue:
    """A Res_value {size u16, res0 u8, dataType u8, data u32} at offset."""
    if offset + 8 > limit:
        raise ResFormatError(f"value at {offset} runs past its chunk")
    return ResValue(data[offset + 3], u32(data, offset + 4))


def format_value(value: ResValue) -> str:
    """A non-string typed value as aapt prints it: '@0x7f010000', '42', 'true', '#ff00ff00'."""
    if value.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
        return f"@0x{value.data:08x}"
    if value.type == TYPE_ATTRIBUTE:
        return f"?0x{value.data:08x}"
    if value.type == TYPE_INT_DEC:
        return str(struct.unpack("<i", struct.pack("<I", value.data))[0])
    if value.type == TYPE_INT_HEX:
        return f"0x{value.data:x}"
    if value.type == TYPE_INT_BOOLEAN:
        return "true" if value.data else "false"
    if value.type == TYPE_FLOAT:
        return repr(struct.unpack("<f", struct.pack("<I", value.data))[0])
    if 0x1C <= value.type <= 0x1F:
        return f"#{value.data:08x}"
    return f"0x{value.data:08x}"


def _decode_utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # aapt wrote supplementary characters as CESU-8 (surrogate pairs, each UTF-8 encoded) for years
        text = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class StringPool:
    """A ResStringPool: strings decoded on demand (a big table holds hundreds of thousands)."""

    def __init__(self, data: bytes, chunk: Chunk) -> None:
        if chunk.type != RES_STRING_POOL_TYPE or chunk.header_size < 28:
            raise ResFormatError(f"string pool expected at {chunk.offset}")
        self._data = data
        self._end = chunk.end
        count = u32(data, chunk.offset + 8)
        flags = u32(data, chunk.offset + 16)
        strings_start = u32(data, chunk.offset + 20)
        self._utf8 = bool(flags & UTF8_FLAG)
        self._offsets_at = chunk.body
        if count > (chunk.size - chunk.header_size) // 4:
            raise ResFormatError(f"string pool at {chunk.offset} claims {count} strings, more than fit")
        self._count = count
        self._strings_at = chunk.offset + strings_start
        self._cache: dict[int, str] = {}

    def __len__(self) -> int:
        return self._count

    def get(self, index: int) -> str:
        """String number index; ResFormatError when the index or its data is out of bounds."""
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        if not 0 <= index < self._count:
            raise ResFormatError(f"string index {index} out of range ({self._count})")
        start = self._strings_at + u32(self._data, self._offsets_at + 4 * index)
        text = self._read_utf8(start) if self._utf8 else self._read_utf16(start)
        self._cache[index] = text
        return text

    def get_or(self, index: int, default: str = "") -> str:
        try:
            return self.get(index)
        except (ResFormatError, struct.error):
            return default

    def _read_utf8(self, at: int) -> str:
        data = self._data
        at = self._skip_utf8_length(at)  # length in UTF-16 units, not needed
        length = data[at]
        at += 1
        if length & 0x80:
            length = ((length & 0x7F) << 8) | data[at]
            at += 1
        if at + length > self._end:
            raise ResFormatError(f"string at {at} runs past its pool")
        return _decode_utf8(bytes(data[at : at + length]))

    def _skip_utf8_length(self, at: int) -> int:
        if at + 2 > self._end:
            raise ResFormatError(f"string at {at} runs past its pool")
        return at + (2 if self._data[at] & 0x80 else 1)

    def _read_utf16(self, at: int) -> str:
        if at + 2 > self._end:
            raise ResFormatError(f"string at {at} runs past its pool")
        length = u16(self._data, at)
        at += 2
        if length & 0x8000:
            length = ((length & 0x7FFF) << 16) | u16(self._data, at)
            at += 2
        if at + 2 * length > self._end:
            raise ResFormatError(f"string at {at} runs past its pool")
        return bytes(self._data[at : at + 2 * length]).decode("utf-16-le", "replace")
