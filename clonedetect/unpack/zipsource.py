"""A zip package and the archives nested in it, listed once and readable by entry name.

Every member is streamed once: that gives its sha256, its first bytes (so containers and images are
sniffed by content) and, when it is itself a zip (an APK inside an XAPK, an OBB inside an APK), a copy in a
spooled anonymous temporary file that is opened as a nested SafeZip. Nothing is ever written at a path the
package names. Nested entries are named 'outer.apk!/inner/name'.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from clonedetect.errors import EntryError, InputError
from clonedetect.model import AnalysisWarning, Entry
from clonedetect.settings import Limits
from clonedetect.unpack.safezip import SafeZip

NESTED_SEPARATOR = "!/"
ZIP_MAGIC = b"PK\x03\x04"
HEAD_BYTES = 16
SPOOL_IN_MEMORY = 1 << 20  # a nested archive up to this size stays in memory ...
SPOOL_MEMORY_BUDGET = 64 << 20  # ... until all in-memory spools together reach this


class ZipSource:
    """EntrySource over a root SafeZip and the nested archives opened inside it (prefix -> SafeZip)."""

    def __init__(self, root: SafeZip, files: list[BinaryIO]) -> None:
        self._archives: dict[str, SafeZip] = {"": root}
        self._files = files
        self._lock = threading.Lock()  # one file position per archive: reads must not interleave

    def add_archive(self, prefix: str, archive: SafeZip, file: BinaryIO) -> None:
        self._archives[prefix] = archive
        self._files.append(file)

    def archive(self, prefix: str) -> SafeZip:
        return self._archives[prefix]

    @property
    def prefixes(self) -> list[str]:
        """'' for the root, then every nested archive's 'name!/' prefix, sorted."""
        return sorted(self._archives)

    def locate(self, name: str) -> tuple[str, SafeZip, str]:
        """(prefix, archive, inner name) for a full entry name: the deepest archive whose prefix matches."""
        for prefix in sorted(self._archives, key=len, reverse=True):
            if name.startswith(prefix):
                return prefix, self._archives[prefix], name[len(prefix) :]
        raise EntryError(name, "no such entry")  # unreachable: '' matches every name

    def read(self, name: str) -> bytes:
        """The entry's bytes; SafeZip bounds them by the per-entry, size and ratio limits."""
        return self._from_archive(name, SafeZip.read)

    def head(self, name: str, size: int) -> bytes:
        return self._from_archive(name, lambda archive, inner: archive.head(inner, size))

    def _from_archive(self, name: str, take: Callable[[SafeZip, str], bytes]) -> bytes:
        """take(archive, inner name) for the archive holding the entry; its errors name the full entry."""
        _, archive, inner = self.locate(name)
        with self._lock:
            try:
                return take(archive, inner)
            except EntryError as error:
                raise EntryError(name, error.reason) from None

    def close(self) -> None:
        for file in self._files:
            file.close()
        self._files.clear()
        self._archives.clear()


@dataclass
class ZipListing:
    """What listing a zip package found: its entries, the first bytes of each, nested archives, problems."""

    source: ZipSource
    entries: list[Entry] = field(default_factory=list)
    heads: dict[str, bytes] = field(default_factory=dict)
    warnings: list[AnalysisWarning] = field(default_factory=list)

    def names(self, prefix: str = "") -> list[str]:
        """Entry names inside one archive (without its prefix), in listing order."""
        return [entry.name[len(prefix) :] for entry in self.entries if _directly_in(entry.name, prefix)]


def _directly_in(name: str, prefix: str) -> bool:
    return name.startswith(prefix) and NESTED_SEPARATOR not in name[len(prefix) :]


