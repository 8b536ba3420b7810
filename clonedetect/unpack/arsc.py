"""resources.arsc: the resource table that maps resource ids to values for every configuration.

Our own bounded reader rather than apkutils' ARSCParser (measured; see the unpack notes in the README): that
parser walks entries in file order instead of through the offset table, knows no sparse, 16-bit-offset or
compact entries (what aapt2 writes with --enable-sparse-encoding and for big tables), and its
config-resolving call is a stub, so apkutils finds icons by guessing file names. Android resolves everything
through ids and the offset table, and so do we: file paths come from the table, never from names.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from clonedetect.unpack.binres import (
    NO_INDEX,
    RES_STRING_POOL_TYPE,
    RES_TABLE_PACKAGE_TYPE,
    RES_TABLE_TYPE,
    RES_TABLE_TYPE_TYPE,
    TYPE_DYNAMIC_REFERENCE,
    TYPE_REFERENCE,
    TYPE_STRING,
    Chunk,
    ResFormatError,
    ResValue,
    StringPool,
    read_chunk,
    read_value,
    u16,
    u32,
)

FLAG_SPARSE = 0x01
FLAG_OFFSET16 = 0x02
ENTRY_FLAG_COMPLEX = 0x0001
ENTRY_FLAG_COMPACT = 0x0008
NO_OFFSET16 = 0xFFFF

DENSITIES = {
    120: "ldpi",
    160: "mdpi",
    213: "tvdpi",
    240: "hdpi",
    320: "xhdpi",
    480: "xxhdpi",
    640: "xxxhdpi",
    0xFFFE: "anydpi",
    0xFFFF: "nodpi",
}


@dataclass(frozen=True, slots=True)
class ResConfig:
    """The configuration a value applies to, reduced to what clonedetect reports."""

    locale: str  # aapt's form: '' (default), 'fr', 'zh-rCN', 'b+sr+Latn'
    density: int  # dpi; 0 = any, 0xFFFE = anydpi, 0xFFFF = nodpi
    sdk: int
    qualifier: str  # aapt's directory suffix, e.g. 'zh-rCN', 'xxhdpi-v4', 'anydpi-v26'


DEFAULT_CONFIG = ResConfig("", 0, 0, "")


def _unpack_code(raw: bytes, base: str) -> str:
    """A language or region code of ResTable_config: two ASCII letters, or three packed into 15 bits."""
    if raw[0] == 0:
        return ""
    if raw[0] & 0x80:
        first = raw[1] & 0x1F
        second = ((raw[1] & 0xE0) >> 5) | ((raw[0] & 0x03) << 3)
        third = (raw[0] & 0x7C) >> 2
        return "".join(chr(ord(base) + part) for part in (first, second, third))
    return raw.decode("latin-1").rstrip("\x00")


def _ascii(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("latin-1")


def parse_config(data: bytes, offset: int, limit: int) -> ResConfig:
    """ResTable_config at offset; fields past the declared size (older tables are shorter) read as zero."""
    size = u32(data, offset)
    if size < 8 or offset + size > limit:
        raise ResFormatError(f"config at {offset} has bad size {size}")
    raw = bytes(data[offset : offset + size]).ljust(64, b"\x00")
    mcc, mnc = struct.unpack_from("<HH", raw, 4)
    language = _unpack_code(raw[8:10], "a")
    region = _unpack_code(raw[10:12], "0")
    orientation = raw[12]
    density = struct.unpack_from("<H", raw, 14)[0]
    sdk = struct.unpack_from("<H", raw, 24)[0]
    screen_layout, ui_mode = raw[28], raw[29]
    smallest_width, width_dp, height_dp = struct.unpack_from("<HHH", raw, 30)
    script = _ascii(raw[36:40])
    variant = _ascii(raw[40:48])
    script_computed = bool(raw[52]) if size > 52 else False
    locale = _locale(language, region, "" if script_computed else script, variant)
    parts: list[str] = []
    if mcc:
        parts.append(f"mcc{mcc}")
    if mnc:
        parts.append(f"mnc{mnc}")
    if locale:
        parts.append(locale)
    parts.extend(_layout_parts(screen_layout, smallest_width, width_dp, height_dp))
    parts.extend({1: ["port"], 2: ["land"], 3: ["square"]}.get(orientation, []))
    ui_type = {2: "desk", 3: "car", 4: "television", 5: "appliance", 6: "watch", 7: "vrheadset"}
    if ui_mode & 0x0F in ui_type:
        parts.append(ui_type[ui_mode & 0x0F])
    parts.extend({0x10: ["notnight"], 0x20: ["night"]}.get(ui_mode & 0x30, []))
    if density:
        parts.append(DENSITIES.get(density, f"{density}dpi"))
    if sdk:
        parts.append(f"v{sdk}")
    return ResConfig(locale=locale, density=density, sdk=sdk, qualifier="-".join(parts))


def _locale(language: str, region: str, script: str, variant: str) -> str:
    if not language and not region:
        return ""
    if script or variant or len(language) == 3 or len(region) == 3:
        return "+".join(["b", *(part for part in (language or "und", script, region, variant) if part)])
    return f"{language}-r{region}" if region else language


def _layout_parts(screen_layout: int, smallest: int, width: int, height: int) -> list[str]:
    parts: list[str] = []
    direction = screen_layout & 0xC0
    if direction:
        parts.append("ldltr" if direction == 0x40 else "ldrtl")
    if smallest:
        parts.append(f"sw{smallest}dp")
    if width:
        parts.append(f"w{width}dp")
    if height:
        parts.append(f"h{height}dp")
    size = {1: "small", 2: "normal", 3: "large", 4: "xlarge"}.get(screen_layout & 0x0F)
    if size:
        parts.append(size)
    return parts


@dataclass(frozen=True, slots=True)
class ResEntry:
    """One value of one resource in one configuration."""

    res_id: int
    type_name: str
    key: str
    config: ResConfig
    value: ResValue | None  # None for a complex (bag) entry
    bag: tuple[tuple[int, ResValue], ...] = ()  # (attribute or index id, value) of a complex entry

    @property
    def name(self) -> str:
        return f"{self.type_name}/{self.key}"


@dataclass(slots=True)
class _TypeChunk:
    chunk: Chunk
    type_id: int
    flags: int
    entry_count: int
    entries_at: int  # absolute offset of the entries area
    offsets_at: int  # absolute offset of the offset table
    config: ResConfig
    sparse: list[tuple[int, int]] | None = None  # (entry index, offset) sorted, for FLAG_SPARSE


@dataclass(slots=True)
class _Package:
    package_id: int
    name: str
    type_names: StringPool
    keys: StringPool
    type_id_offset: int
    types: dict[int, list[_TypeChunk]] = field(default_factory=dict)


class ResourceTable:
    """A parsed resources.arsc. Values are decoded on request; ids are 0xPPTTEEEE."""

    def __init__(self, data: bytes, max_entries: int) -> None:
        self._data = data
        self._max_entries = max_entries
        self.strings: StringPool | None = None
        self.packages: dict[int, _Package] = {}
        self.warnings: list[str] = []
        self._parse()

    # -- parsing -------------------------------------------------------------------------------------------

    def _parse(self) -> None:
        data = self._data
        table = read_chunk(data, 0, len(data))
        if table.type != RES_TABLE_TYPE or table.header_size < 12:
            raise ResFormatError(f"not a resource table (chunk type 0x{table.type:04x})")
        offset = table.body
        while offset + 8 <= table.end:
            chunk = read_chunk(data, offset, table.end)
            if chunk.type == RES_STRING_POOL_TYPE and self.strings is None:
                self.strings = StringPool(data, chunk)
            elif chunk.type == RES_TABLE_PACKAGE_TYPE:
                self._parse_package(chunk)
            offset = chunk.end
        if self.strings is None:
            raise ResFormatError("resource table has no global string pool")

    def _parse_package(self, chunk: Chunk) -> None:
        data = self._data
        if chunk.header_size < 284:
            raise ResFormatError(f"package header at {chunk.offset} too short ({chunk.header_size})")
        package_id = u32(data, chunk.offset + 8)
        name = bytes(data[chunk.offset + 12 : chunk.offset + 268]).decode("utf-16-le", "replace")
        type_strings = u32(data, chunk.offset + 268)
        key_strings = u32(data, chunk.offset + 276)
        type_id_offset = u32(data, chunk.offset + 284) if chunk.header_size >= 288 else 0
        types_pool = StringPool(data, read_chunk(data, chunk.offset + type_strings, chunk.end))
        keys_pool = StringPool(data, read_chunk(data, chunk.offset + key_strings, chunk.end))
        package = _Package(package_id & 0xFF, name.split("\x00", 1)[0], types_pool, keys_pool, type_id_offset)
        if package.package_id in self.packages:
            # A table may split one package over several chunks; later chunks add types.
            package = self.packages[package.package_id]
        self.packages[package.package_id] = package
        offset = chunk.body
        entries = 0
        while offset + 8 <= chunk.end:
            try:
                inner = read_chunk(data, offset, chunk.end)
            except ResFormatError as error:
                self.warnings.append(f"package {package.name}: {error}; rest of the package skipped")
                return
            if inner.type == RES_TABLE_TYPE_TYPE:
                try:
                    type_chunk = self._parse_type(inner)
                except (ResFormatError, struct.error, IndexError) as error:
                    self.warnings.append(f"type chunk at {inner.offset} skipped: {error}")
                else:
                    entries += type_chunk.entry_count
                    if entries > self._max_entries:
                        self.warnings.append(
                            f"over {self._max_entries} resource entries; the rest are skipped"
                        )
                        return
                    package.types.setdefault(type_chunk.type_id, []).append(type_chunk)
            offset = inner.end

    def _parse_type(self, chunk: Chunk) -> _TypeChunk:
        data = self._data
        if chunk.header_size < 20 + 8:
            raise ResFormatError("type header too short")
        type_id, flags = data[chunk.offset + 8], data[chunk.offset + 9]
        entry_count = u32(data, chunk.offset + 12)
        entries_start = u32(data, chunk.offset + 16)
        config = parse_config(data, chunk.offset + 20, chunk.body)
        width = 2 if flags & FLAG_OFFSET16 else 4
        if type_id == 0 or entry_count * width > chunk.size - chunk.header_size or entries_start > chunk.size:
            raise ResFormatError(f"type {type_id}: {entry_count} entries do not fit the chunk")
        type_chunk = _TypeChunk(
            chunk=chunk,
            type_id=type_id,
            flags=flags,
            entry_count=entry_count,
            entries_at=chunk.offset + entries_start,
            offsets_at=chunk.body,
            config=config,
        )
        if flags & FLAG_SPARSE:
            # ResTable_sparseTypeEntry {u16 idx; u16 offset / 4}, sorted by idx
            pairs = struct.unpack_from(f"<{2 * entry_count}H", data, chunk.body)
            type_chunk.sparse = sorted(zip(pairs[0::2], (4 * o for o in pairs[1::2]), strict=True))
        return type_chunk

    # -- lookups -------------------------------------------------------------------------------------------

    def _package(self, res_id: int) -> _Package | None:
        package_id = res_id >> 24
        if package_id == 0 and len(self.packages) == 1:
            # a dynamic reference (shared-library id 0) means "this package"
            return next(iter(self.packages.values()))
        return self.packages.get(package_id)

    def type_name(self, package: _Package, type_id: int) -> str:
        return package.type_names.get_or(type_id - 1 - package.type_id_offset, f"type{type_id}")

    def _entry_offset(self, type_chunk: _TypeChunk, index: int) -> int | None:
        data = self._data
        if type_chunk.sparse is not None:
            position = bisect.bisect_left(type_chunk.sparse, (index, -1))
            if position < len(type_chunk.sparse) and type_chunk.sparse[position][0] == index:
                return type_chunk.entries_at + type_chunk.sparse[position][1]
            return None
        if index >= type_chunk.entry_count:
            return None
        if type_chunk.flags & FLAG_OFFSET16:
            relative = u16(data, type_chunk.offsets_at + 2 * index)
            return None if relative == NO_OFFSET16 else type_chunk.entries_at + 4 * relative
        relative = u32(data, type_chunk.offsets_at + 4 * index)
        return None if relative == NO_INDEX else type_chunk.entries_at + relative

    def _read_entry(self, package: _Package, type_chunk: _TypeChunk, index: int, at: int) -> ResEntry:
        data = self._data
        end = type_chunk.chunk.end
        if at + 8 > end:
            raise ResFormatError(f"entry at {at} runs past its chunk")
        size, flags = u16(data, at), u16(data, at + 2)
        res_id = (package.package_id << 24) | (type_chunk.type_id << 16) | index
        type_name = self.type_name(package, type_chunk.type_id)
        if flags & ENTRY_FLAG_COMPACT:
            # compact entry: {u16 key index; u16 flags with the data type in the high byte; u32 data}
            value = ResValue(flags >> 8, u32(data, at + 4))
            return ResEntry(res_id, type_name, package.keys.get_or(size), type_chunk.config, value)
        key = package.keys.get_or(u32(data, at + 4))
        if not flags & ENTRY_FLAG_COMPLEX:
            return ResEntry(res_id, type_name, key, type_chunk.config, read_value(data, at + size, end))
        if at + 16 > end:
            raise ResFormatError(f"complex entry at {at} runs past its chunk")
        count = u32(data, at + 12)
        if count > (end - at - size) // 12:
            raise ResFormatError(f"complex entry at {at} claims {count} items, more than fit")
        bag = tuple(
            (u32(data, at + size + 12 * i), read_value(data, at + size + 12 * i + 4, end))
            for i in range(count)
        )
        return ResEntry(res_id, type_name, key, type_chunk.config, None, bag)

    def entries(self, res_id: int) -> list[ResEntry]:
        """Every configuration's value of one resource (empty when the id is not in this table)."""
        package = self._package(res_id)
        if package is None:
            return []
        found: list[ResEntry] = []
        for type_chunk in package.types.get((res_id >> 16) & 0xFF, []):
            at = self._entry_offset(type_chunk, res_id & 0xFFFF)
            if at is None:
                continue
            try:
                found.append(self._read_entry(package, type_chunk, res_id & 0xFFFF, at))
            except (ResFormatError, struct.error, IndexError) as error:
                self.warnings.append(f"resource 0x{res_id:08x} ({type_chunk.config.qualifier}): {error}")
        return found

    def entries_of_type(self, type_name: str) -> Iterator[ResEntry]:
        """Every entry of one resource type ('string', 'array', ...) in every config, in table order."""
        for package in self.packages.values():
            for type_id, chunks in sorted(package.types.items()):
                if self.type_name(package, type_id) != type_name:
                    continue
                for type_chunk in chunks:
                    indexes = (
                        [index for index, _ in type_chunk.sparse]
                        if type_chunk.sparse is not None
                        else range(type_chunk.entry_count)
                    )
                    for index in indexes:
                        try:
                            at = self._entry_offset(type_chunk, index)
                            if at is not None:
                                yield self._read_entry(package, type_chunk, index, at)
                        except (ResFormatError, struct.error, IndexError) as error:
                            self.warnings.append(f"{type_name} entry {index}: {error}")

    def name_of(self, res_id: int) -> str:
        """'type/key' of a resource id, or '' when the table does not define it."""
        found = self.entries(res_id)
        return found[0].name if found else ""

    def string(self, value: ResValue) -> str | None:
        """The text of a string value (None for other types or a bad index)."""
        if value.type != TYPE_STRING or self.strings is None:
            return None
        try:
            return self.strings.get(value.data)
        except (ResFormatError, struct.error):
            return None


def is_reference(value: ResValue | None) -> bool:
    return value is not None and value.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE) and value.data != 0


def parse_table(data: bytes, max_entries: int) -> ResourceTable:
    """Parse resources.arsc; raises ResFormatError (or struct.error) when it is not a usable table."""
    try:
        return ResourceTable(data, max_entries)
    except (struct.error, IndexError) as error:
        raise ResFormatError(f"damaged resource table ({error})") from None
