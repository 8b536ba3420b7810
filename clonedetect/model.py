"""The plain data that flows between the pipeline stages.

unpack -> Package (+ an EntrySource to read its bytes) -> extract -> Asset* -> fingerprint -> Print* ->
match -> Match* -> score -> CategoryScore*, Verdict -> report -> Report.

Every class here is frozen and slotted: a stage never mutates what an earlier stage produced, which keeps
runs deterministic and lets the same data be cached by sha256 and shipped across processes. The classes that
cross to worker processes by the thousand (prints and what they hold, matches) are pickled by their fields
(`pickled_by_fields`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter
from typing import Protocol, TypeVar

D = TypeVar("D")


def pickled_by_fields(cls: type[D]) -> type[D]:
    """Pickle instances of a frozen, slotted dataclass as (class, field values), rebuilt by its __init__.

    The default for such a class pickles a state list and rebuilds it with one object.__setattr__ per field:
    twice the time both ways. Worker processes receive and return prints by the ten thousand (a 300 MB game's
    matching ships 281 MB of them), each with about 30 fingerprints, so that time is seconds of a compare.
    Only for classes whose fields are all __init__ arguments."""
    names = [item.name for item in fields(cls)]  # type: ignore[arg-type]
    if len(names) < 2:
        raise TypeError("pickled_by_fields: attrgetter returns a tuple only for two or more fields")
    values = attrgetter(*names)

    def __reduce__(self: D) -> tuple[type[D], tuple[object, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign, assignment]
    return cls


class PackageFormat(StrEnum):
    APK = "apk"
    APKS = "apks"  # split APK set (.apks / .apkm): several APKs of one app
    XAPK = "xapk"
    OBB = "obb"
    IPA = "ipa"
    FOLDER = "folder"
    LISTING = "listing"  # store listing: icon.*, screenshots/, title.txt, description.txt


class AssetKind(StrEnum):
    IMAGE = "image"
    TEXT = "text"
    TABLE = "table"
    CODE = "code"
    AUDIO = "audio"


class Category(StrEnum):
    """Where an asset counts in the court-style comparison. The first five are always reported."""

    ICON = "icon"
    CHARACTERS = "characters"
    UI = "ui"
    TEXT = "text"
    RULES = "rules"
    ART = "art"
    AUDIO = "audio"
    CODE = "code"


REPORTED_CATEGORIES: tuple[Category, ...] = (
    Category.ICON,
    Category.CHARACTERS,
    Category.UI,
    Category.TEXT,
    Category.RULES,
)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class AnalysisWarning:
    """A non-fatal problem: one unreadable part of an otherwise usable input."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One file inside a package (a zip member, a file of a folder)."""

    name: str  # '/'-separated, relative to the package root; nested archives as 'base.apk!/res/x.png'
    size: int
    compressed_size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Signer:
    scheme: str  # 'v1', 'v2', 'v3', 'ios'
    subject: str
    sha256: str  # of the DER certificate
    key_algorithm: str = ""  # 'RSA', 'EC', 'DSA'


@dataclass(frozen=True, slots=True)
class LocalisedText:
    """A string resource of the package itself (resources.arsc, Info.plist / InfoPlist.strings values)."""

    key: str
    locale: str  # '' for the default locale
    value: str


@dataclass(frozen=True, slots=True)
class Package:
    """What unpack learned about one input, before any asset is looked at."""

    source: str  # the path as the user gave it (file name only in reports)
    sha256: str  # of the input file; for folders, of the sorted (name, sha256) listing
    size: int
    format: PackageFormat
    app_name: str = ""
    app_names: tuple[tuple[str, str], ...] = ()  # (locale, label), sorted
    package_id: str = ""
    version_name: str = ""
    version_code: str = ""
    signers: tuple[Signer, ...] = ()
    icon_entries: tuple[str, ...] = ()  # entry names of the app icon files the package itself declares
    resource_strings: tuple[LocalisedText, ...] = ()
    entries: tuple[Entry, ...] = ()
    warnings: tuple[AnalysisWarning, ...] = ()


class EntrySource(Protocol):
    """Read access to the bytes of a package's entries.

    Names are data: nothing is ever written where they point."""

    def read(self, name: str) -> bytes:
        """The entry's bytes, bounded by the per-entry limit; raises errors.EntryError when unreadable."""
        ...

    def head(self, name: str, size: int) -> bytes:
        """The entry's first `size` bytes (all of a shorter one), after the same checks as read: enough to
        tell what it is without holding all of it."""
        ...

    def close(self) -> None: ...


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Frame:
    """A rectangle of an atlas page; rotated frames are stored 90 degrees clockwise in the page."""

    x: int
    y: int
    width: int
    height: int
    rotated: bool = False
    # trimmed frames: where the stored pixels sit inside the original sprite, and the original sprite size
    offset_x: int = 0
    offset_y: int = 0
    source_width: int = 0
    source_height: int = 0


Cell = str | int | float | bool | None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    key_column: str | None = None  # the column that names each row (id, name, key ...), if any


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Asset:
    """One comparable thing: an image (or atlas frame), one string, one data table."""

    path: str  # inside the package: 'res/a.png', 'atlas.png#hero_01', 'resources.arsc#string/app_name@zh-rCN'
    entry: str  # the entry whose bytes hold it
    kind: AssetKind
    category: Category
    media_type: str
    sha256: str  # of the entry bytes (an atlas frame shares its page's; fingerprint adds the pixel hash)
    size: int
    found_by: str  # which extractor (or rule) produced it and gave it its category
    frame: Frame | None = None
    key: str = ""  # for text: the string's key; for tables: the table name
    locale: str = ""
    text: str = ""
    table: Table | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """Package-wide facts that are evidence of who runs a copy, not of what was copied."""

    endpoints: tuple[str, ...] = ()  # server URLs, host names, IP[:port] found in configs, strings and code
    sdks: tuple[str, ...] = ()  # payment / login / analytics SDKs recognised by package or file names


