"""The SQLite catalogue of a baseline store: schema, versioned in-place migrations and connections.

The schema version lives in `PRAGMA user_version`. MIGRATIONS[i] upgrades a catalogue from version i to i + 1,
inside one transaction, so an interrupted upgrade leaves the old version intact. A catalogue newer than this
code is refused rather than guessed at: an older tool must not misread a newer store.

WAL mode lets any number of readers (parallel scan workers) read while one writer adds a baseline or caches a
suspect; `busy_timeout` makes a second writer wait instead of failing.

Version history:
1. baselines, packages, prints (fingerprints inline as JSON), digests (exact-match keys), suspect cache.
2. hamming (64-bit perceptual hashes as integers, for the packed numpy index), text_bands (MinHash LSH keys
   of longer strings), packages.categories (assets per category, for ranking), common_weights (per-package
   cache), and a `generation` counter that changes whenever a baseline is added or removed, so derived
   caches know when they are stale.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from clonedetect.errors import InputError
from clonedetect.store.index import hamming_bits, text_band_keys

CATALOGUE_NAME = "catalogue.sqlite"
BUSY_TIMEOUT_MS = 30_000  # a parallel scan's workers all cache their suspects; let them queue, not fail

_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE baselines (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    folder TEXT NOT NULL UNIQUE,      -- its folder under the store root (baseline.toml, thumbnails)
    common INTEGER NOT NULL DEFAULT 0 -- 1: a pack of common assets (engine splash, SDK art), not a game
);
CREATE TABLE packages (
    id INTEGER PRIMARY KEY,
    baseline_id INTEGER NOT NULL REFERENCES baselines(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,             -- file name only: a store must not leak the analyst's folders
    format TEXT NOT NULL,
    app_name TEXT NOT NULL,
    package_id TEXT NOT NULL,
    version_name TEXT NOT NULL,
    prints INTEGER NOT NULL,          -- number of prints: the denominator of the ranking score
    package BLOB NOT NULL,            -- zlib JSON of the Package (entries, signers, strings ...)
    facts TEXT NOT NULL,              -- JSON
    warnings TEXT NOT NULL,           -- JSON
    UNIQUE (baseline_id, sha256)
);
CREATE TABLE prints (
    package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,         -- position in the Analysis' prints
    path TEXT NOT NULL,
    entry TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    found_by TEXT NOT NULL,
    frame TEXT,                       -- JSON or NULL
    key TEXT NOT NULL,
    locale TEXT NOT NULL,
    text TEXT NOT NULL,
    table_json TEXT,                  -- JSON or NULL
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    thumbnail TEXT NOT NULL,          -- sha256 of the thumbnail file in the baseline folder, '' for none
    fingerprints TEXT NOT NULL,       -- JSON [[algorithm, version, value], ...]
    PRIMARY KEY (package_id, ordinal)
);
CREATE TABLE digests (
    key BLOB NOT NULL,                -- blake2b-128 of 'algorithm NUL value' of the print's exact-match value
    package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL
);
CREATE INDEX digests_key ON digests (key);
CREATE INDEX digests_package ON digests (package_id);
CREATE TABLE suspect_cache (
    key TEXT PRIMARY KEY,             -- input sha256 + tool version + settings hash
    sha256 TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    analysis BLOB NOT NULL            -- zlib JSON of the whole Analysis, thumbnails included
);
"""

