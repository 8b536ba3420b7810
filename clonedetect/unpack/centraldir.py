"""The central directory of a zip archive, parsed the way Android's libziparchive reads it: names are bytes.

Python's zipfile refuses archives that Android installs: one member name that is not valid UTF-8 under the
UTF-8 flag, or a 'version needed' above 6.3, makes it reject the whole archive, which let a pirate turn any
APK into 'unusable input'. Here such a name is decoded with replacement characters and the archive still
opens. Only the end records and the directory are read; member data is read by safezip.py.

Bounded: the directory is refused before it is read when it is larger than the caller allows, and a record
that runs past the directory ends the walk (the records before it are kept, with a problem noted).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO

from clonedetect.errors import InputError

END_RECORD = struct.Struct("<4sHHHHIIH")
END_MAGIC = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sIQI")
ZIP64_LOCATOR_MAGIC = b"PK\x06\x07"
ZIP64_END = struct.Struct("<4sQHHIIQQQQ")
ZIP64_END_MAGIC = b"PK\x06\x06"
RECORD = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
RECORD_MAGIC = b"PK\x01\x02"
MAX_COMMENT = 0xFFFF
ZIP64_EXTRA = 0x0001
U32_MARK = 0xFFFFFFFF
UTF8_FLAG = 0x800


@dataclass(frozen=True, slots=True)
class CentralRecord:
    """One member as the central directory declares it."""

    name: str  # decoded (UTF-8 as Android reads it; cp437 for legacy names that are not UTF-8)
    flags: int
    method: int
    compressed_size: int
    size: int
    header_offset: int  # of the local header, corrected for data prepended to the archive
    create_system: int
    external_attr: int
    name_is_valid: bool = True  # False when the UTF-8 flag is set on bytes that are not UTF-8


@dataclass(slots=True)
class CentralDirectory:
    start: int  # where the directory begins in the file (the APK Signing Block ends here)
    records: list[CentralRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _file_size(file: BinaryIO) -> int:
    file.seek(0, 2)
    return file.tell()


def _end_record(file: BinaryIO, size: int, label: str) -> tuple[int, tuple[int, ...]]:
    """(offset, fields) of the end of central directory record: the last one in the final 64 KiB."""
    tail_size = min(size, END_RECORD.size + MAX_COMMENT)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(END_MAGIC)
    while at >= 0 and at + END_RECORD.size > len(tail):
        at = tail.rfind(END_MAGIC, 0, at)
    if at < 0:
        raise InputError(f"{label}: not a readable zip archive (no end of central directory record)")
    return size - tail_size + at, END_RECORD.unpack_from(tail, at)


def _zip64_end(file: BinaryIO, end_offset: int, label: str) -> tuple[int, int, int] | None:
    """(record offset, directory size, directory offset) from the zip64 end record, when there is one."""
    if end_offset < ZIP64_LOCATOR.size:
        return None
    file.seek(end_offset - ZIP64_LOCATOR.size)
    locator = file.read(ZIP64_LOCATOR.size)
    if len(locator) != ZIP64_LOCATOR.size or locator[:4] != ZIP64_LOCATOR_MAGIC:
        return None
    record_offset = end_offset - ZIP64_LOCATOR.size - ZIP64_END.size
    file.seek(max(record_offset, 0))
    record = file.read(ZIP64_END.size)
    if record_offset < 0 or len(record) != ZIP64_END.size or record[:4] != ZIP64_END_MAGIC:
        raise InputError(f"{label}: not a readable zip archive (damaged zip64 end record)")
    fields = ZIP64_END.unpack(record)
    return record_offset, fields[8], fields[9]


def read_central_directory(file: BinaryIO, max_bytes: int, label: str) -> CentralDirectory:
    """The archive's member records; InputError when it has no readable central directory."""
    size = _file_size(file)
    end_offset, end = _end_record(file, size, label)
    directory_size, directory_offset = end[5], end[6]
    directory_end = end_offset
    zip64 = _zip64_end(file, end_offset, label)
    if zip64 is not None:
        directory_end, directory_size, directory_offset = zip64
    if directory_size > max_bytes:
        raise InputError(f"{label}: central directory of {directory_size} bytes, too big for the entry limit")
    # Data prepended to the archive (a self-extractor stub) shifts every offset by the same amount.
    shift = directory_end - directory_size - directory_offset
    start = directory_offset + shift
    if start < 0 or directory_offset < 0:
        raise InputError(f"{label}: not a readable zip archive (central directory outside the file)")
    file.seek(start)
    data = file.read(directory_size)
    if len(data) != directory_size:
        raise InputError(f"{label}: not a readable zip archive (truncated central directory)")
    directory = CentralDirectory(start=start)
    _parse_records(data, shift, directory)
    if not directory.records and directory_size:
        raise InputError(f"{label}: not a readable zip archive ({directory.problems[0]})")
    return directory


def _parse_records(data: bytes, shift: int, directory: CentralDirectory) -> None:
    at = 0
    while at < len(data):
        if at + RECORD.size > len(data) or data[at : at + 4] != RECORD_MAGIC:
            directory.problems.append(
                f"damaged central directory record at offset {at}; {len(directory.records)} entries read"
            )
            return
        fields = RECORD.unpack_from(data, at)
        name_length, extra_length, comment_length = fields[12], fields[13], fields[14]
        name_start = at + RECORD.size
        extra_start = name_start + name_length
        end = extra_start + extra_length + comment_length
        if end > len(data):
            directory.problems.append(
                f"central directory record at offset {at} runs past the directory; "
                f"{len(directory.records)} entries read"
            )
            return
        raw_name = data[name_start:extra_start]
        compressed, size, offset = _zip64_sizes(
            data[extra_start : extra_start + extra_length], fields[10], fields[11], fields[18]
        )
        name, valid = decode_name(raw_name, fields[5])
        directory.records.append(
            CentralRecord(
                name=name,
                flags=fields[5],
                method=fields[6],
                compressed_size=compressed,
                size=size,
                header_offset=offset + shift,
                create_system=fields[2],
                external_attr=fields[17],
                name_is_valid=valid,
            )
        )
        at = end


def _zip64_sizes(extra: bytes, compressed: int, size: int, offset: int) -> tuple[int, int, int]:
    """Sizes and offset, taking each field at 0xFFFFFFFF from the zip64 extra field (in its fixed order)."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4 : at + 4 + length]
        if kind == ZIP64_EXTRA:
            values = [value for (value,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
            if size == U32_MARK and values:
                size = values.pop(0)
            if compressed == U32_MARK and values:
                compressed = values.pop(0)
            if offset == U32_MARK and values:
                offset = values.pop(0)
            break
        at += 4 + length
    return compressed, size, offset


def decode_name(raw: bytes, flags: int) -> tuple[str, bool]:
    """(name, valid): UTF-8 whether or not the flag says so (Android and iOS read names as UTF-8); legacy
    names that are not UTF-8 as cp437, which maps every byte; flagged names that are not UTF-8 with
    replacement characters, and valid=False."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        if flags & UTF8_FLAG:
            return raw.decode("utf-8", "replace"), False
        return raw.decode("cp437"), True
