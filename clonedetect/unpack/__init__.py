"""unpack: an input path -> Package metadata + an EntrySource to read its bytes.

One module per container; the container is sniffed from magic bytes and archive contents, never from the
file extension (pirates rename files). See CONTAINER_READERS for the order in which readers are asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from clonedetect.errors import InputError
from clonedetect.model import AnalysisWarning, EntrySource, Package, PackageFormat
from clonedetect.settings import Settings
from clonedetect.unpack.safezip import SafeZip


@dataclass(slots=True)
class OpenedPackage:
    """A Package and the open source of its bytes; close it (or use `with`) when done."""

    package: Package
    source: EntrySource

    def __enter__(self) -> OpenedPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.source.close()


class ContainerReader(Protocol):
    format: PackageFormat

    def sniff(self, path: Path, head: bytes, zip_names: frozenset[str] | None) -> bool:
        """True when this reader handles the input; head = first 4 KiB, zip_names = member names of a zip."""
        ...

    def open(self, path: Path, settings: Settings) -> OpenedPackage: ...


HEAD_BYTES = 4096


def container_readers() -> tuple[ContainerReader, ...]:
    """The readers in the order they are asked; the first whose sniff() says yes opens the input.

    Specific before generic: an APK, IPA, XAPK or split set before any other zip (read as an OBB archive), a
    store listing before any other folder. Imported here, not at module level, because the reader
    modules import OpenedPackage from this one.
    """
    from clonedetect.unpack.apk import ApkReader
    from clonedetect.unpack.folder import FolderReader, ListingReader
    from clonedetect.unpack.ipa import IpaReader
    from clonedetect.unpack.obb import ObbReader
    from clonedetect.unpack.splits import SplitsReader, XapkReader

    zips: tuple[ContainerReader, ...] = (ApkReader(), IpaReader(), XapkReader(), SplitsReader(), ObbReader())
    return (*zips, ListingReader(), FolderReader())


def sorted_warnings(*groups: Iterable[AnalysisWarning]) -> tuple[AnalysisWarning, ...]:
    """All warnings of the groups, without repeats, sorted by path then message (deterministic reports)."""
    unique = {warning for group in groups for warning in group}
    return tuple(sorted(unique, key=lambda warning: (warning.path, warning.message)))


def _zip_names(path: Path, settings: Settings) -> frozenset[str]:
    with path.open("rb") as handle:
        return frozenset(SafeZip(handle, settings.limits, path.name).members)


def open_package(path: Path, settings: Settings) -> OpenedPackage:
    """Sniff and open one input; raises InputError when it is not a usable package."""
    try:
        is_dir = path.is_dir()
        is_file = path.is_file()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    if not is_dir and not is_file:
        raise InputError(f"{path}: no such file or folder" if not path.exists() else f"{path}: not a file")
    head = b""
    zip_names: frozenset[str] | None = None
    if is_file:
        try:
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
        except OSError as error:
            raise InputError(f"{path}: cannot be read ({error.strerror})") from None
        if not head:
            raise InputError(f"{path}: empty file")
        # every package format clonedetect reads is a zip (APK, IPA, XAPK, APKS, APKM, OBB) or a folder;
        # SafeZip says why when it is not one (not a zip, truncated before the central directory ...)
        zip_names = _zip_names(path, settings)
    for reader in container_readers():
        if reader.sniff(path, head, zip_names):
            return reader.open(path, settings)
    raise InputError(f"{path}: not a package clonedetect can read")  # unreachable: folder/OBB take the rest