_SCHEMA_2 = """
-- JSON {category: number of prints}
ALTER TABLE packages ADD COLUMN categories TEXT NOT NULL DEFAULT '{}';
CREATE TABLE hamming (
    package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    bits INTEGER NOT NULL             -- the 64-bit phash as a signed integer
);
CREATE INDEX hamming_package ON hamming (package_id);
CREATE TABLE text_bands (
    band INTEGER NOT NULL,            -- one MinHash LSH band key of the normalised string
    package_id INTEGER NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL
);
CREATE INDEX text_bands_band ON text_bands (band);
CREATE INDEX text_bands_package ON text_bands (package_id);
CREATE TABLE common_weights (
    package_id INTEGER PRIMARY KEY REFERENCES packages(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    weights TEXT NOT NULL             -- JSON [[path, weight], ...]
);
"""


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Statement by statement: executescript() would COMMIT the migration's transaction half way."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def _migrate_0_to_1(db: sqlite3.Connection) -> None:
    _run_script(db, _SCHEMA_1)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """Add the integer Hamming table and the text bands, filled from the inline fingerprints of version 1."""
    _run_script(db, _SCHEMA_2)
    rows = db.execute(
        "SELECT package_id, ordinal, kind, fingerprints FROM prints ORDER BY package_id, ordinal"
    )
    hamming: list[tuple[int, int, int]] = []
    texts: list[tuple[int, int, str]] = []
    for package_id, ordinal, kind, fingerprints in rows:
        values = {algorithm: value for algorithm, _version, value in json.loads(fingerprints)}
        bits = hamming_bits(values)
        if bits is not None:
            hamming.append((package_id, ordinal, bits))
        if kind == "text" and "text" in values:
            texts.append((package_id, ordinal, values["text"]))
    db.executemany("INSERT INTO hamming (package_id, ordinal, bits) VALUES (?, ?, ?)", hamming)
    keys = text_band_keys([text for _, _, text in texts])
    db.executemany(
        "INSERT INTO text_bands (band, package_id, ordinal) VALUES (?, ?, ?)",
        (
            (int(band), package_id, ordinal)
            for (package_id, ordinal, _), bands in zip(texts, keys, strict=True)
            for band in bands
        ),
    )
    counts: dict[int, dict[str, int]] = {}
    for package_id, category, count in db.execute(
        "SELECT package_id, category, COUNT(*) FROM prints GROUP BY package_id, category"
    ):
        counts.setdefault(package_id, {})[category] = count
    db.executemany(
        "UPDATE packages SET categories = ? WHERE id = ?",
        ((json.dumps(value, sort_keys=True), package_id) for package_id, value in sorted(counts.items())),
    )
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', '1')")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_0_to_1, _migrate_1_to_2)
SCHEMA_VERSION = len(MIGRATIONS)


def connect(
    path: Path, *, readonly: bool = False, target_version: int = SCHEMA_VERSION
) -> sqlite3.Connection:
    """Open (creating and upgrading when allowed) the catalogue at `path`.

    `target_version` below the current one exists for tests of the migrations, which need an old catalogue.
    """
    if readonly and not path.is_file():
        raise InputError(f"{path}: no baseline catalogue here")
    try:
        if readonly:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        else:
            db = sqlite3.connect(path, isolation_level=None)  # autocommit; transactions are explicit
    except sqlite3.Error as error:
        raise InputError(f"{path}: cannot open the baseline catalogue ({error})") from None
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise InputError(
                f"{path}: catalogue schema version {version} is newer than this clonedetect understands "
                f"({SCHEMA_VERSION}); upgrade clonedetect"
            )
        if not readonly:
            db.execute("PRAGMA journal_mode = WAL")
            _upgrade(db, version, target_version)
        elif version < SCHEMA_VERSION:
            raise InputError(
                f"{path}: catalogue schema version {version} needs an upgrade; open it for writing"
            )
    except sqlite3.DatabaseError as error:
        db.close()
        raise InputError(f"{path}: not a baseline catalogue ({error})") from None
    except InputError:
        db.close()
        raise
    return db


def _upgrade(db: sqlite3.Connection, version: int, target: int) -> None:
    while version < target:
        with transaction(db):
            # re-read inside the write lock: another process may have upgraded meanwhile
            current = int(db.execute("PRAGMA user_version").fetchone()[0])
            if current == version:
                MIGRATIONS[version](db)
                db.execute(f"PRAGMA user_version = {version + 1}")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error: writers take the lock before reading."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def generation(db: sqlite3.Connection) -> int:
    """A counter that changes with every add or remove: derived caches (index files, weights) key on it."""
    row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def bump_generation(db: sqlite3.Connection) -> int:
    """Call inside the write transaction that changes the baselines."""
    value = generation(db) + 1
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (str(value),))
    return value
