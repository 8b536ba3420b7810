"""unpack: an input path -> Package metadata + an EntrySource to read its bytes.

One module per container; the container is sniffed from magic bytes and archive contents, never from the
file extension (pirates rename files). See CONTAINER_READERS for the order in which readers are asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from clonedetect.model import EntrySource, Package, PackageFormat
from clonedetect.settings import Settings


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


def open_package(path: Path, settings: Settings) -> OpenedPackage:
    """Sniff and open one input; raises InputError when it is not a usable package."""
    raise NotImplementedError  # implemented by the unpack work package
