"""Folders (an unpacked game) and store listings (icon.*, screenshots/, title.txt, description.txt).

The walk never follows a symbolic link, not even one that points inside the folder (a link can be swapped
for one pointing anywhere between walk and read), and skips FIFOs, sockets and devices, which could block
or never end. Each file is opened with O_NOFOLLOW and must still be the regular file the walk saw.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from clonedetect.errors import EntryError, InputError
from clonedetect.model import AnalysisWarning, Entry, LocalisedText, Package, PackageFormat
from clonedetect.settings import Limits, Settings
from clonedetect.unpack import OpenedPackage, sorted_warnings
from clonedetect.unpack.apkres import is_raster

READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
CHUNK = 1 << 20
LISTING_TEXT_BYTES = 64 * 1024  # title.txt / description.txt of a store page are short


@dataclass(frozen=True, slots=True)
class _File:
    path: str  # on disk
    device: int
    inode: int
    size: int


class FolderSource:
    """EntrySource over the regular files found by the walk; nothing else can be read through it."""

    def __init__(self, files: dict[str, _File], max_entry_bytes: int) -> None:
        self._files = files
        self._max = max_entry_bytes

    def _open(self, name: str) -> tuple[int, os.stat_result]:
        known = self._files.get(name)
        if known is None:
            raise EntryError(name, "no such entry")
        try:
            descriptor = os.open(known.path, READ_FLAGS)
        except OSError as error:
            raise EntryError(name, f"cannot be opened ({error.strerror})") from None
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or (status.st_dev, status.st_ino) != (known.device, known.inode):
            os.close(descriptor)
            raise EntryError(name, "changed since the folder was listed; not read")
        return descriptor, status

    def _readable(self, name: str) -> tuple[BinaryIO, int]:
        """An open handle and how many bytes to read: never more than the size the walk saw (a growing file
        is cut), and never a file over the per-entry limit."""
        descriptor, status = self._open(name)
        handle = os.fdopen(descriptor, "rb")
        if status.st_size > self._max:
            handle.close()
            raise EntryError(name, f"{status.st_size} bytes, over the per-entry limit {self._max}")
        return handle, min(status.st_size, self._files[name].size)

    def stream(self, name: str) -> Iterator[bytes]:
        """The file's bytes in chunks."""
        handle, remaining = self._readable(name)
        with handle:
            while remaining > 0:
                block = handle.read(min(CHUNK, remaining))
                if not block:
                    break
                remaining -= len(block)
                yield block

    def read(self, name: str) -> bytes:
        # one read of the known size: joining streamed chunks would hold the file twice at its peak
        handle, size = self._readable(name)
        with handle:
            return handle.read(size)

    def head(self, name: str, size: int) -> bytes:
        handle, available = self._readable(name)
        with handle:
            return handle.read(min(size, available))

    def close(self) -> None:
        self._files.clear()


def _display_name(raw: str) -> str:
    # undecodable bytes in file names (surrogate escapes) are shown as U+FFFD: names must be valid text
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_Pending = tuple[str, str, int]  # (folder on disk, its entry-name prefix, depth)


@dataclass
class _Walk:
    limits: Limits
    files: dict[str, _File] = field(default_factory=dict)
    warnings: list[AnalysisWarning] = field(default_factory=list)
    total: int = 0

    def warn(self, name: str, message: str) -> None:
        self.warnings.append(AnalysisWarning(name, message))

    def run(self, root: Path) -> None:
        pending: list[_Pending] = [(str(root), "", 0)]
        while pending:
            directory, prefix, depth = pending.pop()
            try:
                with os.scandir(directory) as listing:
                    items = sorted(listing, key=lambda item: item.name)
            except OSError as error:
                self.warn(prefix.rstrip("/") or ".", f"folder unreadable ({error.strerror})")
                continue
            for item in items:
                name = prefix + _display_name(item.name)
                if not self.visit(item, name, depth, pending):
                    return

    def visit(
        self, item: os.DirEntry[str], name: str, depth: int, pending: list[tuple[str, str, int]]
    ) -> bool:
        """Record or queue one directory item; False once the entry limit stops the walk."""
        try:
            status = item.stat(follow_symlinks=False)
        except OSError as error:
            self.warn(name, f"cannot be examined ({error.strerror})")
            return True
        if stat.S_ISLNK(status.st_mode):
            self.warn(name, "symbolic link, not followed")
        elif stat.S_ISDIR(status.st_mode):
            if depth + 1 > self.limits.max_depth:
                self.warn(name, f"folder nested deeper than {self.limits.max_depth}; not walked")
            else:
                pending.append((item.path, name + "/", depth + 1))
        elif not stat.S_ISREG(status.st_mode):
            self.warn(name, "not a regular file (FIFO, socket or device); skipped")
        elif len(self.files) >= self.limits.max_entries:
            self.warn(name, f"over {self.limits.max_entries} files; the rest are skipped")
            return False
        elif status.st_size > self.limits.max_entry_bytes:
            self.warn(name, f"{status.st_size} bytes, over the per-entry limit {self.limits.max_entry_bytes}")
        elif self.total + status.st_size > self.limits.max_total_bytes:
            self.warn(name, f"skipped: the folder passed the total size limit {self.limits.max_total_bytes}")
        else:
            self.total += status.st_size
            unique = name
            copy = 2
            while unique in self.files:  # two undecodable names can display alike
                unique, copy = f"{name}~dup{copy}", copy + 1
            self.files[unique] = _File(item.path, status.st_dev, status.st_ino, status.st_size)
        return True


