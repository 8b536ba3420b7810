"""The only code in clonedetect that reads zip archives (APK, XAPK, APKS, IPA, OBB, nested archives).

The central directory is parsed by centraldir.py and the member data read from the local header, the way
Android's libziparchive does, so that what Android installs we can analyse:
- the general-purpose 'encrypted' bit set on plain members (a classic anti-unpacker trick) is ignored;
- a local header whose name or flags disagree with the central directory is tolerated;
- duplicate names are kept: the first is read under its name, later ones as 'name~dup2', with a warning;
- a name that is not valid UTF-8 under the UTF-8 flag is read with replacement characters, with a warning.

Hostile archives are bounded: member count, declared and actual uncompressed size per member and in total,
compression ratio, and every read stops at the declared size. A member whose data disagree with that size
(a deflate stream that goes on past it, or ends before its compressed data do; stored data longer than
declared) is read to the declared size with one warning: Android's reader refuses such a member, so what
it shows a user is not what we read, a sign of tampering. CRC-32s are not checked, as Android does not (its
libziparchive has them switched off): a wrong CRC changes nothing Android shows. Members whose data overlap
an earlier member's (the 'overlapping files' zip bomb, which defeats the ratio check by sharing one
compressed kernel among thousands of entries) are skipped. Names are data: normalised to '/'-separated
relative paths for reporting, never used to write anything to disk.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from clonedetect.errors import EntryError, InputError
from clonedetect.model import AnalysisWarning, Entry
from clonedetect.settings import Limits
from clonedetect.unpack.centraldir import CentralRecord, read_central_directory

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20
# Small members compress far better than 200:1 legitimately (a 20 KB file of spaces); the ratio limit only
# applies to members big enough to hurt.
RATIO_EXEMPT_BYTES = 1 << 20
# Average central-directory record size we accept per allowed entry (46 fixed bytes + name + extra).
MAX_RECORD_BYTES = 512
APK_SIG_BLOCK_MAGIC = b"APK Sig Block 42"
# Compressed bytes inflated past the declared size to tell whether the deflate stream ends there: a stream
# that goes on yields a byte at once, but one of empty blocks yields nothing, so the look is bounded.
PROBE_BYTES = 1 << 16


@dataclass(frozen=True, slots=True)
class Member:
    name: str  # normalised, unique within the archive
    raw_name: str
    size: int  # declared uncompressed size
    compressed_size: int
    method: int
    header_offset: int
    is_dir: bool
    is_symlink: bool


def normalise_name(raw: str) -> str:
    """A zip name as a safe '/'-separated relative path: no drive, no root, no '..', no empty parts."""
    name = raw.replace("\\", "/")
    if len(name) >= 2 and name[1] == ":":
        name = name[2:]
    # split by hand: PurePosixPath keeps a leading '//' (a UNC-style '\\\\server\\share' name) as a root part
    parts = [part for part in name.split("/") if part not in (".", "..", "")]
    return "/".join(parts)


def _is_symlink(record: CentralRecord) -> bool:
    unix_mode = record.external_attr >> 16
    return record.create_system == 3 and (unix_mode & 0o170000) == 0o120000


class SafeZip:
    """A bounded, tolerant, read-only view of one zip archive."""

    def __init__(self, file: BinaryIO, limits: Limits, label: str) -> None:
        self._file = file
        self._size = file.seek(0, io.SEEK_END)
        self._limits = limits
        self._label = label
        self.warnings: list[AnalysisWarning] = []  # found while opening the archive
        self._read_warnings: list[AnalysisWarning] = []  # found while reading members (take_read_warnings)
        self._read_warned: set[str] = set()  # members already warned about: one warning however often read
        try:
            # Refused before it is read when too big for max_entries: every record becomes an object, so a
            # forged directory of millions of tiny records would exhaust memory before the entry limit.
            directory = read_central_directory(file, limits.max_entries * MAX_RECORD_BYTES, label)
        except OSError as error:
            raise InputError(f"{label}: not a readable zip archive ({error})") from None
        # Where the central directory starts (after any data prepended to the archive): the APK Signing
        # Block ends right there.
        self.central_directory_offset: int = directory.start
        for problem in directory.problems:
            self._warn(label, problem)
        records = directory.records
        if not records:
            raise InputError(f"{label}: the zip archive has no entries")
        if len(records) > limits.max_entries:
            self._warn(
                label, f"{len(records)} entries, over the limit of {limits.max_entries}; the rest are skipped"
            )
            records = records[: limits.max_entries]
        self.members: dict[str, Member] = {}
        for record in records:
            self._add(record)
        self._drop_overlapping()
        self._apply_total_limit()

    def _warn(self, path: str, message: str) -> None:
        self.warnings.append(AnalysisWarning(path, message))

    def _warn_read(self, name: str, message: str) -> None:
        if name not in self._read_warned:
            self._read_warned.add(name)
            self._read_warnings.append(AnalysisWarning(name, message))

    def take_read_warnings(self) -> list[AnalysisWarning]:
        """The warnings about members read since the last call (data that disagree with their declared
        size), each member at most once; `warnings` holds those found when the archive was opened."""
        taken, self._read_warnings = self._read_warnings, []
        return taken

    def _add(self, record: CentralRecord) -> None:
        raw = record.name
        name = normalise_name(raw)
        if name != raw.rstrip("/"):
            self._warn(
                name or raw[:200], f"unsafe entry name {raw[:200]!r} normalised (never written to disk)"
            )
        if not name:
            return
        if not record.name_is_valid:
            self._warn(
                name, "entry name is not valid UTF-8 although flagged so; undecodable bytes shown as U+FFFD"
            )
        if name in self.members:
            copy = 2
            while f"{name}~dup{copy}" in self.members:
                copy += 1
            self._warn(name, f"duplicate entry name; copy {copy} analysed as {name}~dup{copy}")
            name = f"{name}~dup{copy}"
        self.members[name] = Member(
            name=name,
            raw_name=raw,
            size=record.size,
            compressed_size=record.compressed_size,
            method=record.method,
            header_offset=record.header_offset,
            is_dir=raw.endswith("/"),
            is_symlink=_is_symlink(record),
        )

    def _drop_overlapping(self) -> None:
        """Skip members whose data start inside an earlier member's: in a well-formed archive every member
        occupies its own bytes (a local header of at least 30 bytes, then its compressed data), so an overlap
        can only be a forged directory pointing many entries at one compressed kernel."""
        end = -1
        owner = ""
        for member in sorted(self.members.values(), key=lambda m: (m.header_offset, m.name)):
            if member.is_dir:
                continue
            if member.header_offset < end:
                del self.members[member.name]
                self._warn(
                    member.name, f"data overlaps entry {owner[:200]!r} (overlapping-entry zip bomb?); skipped"
                )
                continue
            end = member.header_offset + LOCAL_HEADER.size + member.compressed_size
            owner = member.name

    def _apply_total_limit(self) -> None:
        """Declared sizes bound every read (reads stop there), so their sum bounds the whole package: the
        members past the limit, in archive order, are skipped."""
        limit = self._limits.max_total_bytes
        total = 0
        for member in list(self.members.values()):
            if member.is_dir:
                continue
            if total + member.size > limit:
                del self.members[member.name]
                self._warn(member.name, f"skipped: total uncompressed size would pass the limit {limit}")
                continue
            total += member.size

    def files(self) -> list[Member]:
        """Regular members (no directories, no symlinks), in archive order."""
        return [m for m in self.members.values() if not m.is_dir and not m.is_symlink]

    def _check(self, member: Member) -> None:
        limits = self._limits
        if member.is_symlink:
            raise EntryError(member.name, "symbolic link entry, not followed")
        if member.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise EntryError(member.name, f"unsupported compression method {member.method}")
        if member.size > limits.max_entry_bytes:
            raise EntryError(
                member.name, f"{member.size} bytes, over the per-entry limit {limits.max_entry_bytes}"
            )
        if member.size > RATIO_EXEMPT_BYTES and member.size > limits.max_ratio * max(
            member.compressed_size, 1
        ):
            raise EntryError(
                member.name,
                f"compression ratio {member.size / max(member.compressed_size, 1):.0f}:1 over the limit "
                f"{limits.max_ratio:.0f}:1 (zip bomb?)",
            )

    def _data_offset(self, member: Member) -> int:
        # a forged directory can point before the start or (zip64: up to 2**64) far past the end of the file
        if not 0 <= member.header_offset < self._size:
            raise EntryError(member.name, f"local header offset {member.header_offset} is outside the file")
        self._file.seek(member.header_offset)
        header = self._file.read(LOCAL_HEADER.size)
        if len(header) != LOCAL_HEADER.size or header[:4] != LOCAL_MAGIC:
            raise EntryError(member.name, "local file header missing or damaged")
        fields = LOCAL_HEADER.unpack(header)
        name_length, extra_length = fields[9], fields[10]
        return member.header_offset + LOCAL_HEADER.size + name_length + extra_length

    def stream(self, name: str, chunk_bytes: int = CHUNK) -> Iterator[bytes]:
        """The member's uncompressed bytes in chunks, read chunk_bytes of stored or compressed data at a
        time; stops at the declared size and the limits. Data that disagree with the declared size are
        noted (take_read_warnings) once the last chunk has been taken."""
        member = self.members.get(name)
        if member is None:
            raise EntryError(name, "no such entry")
        self._check(member)
        self._file.seek(self._data_offset(member))
        remaining_in = member.compressed_size
        remaining_out = member.size
        inflater = zlib.decompressobj(-15) if member.method == zipfile.ZIP_DEFLATED else None
        while remaining_in > 0 and remaining_out > 0:
            chunk = self._file.read(min(chunk_bytes, remaining_in))
            if not chunk:
                raise EntryError(name, "truncated entry data")
            remaining_in -= len(chunk)
            if inflater is not None:
                for out in _inflate(name, inflater, chunk, remaining_out):
                    remaining_out -= len(out)
                    yield out
            else:
                piece = chunk[:remaining_out]
                remaining_out -= len(piece)
                yield piece
        if remaining_out > 0:
            raise EntryError(name, f"entry shorter than its declared size ({remaining_out} bytes missing)")
        mismatch = (
            self._deflate_mismatch(member, inflater, remaining_in)
            if inflater is not None
            else _stored_mismatch(member)
        )
        if mismatch:
            self._warn_read(name, mismatch)

    def _deflate_mismatch(self, member: Member, inflater: zlib._Decompress, remaining_in: int) -> str | None:
        """Why the deflate stream does not end exactly at the declared size with the compressed data, or None.

        Called once the declared size has come out, with the file just after the compressed bytes read so
        far. At most PROBE_BYTES more are read, and at most one more byte is inflated."""
        size = member.size
        if size == 0 and member.compressed_size == 0:
            return None  # an empty member some writers store without even an empty deflate block
        read = f"read {size} bytes"
        budget = PROBE_BYTES
        pending = inflater.unconsumed_tail
        while not inflater.eof:
            try:
                if inflater.decompress(pending, 1):
                    return f"data longer than the declared size {size}; {read}"
            except zlib.error as error:
                return f"corrupt deflate data past the declared size {size} ({error}); {read}"
            pending = inflater.unconsumed_tail
            if pending or inflater.eof:
                continue
            pending = self._file.read(min(budget, remaining_in)) if budget > 0 and remaining_in > 0 else b""
            if not pending:  # compressed data used up (a truncated stream) or the look went far enough
                return f"deflate stream does not end at the declared size {size}; {read}"
            budget -= len(pending)
            remaining_in -= len(pending)
        trailing = len(inflater.unused_data) + remaining_in
        if trailing:
            return (
                f"deflate stream ends {trailing} bytes before its declared compressed size "
                f"{member.compressed_size}; {read}"
            )
        return None

    def read(self, name: str) -> bytes:
        """The member's bytes, held once: a 500 MB member must not cost a gigabyte."""
        return self._take(name, None)

    def head(self, name: str, size: int) -> bytes:
        """The member's first `size` bytes, read and inflated about that much at a time."""
        return self._take(name, size)

    def _take(self, name: str, size: int | None) -> bytes:
        """The member's bytes, or its first `size` of them.

        Joined from chunks, or grown chunk by chunk in a BytesIO, a member peaked at twice its size. The
        buffer is sized up front instead (after the limit checks), chunks overwrite it in place, and
        getvalue() hands that very buffer over. Reads stop at the declared size, and one that ends short
        raises, so the buffer never holds unwritten bytes that are returned. A whole member is streamed to
        its end, where stream() checks that its data end where its sizes say."""
        member = self.members.get(name)
        if member is None:
            raise EntryError(name, "no such entry")
        self._check(member)
        wanted = member.size if size is None else min(size, member.size)
        buffer = io.BytesIO()
        if wanted > 0:
            buffer.seek(wanted - 1)
            buffer.write(b"\0")
            buffer.seek(0)
        taken = 0
        for chunk in self.stream(name, chunk_bytes=CHUNK if size is None else max(1, min(CHUNK, size))):
            piece = chunk[: wanted - taken]  # the whole chunk (the same object) until a head is full
            buffer.write(piece)
            taken += len(piece)
            if size is not None and taken >= wanted:
                break
        return buffer.getvalue()

    def apk_signing_block(self, max_bytes: int) -> bytes | None:
        """The id-value pairs of the APK Signing Block (v2/v3 signatures) that ends where the central
        directory starts, or None when the archive has no such block; EntryError when it is damaged.

        Layout: u64 size, pairs, u64 size (both count everything after the first size), 'APK Sig Block 42'."""
        end = self.central_directory_offset
        if end < 32:
            return None
        self._file.seek(end - 24)
        footer = self._file.read(24)
        if len(footer) != 24 or footer[8:] != APK_SIG_BLOCK_MAGIC:
            return None
        (size,) = struct.unpack_from("<Q", footer)
        start = end - size - 8
        if size < 24 or start < 0 or size > max_bytes:
            raise EntryError("APK Signing Block", f"bad or oversized block size {size}")
        self._file.seek(start)
        block = self._file.read(size + 8)
        if len(block) != size + 8 or struct.unpack_from("<Q", block)[0] != size:
            raise EntryError("APK Signing Block", "leading and trailing block sizes disagree")
        return block[8:-24]

    def entry(self, name: str) -> Entry:
        """The member as an Entry with the sha256 of its content, streamed (never held whole in memory)."""
        member = self.members[name]
        digest = hashlib.sha256()
        for chunk in self.stream(name):
            digest.update(chunk)
        return Entry(
            name=name, size=member.size, compressed_size=member.compressed_size, sha256=digest.hexdigest()
        )

    def entries(self) -> tuple[list[Entry], list[AnalysisWarning]]:
        """Every readable regular member as an Entry; unreadable ones become warnings."""
        entries: list[Entry] = []
        problems: list[AnalysisWarning] = []
        for member in self.files():
            try:
                entries.append(self.entry(member.name))
            except EntryError as error:
                problems.append(AnalysisWarning(error.name, error.reason))
        problems.extend(self.take_read_warnings())
        for member in self.members.values():
            if member.is_symlink:
                problems.append(AnalysisWarning(member.name, "symbolic link entry, not followed"))
        return entries, problems


def _stored_mismatch(member: Member) -> str | None:
    """Stored data are as long as the compressed size says; a shorter one already failed the read."""
    if member.compressed_size > member.size:
        return (
            f"stored data ({member.compressed_size} bytes) longer than the declared size {member.size}; "
            f"read {member.size} bytes"
        )
    return None


def _inflate(name: str, inflater: zlib._Decompress, chunk: bytes, remaining_out: int) -> Iterator[bytes]:
    """The output of one compressed chunk, in pieces of at most CHUNK bytes.

    max_length bounds every piece: a bomb never inflates past the declared size, and a member that
    compresses 200:1 still comes out a megabyte at a time. A piece that filled its limit may leave output
    pending inside zlib with no input left, so the loop asks again until a piece comes out short."""
    pending = chunk
    while remaining_out > 0:
        step = min(remaining_out, CHUNK)
        try:
            out = inflater.decompress(pending, step)
        except zlib.error as error:
            raise EntryError(name, f"corrupt deflate data ({error})") from None
        if out:
            remaining_out -= len(out)
            yield out
        pending = inflater.unconsumed_tail
        if inflater.eof or (not pending and len(out) < step):
            break  # the next compressed chunk is needed (or the stream has ended)