@dataclass(frozen=True, slots=True)
class Extraction:
    assets: tuple[Asset, ...]
    facts: Facts
    warnings: tuple[AnalysisWarning, ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Fingerprint:
    algorithm: str  # 'sha256', 'pixels', 'phash', 'phash-mirror', 'dhash', 'colour', 'text', ...
    version: int
    value: str  # hex for hashes, normalised text for text


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Print:
    """An asset with its fingerprints: the unit the matcher and the baseline store work with."""

    asset: Asset
    fingerprints: tuple[Fingerprint, ...]
    width: int = 0
    height: int = 0
    thumbnail: bytes = b""  # small PNG of the decoded image, for verification and exhibits

    def value(self, algorithm: str) -> str | None:
        for fingerprint in self.fingerprints:
            if fingerprint.algorithm == algorithm:
                return fingerprint.value
        return None


@dataclass(frozen=True, slots=True)
class Analysis:
    """One package analysed up to fingerprints: what the baseline store keeps and what compare consumes."""

    package: Package
    facts: Facts
    prints: tuple[Print, ...]
    warnings: tuple[AnalysisWarning, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()  # (stage, seconds)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Match:
    category: Category
    baseline: str  # asset path in the baseline package
    suspect: str  # asset path in the suspect package
    similarity: float  # 0..1
    method: str  # 'sha256', 'pixels', 'phash', 'orb', 'normalised-text', 'fuzzy', 'table'
    # 'mirrored', 'recoloured', 'scaled', 'cropped', 'overlaid', 're-encoded', 'traditional', 'edited', ...
    transforms: tuple[str, ...] = ()
    evidence: str = ""  # one line a person can check: distances, counts, what differed
    weight: float = 1.0  # how much the baseline asset counts (common assets and generic strings count little)


@dataclass(frozen=True, slots=True)
class Difference:
    """A field that differs between the two packages: the court's 'name, prices, zones, payment' list."""

    field: str  # 'app_name', 'package_id', 'signer', 'endpoint', 'price', 'zone', 'payment_sdk', ...
    baseline: str
    suspect: str
    where: str = ""  # e.g. 'db/shop.csv row 钻石 column price'


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: tuple[Match, ...]
    differences: tuple[Difference, ...] = ()  # changed values found while matching (prices, stats, names)
    # How much a baseline asset counts toward its category (1.0 when absent): common engine/SDK art and
    # generic strings ("OK", "确定") count little, so sharing them does not make two games clones.
    weights: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryScore:
    category: Category
    score: float  # weighted share of the baseline's assets in this category that reappear in the suspect
    baseline_assets: int
    matched: int
    matches: tuple[Match, ...] = ()

    @property
    def finding(self) -> str:
        """The court's words: identical / similar / different."""
        if self.baseline_assets == 0:
            return "not present"
        if self.score >= 0.9:
            return "identical"
        if self.score >= 0.3:
            return "similar"
        return "different"


@dataclass(frozen=True, slots=True)
class Verdict:
    score: float
    clone: bool
    threshold: float
    reason: str  # one English sentence (CI logs, the JSON report)
    # the reason as data, so an exhibit can say it in its own language: the court's pattern ('copied',
    # 'icon-only', 'rules-only', 'nothing-copied', 'no-assets'; '' when not known) and the categories found
    # again identical (score >= 0.9) or similar
    pattern: str = ""
    identical: tuple[str, ...] = ()
    similar: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything the analysis found; the report module turns it into the versioned JSON contract."""

    baseline: Package
    suspect: Package
    categories: tuple[CategoryScore, ...]
    verdict: Verdict
    differences: tuple[Difference, ...]
    warnings: tuple[AnalysisWarning, ...]
    timings: tuple[tuple[str, float], ...] = field(default=())
    baseline_facts: Facts = field(default_factory=Facts)
    suspect_facts: Facts = field(default_factory=Facts)
    # What an exhibit shows beside each match, keyed 'baseline:<path>' / 'suspect:<path>': the thumbnails of
    # matched images and the values of matched strings, so the report can be rendered without the packages.
    thumbnails: tuple[tuple[str, bytes], ...] = ()
    texts: tuple[tuple[str, str], ...] = ()


def _reduce_to_call(self: object) -> tuple[type, tuple[object, ...]]:
    """Pickle a record as the call that makes it. The slotted dataclasses' own pickling calls
    dataclasses.fields() for every object it restores, which made shipping prints to and from worker
    processes a Python hot loop (3,000 prints with their ~30 fingerprints each: 0.5 s each way)."""
    names: tuple[str, ...] = type(self).__match_args__  # type: ignore[attr-defined]
    return type(self), tuple(getattr(self, name) for name in names)


# every record of this module: all their fields are __init__ arguments, in __match_args__ order
_RECORDS: tuple[type, ...] = (
    AnalysisWarning, Entry, Signer, LocalisedText, Package, Frame, Table, Asset, Facts, Extraction,
    Fingerprint, Print, Analysis, Match, Difference, MatchResult, CategoryScore, Verdict, Comparison,
)  # fmt: skip
for _record in _RECORDS:
    _record.__reduce__ = _reduce_to_call  # type: ignore[method-assign,assignment]
