"""The baseline store: a folder with the SQLite catalogue, one folder per baseline (baseline.toml and
thumbnails) and derived index files.

    baselines/
      catalogue.sqlite            prints, fingerprints, exact-match digests, hashes, text bands, suspect cache
      legend-of-dragons/
        baseline.toml             name, owner, rights, contact, category labels (edit freely)
        thumbnails/<sha256>.png   every baseline image, small, for exhibits
      .index/hamming-<generation>.npz   the packed Hamming index, rebuilt when the baselines change

A baseline is one game: one or more packages (APK, IPA, store listing). Adding a package that is already
registered (same sha256) is a no-op, so `baseline add` can be re-run safely.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

import numpy as np

from clonedetect.errors import InputError, UsageError
from clonedetect.fingerprint_versions import CURRENT, OTHER, outdated
from clonedetect.model import Analysis, AnalysisWarning, AssetKind, Print
from clonedetect.store import catalogue, serialise
from clonedetect.store.catalogue import transaction
from clonedetect.store.index import (
    HammingIndex,
    exact_keys,
    hamming_bits,
    print_values,
    text_band_keys,
)
from clonedetect.store.metadata import (
    METADATA_NAME,
    BaselineMetadata,
    apply_labels,
    read_metadata,
    write_metadata,
)
from clonedetect.store.thumbnails import load_thumbnail, save_thumbnail

DEFAULT_STORE = Path("baselines")
STORE_ENV = "CLONEDETECT_STORE"
INDEX_DIR = ".index"
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def store_root(option: Path | None, environ: dict[str, str] | None = None) -> Path:
    """--store, else $CLONEDETECT_STORE, else ./baselines."""
    if option is not None:
        return option
    environ = dict(os.environ) if environ is None else environ
    value = environ.get(STORE_ENV, "").strip()
    return Path(value) if value else DEFAULT_STORE


@dataclass(frozen=True, slots=True)
class PackageInfo:
    row_id: int
    sha256: str
    source: str
    format: str
    app_name: str
    package_id: str
    version_name: str
    prints: int


@dataclass(frozen=True, slots=True)
class BaselineInfo:
    row_id: int
    name: str
    folder: str
    metadata: BaselineMetadata
    packages: tuple[PackageInfo, ...]
    categories: tuple[tuple[str, int], ...] = ()  # prints per category over all packages, sorted

    @property
    def common(self) -> bool:
        return self.metadata.common


@dataclass(frozen=True, slots=True)
class AddResult:
    baseline: BaselineInfo
    added: tuple[str, ...]  # sha256 of the packages added now
    skipped: tuple[str, ...]  # sha256 of packages that were already registered


@dataclass(frozen=True, slots=True, eq=False)
class StoreIndex:
    """The Hamming index over every baseline image, with who owns each item."""

    generation: int
    index: HammingIndex
    package_ids: np.ndarray  # int64 per item
    ordinals: np.ndarray  # int64 per item
    baseline_ids: np.ndarray  # int64 per item


class BaselineStore:
    """An open store. Use as a context manager, or call close()."""

    def __init__(self, root: Path, *, create: bool = False) -> None:
        self.root = root
        if not root.is_dir():
            if not create:
                raise UsageError(
                    f"no baseline store at {root} (register a game with 'clonedetect baseline add', "
                    f"or point --store / ${STORE_ENV} at the store)"
                )
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise UsageError(
                    f"cannot create the baseline store {root}: {error.strerror or error}"
                ) from None
        self.db = catalogue.connect(root / catalogue.CATALOGUE_NAME)
        self._index: StoreIndex | None = None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> BaselineStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def generation(self) -> int:
        return catalogue.generation(self.db)

    # ----------------------------------------------------------------------------------------------------
    # reading

    def baselines(self) -> list[BaselineInfo]:
        rows = self.db.execute("SELECT id, name, folder, common FROM baselines ORDER BY name").fetchall()
        return [self._info(*row) for row in rows]

    def get(self, name: str) -> BaselineInfo:
        """The baseline called `name` (exactly, else case-insensitively when that is unambiguous)."""
        row = self.db.execute(
            "SELECT id, name, folder, common FROM baselines WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            folded = unicodedata.normalize("NFKC", name).casefold()
            rows = [
                r
                for r in self.db.execute("SELECT id, name, folder, common FROM baselines ORDER BY name")
                if unicodedata.normalize("NFKC", r[1]).casefold() == folded
            ]
            if len(rows) != 1:
                known = ", ".join(repr(info.name) for info in self.baselines()) or "none"
                raise UsageError(f"no baseline named {name!r} in {self.root} (registered: {known})")
            row = rows[0]
        return self._info(*row)

    def exists(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM baselines WHERE name = ?", (name,)).fetchone() is not None

    def _info(self, row_id: int, name: str, folder: str, common: int) -> BaselineInfo:
        packages = tuple(
            PackageInfo(*row)
            for row in self.db.execute(
                "SELECT id, sha256, source, format, app_name, package_id, version_name, prints FROM packages "
                "WHERE baseline_id = ? ORDER BY sha256",
                (row_id,),
            )
        )
        categories = tuple(
            (category, count)
            for category, count in self.db.execute(
                "SELECT category, COUNT(*) FROM prints JOIN packages ON packages.id = prints.package_id "
                "WHERE packages.baseline_id = ? GROUP BY category ORDER BY category",
                (row_id,),
            )
        )
        metadata = self._metadata(name, folder, bool(common))
        return BaselineInfo(row_id, name, folder, metadata, packages, categories)

    def _metadata(self, name: str, folder: str, common: bool) -> BaselineMetadata:
        """baseline.toml as the user left it; the catalogue's name and kind stay authoritative."""
        path = self.root / folder / METADATA_NAME
        if not path.is_file():
            return BaselineMetadata(name=name, common=common)
        return replace(read_metadata(path), name=name, common=common)

    def package_baseline(self, package_row: int) -> BaselineInfo:
        row = self.db.execute(
            "SELECT b.id, b.name, b.folder, b.common FROM packages p "
            "JOIN baselines b ON b.id = p.baseline_id WHERE p.id = ?",
            (package_row,),
        ).fetchone()
        if row is None:
            raise UsageError(f"package {package_row} is no longer in the store {self.root}")
        return self._info(*row)

    def load_package(self, package_row: int, *, labels: bool = True) -> Analysis:
        """One stored package as an Analysis: thumbnails read back, baseline.toml's labels applied."""
        baseline = self.package_baseline(package_row)
        row = self.db.execute(
            "SELECT package, facts, warnings FROM packages WHERE id = ?", (package_row,)
        ).fetchone()
        if row is None:
            raise UsageError(f"package {package_row} is no longer in the store {self.root}")
        package = serialise.package_from_dict(serialise.decode_blob(row[0]))
        folder = self.root / baseline.folder
        prints = []
        for values in self.db.execute(
            "SELECT path, entry, kind, category, media_type, sha256, size, found_by, frame, key, locale, "
            "text, table_json, width, height, thumbnail, fingerprints FROM prints WHERE package_id = ? "
            "ORDER BY ordinal",
            (package_row,),
        ):
            prints.append(print_from_row(values, load_thumbnail(folder, values[15])))
        stored_warnings = serialise.warnings_from_list(serialise.loads(row[2]))
        analysis = Analysis(
            package=package,
            facts=serialise.facts_from_dict(serialise.loads(row[1])),
            prints=tuple(prints),
            warnings=(*stored_warnings, *_outdated_warnings(package.source, prints)),
        )
        return apply_labels(analysis, baseline.metadata.labels) if labels else analysis

    def load_baseline(self, name: str) -> list[Analysis]:
        """Every package of a baseline (for `compare NAME SUSPECT`)."""
        return [self.load_package(package.row_id) for package in self.get(name).packages]

    # ----------------------------------------------------------------------------------------------------
    # writing

    def add(self, metadata: BaselineMetadata, analyses: Sequence[Analysis]) -> AddResult:
        """Register packages under `metadata.name`, creating the baseline or adding to it."""
        name = metadata.name.strip()
        if not name:
            raise UsageError("a baseline needs a name (--name)")
        added: list[str] = []
        skipped: list[str] = []
        with transaction(self.db):
            row = self.db.execute(
                "SELECT id, folder, common FROM baselines WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                folder = self._new_folder(name)
                cursor = self.db.execute(
                    "INSERT INTO baselines (name, folder, common) VALUES (?, ?, ?)",
                    (name, folder, int(metadata.common)),
                )
                baseline_id = int(cursor.lastrowid or 0)
                stored = replace(metadata, name=name)
            else:
                baseline_id, folder, common = int(row[0]), str(row[1]), bool(row[2])
                if common != metadata.common:
                    kind = "a common-asset pack" if common else "a game"
                    raise UsageError(f"{name!r} is registered as {kind}; use another name")
                stored = self._metadata(name, folder, common).merged(metadata)
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            for analysis in analyses:
                exists = self.db.execute(
                    "SELECT 1 FROM packages WHERE baseline_id = ? AND sha256 = ?",
                    (baseline_id, analysis.package.sha256),
                ).fetchone()
                if exists or analysis.package.sha256 in added:
                    skipped.append(analysis.package.sha256)
                    continue
                self._insert_package(baseline_id, self.root / folder, analysis)
                added.append(analysis.package.sha256)
            if added or row is None:
                catalogue.bump_generation(self.db)
            write_metadata(self.root / folder / METADATA_NAME, stored)
        return AddResult(self.get(name), tuple(added), tuple(skipped))

    def _new_folder(self, name: str) -> str:
        base = slug(name)
        taken = {row[0] for row in self.db.execute("SELECT folder FROM baselines")}
        folder, number = base, 2
        while folder in taken or (self.root / folder).exists():
            folder, number = f"{base}-{number}", number + 1
        return folder

    def _insert_package(self, baseline_id: int, folder: Path, analysis: Analysis) -> int:
        package = replace(analysis.package, source=PurePath(analysis.package.source).name)
        cursor = self.db.execute(
            "INSERT INTO packages (baseline_id, sha256, source, format, app_name, package_id, version_name, "
            "prints, package, facts, warnings, categories) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                baseline_id,
                package.sha256,
                package.source,
                str(package.format),
                package.app_name,
                package.package_id,
                package.version_name,
                len(analysis.prints),
                serialise.encode_blob(serialise.package_to_dict(package)),
                serialise.dumps(serialise.facts_to_dict(analysis.facts)),
                serialise.dumps(serialise.warnings_to_list(analysis.warnings)),
                serialise.dumps(dict(Counter(str(p.asset.category) for p in analysis.prints))),
            ),
        )
        package_row = int(cursor.lastrowid or 0)
        insert_prints(
            self.db, package_row, analysis.prints, lambda item: save_thumbnail(folder, item.thumbnail)
        )
        return package_row

    def remove(self, name: str) -> BaselineInfo:
        info = self.get(name)
        with transaction(self.db):
            self.db.execute("DELETE FROM baselines WHERE id = ?", (info.row_id,))
            catalogue.bump_generation(self.db)
        self._remove_folder(info.folder)
        return info

    def _remove_folder(self, folder: str) -> None:
        # the folder name comes from the catalogue, which a user can edit: only ever delete a direct child
        target = (self.root / folder).resolve()
        if folder != slug_safe(folder) or target.parent != self.root.resolve() or not target.is_dir():
            return
        shutil.rmtree(target, ignore_errors=True)

    # ----------------------------------------------------------------------------------------------------
    # the Hamming index

    def hamming_index(self) -> StoreIndex:
        """The index for the current generation: from this process' memory, the index file, or built."""
        current = self.generation()
        if self._index is not None and self._index.generation == current:
            return self._index
        directory = self.root / INDEX_DIR
        path = directory / f"hamming-{current}.npz"
        loaded: StoreIndex | None = None
        if path.is_file():
            with contextlib.suppress(OSError, ValueError, KeyError):
                index, extra = HammingIndex.load(path)
                loaded = StoreIndex(
                    current, index, extra["package_ids"], extra["ordinals"], extra["baseline_ids"]
                )
        if loaded is None:
            loaded = self._build_index(current)
            self._save_index(directory, path, loaded)
        self._index = loaded
        return loaded

    def _build_index(self, current: int) -> StoreIndex:
        rows = self.db.execute(
            "SELECT h.bits, h.package_id, h.ordinal, p.baseline_id FROM hamming h "
            "JOIN packages p ON p.id = h.package_id ORDER BY h.package_id, h.ordinal"
        ).fetchall()
        table = np.array(rows, dtype=np.int64).reshape(len(rows), 4)
        return StoreIndex(
            current,
            HammingIndex.build(table[:, 0].view(np.uint64)),
            np.ascontiguousarray(table[:, 1]),
            np.ascontiguousarray(table[:, 2]),
            np.ascontiguousarray(table[:, 3]),
        )

    def _save_index(self, directory: Path, path: Path, loaded: StoreIndex) -> None:
        """Atomic write, then drop the files of older generations. A failure only costs a rebuild later."""
        with contextlib.suppress(OSError):
            directory.mkdir(exist_ok=True)
            temporary = directory / f".{path.name}.{os.getpid()}.tmp"
            loaded.index.save(
                temporary,
                {
                    "package_ids": loaded.package_ids,
                    "ordinals": loaded.ordinals,
                    "baseline_ids": loaded.baseline_ids,
                },
            )
            temporary.replace(path)
            for old in directory.glob("hamming-*.npz"):
                if old != path:
                    old.unlink(missing_ok=True)

    # ----------------------------------------------------------------------------------------------------
    # the suspect cache

    def cached_analysis(self, key: str) -> Analysis | None:
        row = self.db.execute("SELECT analysis FROM suspect_cache WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return serialise.analysis_from_dict(serialise.decode_blob(row[0]))
        except InputError:
            return None  # written by a broken run or edited: analyse again

    def cache_analysis(
        self, key: str, sha256: str, tool_version: str, settings_hash: str, analysis: Analysis
    ) -> None:
        blob = serialise.encode_blob(serialise.analysis_to_dict(analysis))
        with transaction(self.db):
            self.db.execute(
                "INSERT OR REPLACE INTO suspect_cache (key, sha256, tool_version, settings_hash, analysis) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, sha256, tool_version, settings_hash, blob),
            )


def insert_prints(
    db: sqlite3.Connection, package_row: int, prints: Sequence[Print], thumbnail: Callable[[Print], str]
) -> None:
    """The rows of one package's prints and everything the indexes derive from them."""
    print_rows = []
    digest_rows = []
    hamming_rows = []
    texts: list[tuple[int, str]] = []
    for ordinal, item in enumerate(prints):
        print_rows.append(print_row(package_row, ordinal, item, thumbnail(item)))
        digest_rows.extend((key, package_row, ordinal) for key in exact_keys(item))
        values = print_values(item)
        bits = hamming_bits(values)
        if bits is not None and item.asset.kind is AssetKind.IMAGE:
            hamming_rows.append((package_row, ordinal, bits))
        if item.asset.kind is AssetKind.TEXT and values.get("text"):
            texts.append((ordinal, values["text"]))
    db.executemany(f"INSERT INTO prints VALUES ({', '.join('?' * 19)})", print_rows)
    db.executemany("INSERT INTO digests (key, package_id, ordinal) VALUES (?, ?, ?)", digest_rows)
    db.executemany("INSERT INTO hamming (package_id, ordinal, bits) VALUES (?, ?, ?)", hamming_rows)
    bands = text_band_keys([text for _, text in texts])
    db.executemany(
        "INSERT INTO text_bands (band, package_id, ordinal) VALUES (?, ?, ?)",
        (
            (int(band), package_row, ordinal)
            for (ordinal, _), keys in zip(texts, bands, strict=True)
            for band in keys
        ),
    )


def _outdated_warnings(source: str, prints: Sequence[Print]) -> list[AnalysisWarning]:
    """One warning per asset kind whose stored fingerprints another version of the algorithms computed:
    compared with fresh ones they can miss copies or pair the wrong assets, so the report must say so."""
    return [
        AnalysisWarning(
            source,
            f"stored {kind.value} fingerprints are of version {', '.join(map(str, versions))}, this "
            f"clonedetect computes version {CURRENT.get(kind, OTHER)}: to compare like with like, remove the "
            "baseline and add its packages again",
        )
        for kind, versions in outdated(prints).items()
    ]


def print_row(package_row: int, ordinal: int, item: Print, thumbnail: str) -> tuple[object, ...]:
    asset = item.asset
    frame = serialise.frame_to_dict(asset.frame)
    table = serialise.table_to_dict(asset.table)
    return (
        package_row,
        ordinal,
        asset.path,
        asset.entry,
        str(asset.kind),
        str(asset.category),
        asset.media_type,
        asset.sha256,
        asset.size,
        asset.found_by,
        None if frame is None else serialise.dumps(frame),
        asset.key,
        asset.locale,
        asset.text,
        None if table is None else serialise.dumps(table),
        item.width,
        item.height,
        thumbnail,
        serialise.dumps(serialise.fingerprints_to_list(item.fingerprints)),
    )


def print_from_row(values: tuple[object, ...], thumbnail: bytes) -> Print:
    names = (
        "path",
        "entry",
        "kind",
        "category",
        "media_type",
        "sha256",
        "size",
        "found_by",
        "frame",
        "key",
        "locale",
        "text",
        "table",
    )
    asset = dict(zip(names, values[:13], strict=True))
    asset["frame"] = None if asset["frame"] is None else serialise.loads(str(asset["frame"]))
    asset["table"] = None if asset["table"] is None else serialise.loads(str(asset["table"]))
    data = {
        "asset": asset,
        "fingerprints": serialise.loads(str(values[16])),
        "width": values[13],
        "height": values[14],
    }
    return serialise.print_from_dict(data, thumbnail)


def slug(name: str) -> str:
    """A folder name for a baseline: lowercase ASCII words joined by '-' ('Legend of Dragons' ->
    'legend-of-dragons'); names with no ASCII letters get 'baseline'. Never a path a name could steer."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = _SLUG_UNSAFE.sub("-", ascii_name.lower()).strip("-")[:60].strip("-")
    return words or "baseline"


def slug_safe(folder: str) -> str:
    """`folder` if it is something slug() (plus a '-N' suffix) could have made, else ''."""
    return folder if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", folder) else ""


def is_registered(name: str, root: Path) -> bool:
    """True when the store at `root` has a baseline called `name` (for `compare NAME SUSPECT`); False when
    there is no store there or no such baseline (then NAME is meant as a path)."""
    if not (root / catalogue.CATALOGUE_NAME).is_file():
        return False
    with BaselineStore(root) as store:
        return store.exists(name)
