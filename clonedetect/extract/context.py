"""The state of one package's extraction that every extractor adds to: assets, warnings, collectors."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from clonedetect.extract.atlas import AtlasSheet
from clonedetect.extract.facts import FactCollector
from clonedetect.extract.folders import FolderRecords
from clonedetect.extract.roles import RoleClassifier
from clonedetect.extract.strings import StringCollector
from clonedetect.model import AnalysisWarning, Asset, AssetKind, Category, Entry, Package, Table
from clonedetect.settings import Settings


@dataclass(frozen=True, slots=True)
class PageImage:
    """An image entry that an atlas description may cut into frames."""

    entry: Entry
    media_type: str
    size: tuple[int, int] | None  # (width, height) from the header; None when unreadable


@dataclass(slots=True)
class ExtractionContext:
    package: Package
    settings: Settings
    roles: RoleClassifier
    strings: StringCollector
    facts: FactCollector = field(default_factory=FactCollector)
    assets: list[Asset] = field(default_factory=list)
    warnings: list[AnalysisWarning] = field(default_factory=list)
    images: dict[str, PageImage] = field(default_factory=dict)
    sheets: list[AtlasSheet] = field(default_factory=list)
    # records of JSON/Lua files by (folder, extension), made into one table per folder at the end
    folders: dict[tuple[str, str], FolderRecords] = field(default_factory=dict)

    @classmethod
    def create(
        cls, package: Package, settings: Settings, overrides: Sequence[tuple[str, Category]] = ()
    ) -> ExtractionContext:
        return cls(
            package=package,
            settings=settings,
            roles=RoleClassifier(package, overrides),
            strings=StringCollector(settings.limits.max_strings),
        )

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(AnalysisWarning(path, message))

    def warn_problems(self, path: str, what: str, problems: Sequence[str], count: int | None = None) -> None:
        """Many problems of one file as one warning: the count and the first few."""
        if not problems:
            return
        total = len(problems) if count is None else count
        shown = "; ".join(problems[:3])
        more = f" (and {total - 3} more)" if total > 3 else ""
        self.warn(path, f"{what}: {total} problem(s), kept what parsed: {shown}{more}")

    def add_table(
        self, entry: Entry, name: str, table: Table, found_by: str, path: str | None = None
    ) -> None:
        self.assets.append(
            Asset(
                path=path or (f"{entry.name}#{name}" if name else entry.name),
                entry=entry.name,
                kind=AssetKind.TABLE,
                category=Category.RULES,
                media_type="application/x-table",
                sha256=entry.sha256,
                size=entry.size,
                found_by=found_by,
                key=name or _strip_extension(entry.name),
                table=table,
            )
        )


def group_entry(entries: Sequence[Entry], pattern: str) -> Entry:
    """A stand-in entry for a table built from several files: named by the glob, hashed over its members."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.name):
        digest.update(f"{entry.name}\0{entry.sha256}\n".encode())
    return Entry(
        name=pattern,
        size=sum(entry.size for entry in entries),
        compressed_size=sum(entry.compressed_size for entry in entries),
        sha256=digest.hexdigest(),
    )


def _strip_extension(name: str) -> str:
    folder, _, base = name.rpartition("/")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{folder}/{stem}" if folder else stem
