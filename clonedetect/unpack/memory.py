"""An EntrySource over bytes already in memory: small store-listing files, and test fixtures."""

from __future__ import annotations

from collections.abc import Mapping

from clonedetect.errors import EntryError


class MemorySource:
    def __init__(self, files: Mapping[str, bytes]) -> None:
        self._files = dict(files)

    def read(self, name: str) -> bytes:
        return self._file(name)

    def head(self, name: str, size: int) -> bytes:
        return self._file(name)[:size]

    def _file(self, name: str) -> bytes:
        try:
            return self._files[name]
        except KeyError:
            raise EntryError(name, "no such entry") from None

    def close(self) -> None:
        self._files.clear()