class _Lister:
    """Walks a root archive and its nested archives breadth-first, within the nesting and byte limits."""

    def __init__(self, listing: ZipListing, limits: Limits) -> None:
        self.listing = listing
        self.limits = limits
        self.total_bytes = 0
        self.memory_spooled = 0

    def warn(self, path: str, message: str) -> None:
        self.listing.warnings.append(AnalysisWarning(path, message))

    def walk(self) -> None:
        queue: list[tuple[str, int]] = [("", 0)]
        while queue:
            prefix, depth = queue.pop(0)
            queue.extend(self.list_archive(prefix, depth))

    def list_archive(self, prefix: str, depth: int) -> list[tuple[str, int]]:
        archive = self.listing.source.archive(prefix)
        nested: list[tuple[str, int]] = []
        problems: list[AnalysisWarning] = []
        for member in archive.files():
            name = prefix + member.name
            if self.total_bytes + member.size > self.limits.max_total_bytes:
                limit = self.limits.max_total_bytes
                self.warn(name, f"skipped: the package passed the total size limit {limit}")
                continue
            try:
                spool = self.list_member(archive, member.name, name, depth)
            except EntryError as error:
                problems.append(AnalysisWarning(prefix + error.name, error.reason))
                continue
            if spool is not None:
                child = self.open_nested(name, spool)
                if child is not None:
                    nested.append((child, depth + 1))
        # members whose data ran past their declared size were read to that size: say so (tampering)
        problems.extend(AnalysisWarning(prefix + w.path, w.message) for w in archive.take_read_warnings())
        self.listing.warnings.extend(problems)
        for member in archive.members.values():
            if member.is_symlink:
                self.warn(prefix + member.name, "symbolic link entry, not followed")
        return nested

    def list_member(self, archive: SafeZip, inner: str, name: str, depth: int) -> BinaryIO | None:
        """Hash one member and keep its head; return a spooled copy when it is a nested zip to open."""
        member = archive.members[inner]
        digest = hashlib.sha256()
        head = b""
        spool: BinaryIO | None = None
        chunks: Iterator[bytes] = archive.stream(inner)
        try:
            for chunk in chunks:
                if not head:
                    head = chunk[:HEAD_BYTES]
                    spool = self.start_spool(name, head, member.size, depth)
                digest.update(chunk)
                if spool is not None:
                    spool.write(chunk)
        except EntryError:
            if spool is not None:
                spool.close()
            raise
        self.total_bytes += member.size
        self.listing.entries.append(
            Entry(name, size=member.size, compressed_size=member.compressed_size, sha256=digest.hexdigest())
        )
        self.listing.heads[name] = head
        return spool

    def start_spool(self, name: str, head: bytes, size: int, depth: int) -> BinaryIO | None:
        if not head.startswith(ZIP_MAGIC):
            return None
        if depth + 1 > self.limits.max_nesting:
            self.warn(name, f"nested archive not opened: nesting limit {self.limits.max_nesting} reached")
            return None
        if size <= SPOOL_IN_MEMORY and self.memory_spooled + size <= SPOOL_MEMORY_BUDGET:
            self.memory_spooled += size
            return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # type: ignore[return-value]
        return tempfile.TemporaryFile()  # anonymous: never a path the package chose

    def open_nested(self, name: str, spool: BinaryIO) -> str | None:
        prefix = name + NESTED_SEPARATOR
        spool.seek(0)
        try:
            archive = SafeZip(spool, self.limits, name)
        except InputError as error:
            spool.close()
            self.warn(name, f"looks like a zip but was not opened: {error}")
            return None
        for warning in archive.warnings:
            path = warning.path if warning.path == name else prefix + warning.path
            self.warn(path, warning.message)
        self.listing.source.add_archive(prefix, archive, spool)
        return prefix


def list_zip(path: Path, limits: Limits) -> ZipListing:
    """Open a zip package and list it with its nested archives; InputError when the root is not a zip."""
    handle: BinaryIO = path.open("rb")
    try:
        root = SafeZip(handle, limits, path.name)
    except InputError:
        handle.close()
        raise
    listing = ZipListing(source=ZipSource(root, [handle]))
    listing.warnings.extend(root.warnings)
    _Lister(listing, limits).walk()
    listing.entries.sort(key=lambda entry: entry.name)
    return listing