@dataclass(frozen=True, slots=True)
class _Listed:
    entries: tuple[Entry, ...]
    heads: dict[str, bytes]
    warnings: list[AnalysisWarning]
    source: FolderSource


def _list_folder(root: Path, limits: Limits) -> _Listed:
    walk = _Walk(limits)
    walk.run(root)
    if not walk.files:
        raise InputError(f"{root}: the folder holds no regular file to analyse")
    source = FolderSource(dict(walk.files), limits.max_entry_bytes)
    entries: list[Entry] = []
    heads: dict[str, bytes] = {}
    for name in sorted(walk.files):
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            for block in source.stream(name):
                head = head or block[:16]
                digest.update(block)
                size += len(block)
        except EntryError as error:
            walk.warn(error.name, error.reason)
            continue
        entries.append(Entry(name=name, size=size, compressed_size=size, sha256=digest.hexdigest()))
        heads[name] = head
    return _Listed(tuple(entries), heads, walk.warnings, source)


def folder_sha256(entries: tuple[Entry, ...]) -> str:
    """sha256 of the sorted 'name<TAB>sha256<LF>' listing: the same files give the same hash anywhere."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda entry: entry.name):
        digest.update(f"{entry.name}\t{entry.sha256}\n".encode())
    return digest.hexdigest()


def _top_level_icons(names: set[str]) -> list[str]:
    return sorted(name for name in names if "/" not in name and name.lower().startswith("icon."))


def _package(path: Path, package_format: PackageFormat, listed: _Listed, facts: _ListingFacts) -> Package:
    return Package(
        source=str(path),
        sha256=folder_sha256(listed.entries),
        size=sum(entry.size for entry in listed.entries),
        format=package_format,
        app_name=facts.title,
        app_names=(("", facts.title),) if facts.title else (),
        icon_entries=facts.icons,
        resource_strings=facts.texts,
        entries=listed.entries,
        warnings=sorted_warnings(listed.warnings, facts.warnings),
    )


@dataclass(frozen=True, slots=True)
class _ListingFacts:
    title: str = ""
    icons: tuple[str, ...] = ()
    texts: tuple[LocalisedText, ...] = ()
    warnings: tuple[AnalysisWarning, ...] = ()


class FolderReader:
    """Any folder: every regular file is an entry."""

    format = PackageFormat.FOLDER

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        return zip_names is None and path.is_dir()

    def open(self, path: Path, settings: Settings) -> OpenedPackage:
        listed = _list_folder(path, settings.limits)
        return OpenedPackage(_package(path, self.format, listed, _ListingFacts()), listed.source)


def _short_text(source: FolderSource, name: str, warnings: list[AnalysisWarning]) -> str:
    try:
        data = source.read(name)
    except EntryError as error:
        warnings.append(AnalysisWarning(error.name, error.reason))
        return ""
    if len(data) > LISTING_TEXT_BYTES:
        warnings.append(
            AnalysisWarning(name, f"longer than {LISTING_TEXT_BYTES} bytes; only the start is read")
        )
    return data[:LISTING_TEXT_BYTES].decode("utf-8-sig", "replace").strip()


class ListingReader:
    """A store listing saved as a folder: icon.* and screenshots/ or title.txt at its top."""

    format = PackageFormat.LISTING

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        if zip_names is not None or not path.is_dir():
            return False
        try:
            top = {item.name: item.is_dir(follow_symlinks=False) for item in os.scandir(path)}
        except OSError:
            return False
        has_icon = any(name.lower().startswith("icon.") and not is_dir for name, is_dir in top.items())
        return has_icon and (top.get("screenshots") is True or top.get("title.txt") is False)

    def open(self, path: Path, settings: Settings) -> OpenedPackage:
        listed = _list_folder(path, settings.limits)
        names = {entry.name for entry in listed.entries}
        warnings: list[AnalysisWarning] = []
        title = _short_text(listed.source, "title.txt", warnings) if "title.txt" in names else ""
        title = title.splitlines()[0].strip() if title else ""
        texts = [LocalisedText("listing/title", "", title)] if title else []
        if "description.txt" in names:
            description = _short_text(listed.source, "description.txt", warnings)
            texts.extend([LocalisedText("listing/description", "", description)] if description else [])
        icons = [name for name in _top_level_icons(names) if is_raster(listed.heads.get(name, b""))]
        facts = _ListingFacts(title, tuple(icons), tuple(texts), tuple(warnings))
        package = _package(path, self.format, listed, facts)
        return OpenedPackage(package, listed.source)
