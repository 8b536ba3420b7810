"""Rank every baseline for one suspect through the indexes, before any full comparison.

Three searches find which baseline assets reappear in the suspect:
- exact: the suspect's digests joined with the catalogue's `digests` (an indexed SQLite join);
- near: the suspect's perceptual hashes (and their mirrors) in the Hamming index;
- fuzzy text: MinHash band keys joined with `text_bands`, each candidate pair then verified with rapidfuzz.

For each baseline package the found assets give a share per category, and score.py's verdict formula over
those shares gives an estimate of what the full comparison will find; baselines are ranked by the estimate of
their best package. A suspect asset that matches two or more
unrelated baselines, or a common pack, is common: what it matches counts COMMON_WEIGHT. Common packs are
never candidates themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from clonedetect.model import Analysis, AssetKind
from clonedetect.settings import Settings
from clonedetect.store import serialise
from clonedetect.store.baselines import BaselineStore
from clonedetect.store.common import COMMON_WEIGHT
from clonedetect.store.index import (
    QUERY_ALGORITHMS,
    exact_keys,
    hamming_bits,
    print_values,
    text_band_keys,
    to_unsigned,
)

EXACT, NEAR, FUZZY = 0, 1, 2
MAX_FUZZY_PAIRS = 200_000  # candidate string pairs verified per suspect; LSH keeps real counts far lower


@dataclass(frozen=True, slots=True)
class Candidate:
    """One baseline as the indexes see it for one suspect."""

    baseline: str
    package_row: int  # the baseline's best package (highest estimate)
    estimate: float  # the verdict formula applied to the index's category shares: what compare may find
    score: float  # weighted share of that package's assets found in the suspect, 0..1
    matched: int  # assets of that package found
    assets: int  # assets of that package
    exact: int  # ... found by exact value
    near: int  # ... by perceptual hash only
    fuzzy: int  # ... by fuzzy text only


@dataclass(frozen=True, slots=True)
class _PackageTable:
    """Every stored package as sorted parallel arrays, for vectorised lookups by package row id."""

    ids: np.ndarray
    baseline: np.ndarray
    prints: np.ndarray
    common: np.ndarray  # bool: the package belongs to a common pack
    names: tuple[str, ...]  # baseline name
    categories: tuple[dict[str, int], ...]  # assets per category

    @classmethod
    def read(cls, db: sqlite3.Connection) -> _PackageTable:
        rows = db.execute(
            "SELECT p.id, p.baseline_id, p.prints, b.common, b.name, p.categories FROM packages p "
            "JOIN baselines b ON b.id = p.baseline_id ORDER BY p.id"
        ).fetchall()
        numbers = np.array([row[:4] for row in rows], dtype=np.int64).reshape(len(rows), 4)
        return cls(
            numbers[:, 0],
            numbers[:, 1],
            numbers[:, 2],
            numbers[:, 3] != 0,
            tuple(r[4] for r in rows),
            tuple(_counts(r[5]) for r in rows),
        )

    def position(self, package_rows: np.ndarray) -> np.ndarray:
        """Index of each package row in the table, -1 when it is not (or no longer) stored."""
        at = np.searchsorted(self.ids, package_rows)
        clipped = np.minimum(at, max(len(self.ids) - 1, 0))
        found = (at < len(self.ids)) & (self.ids[clipped] == package_rows) if len(self.ids) else at < 0
        return np.where(found, clipped, -1)


def _counts(stored: str) -> dict[str, int]:
    data = serialise.loads(stored)
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}


@dataclass(frozen=True, slots=True)
class _Hits:
    """Matched (suspect ordinal, package row, baseline ordinal, method) as parallel arrays."""

    suspect: np.ndarray
    package: np.ndarray
    ordinal: np.ndarray
    method: np.ndarray


def rank_baselines(store: BaselineStore, suspect: Analysis, settings: Settings) -> tuple[Candidate, ...]:
    """Candidates with any evidence, best first (estimate, then share found, then name)."""
    hits = _concat(
        [
            _exact_hits(store.db, suspect),
            _near_hits(store, suspect, settings.thresholds.phash_distance),
            _fuzzy_hits(store.db, suspect, settings.thresholds.fuzzy_text),
        ]
    )
    if len(hits.suspect) == 0:
        return ()
    packages = _PackageTable.read(store.db)
    position = packages.position(hits.package)
    hits = _select(hits, position >= 0)  # a package removed since the index was built
    position = position[position >= 0]
    common_pack = packages.common[position]
    suspect_common = _common_suspect_assets(hits.suspect, packages.baseline[position], common_pack)
    return _score(store.db, _select(hits, ~common_pack), suspect_common, packages, settings)


def _common_suspect_assets(suspect: np.ndarray, baseline: np.ndarray, common_pack: np.ndarray) -> np.ndarray:
    """Suspect ordinals that match two or more game baselines, or any common pack."""
    games = np.unique(np.stack([suspect[~common_pack], baseline[~common_pack]]), axis=1)
    ordinals, counts = np.unique(games[0], return_counts=True)
    spread = ordinals[counts >= 2]
    return np.union1d(spread, np.unique(suspect[common_pack]))


def _score(
    db: sqlite3.Connection,
    games: _Hits,
    suspect_common: np.ndarray,
    packages: _PackageTable,
    settings: Settings,
) -> tuple[Candidate, ...]:
    if len(games.suspect) == 0:
        return ()
    own = ~np.isin(games.suspect, suspect_common)
    # per baseline asset: matched by any non-common suspect asset -> weight 1, else COMMON_WEIGHT; and its
    # strongest method (exact < near < fuzzy)
    assets, inverse = np.unique(np.stack([games.package, games.ordinal]), axis=1, return_inverse=True)
    inverse = inverse.ravel()
    weight = np.full(assets.shape[1], COMMON_WEIGHT)
    np.maximum.at(weight, inverse, np.where(own, 1.0, COMMON_WEIGHT))
    method = np.full(assets.shape[1], FUZZY)
    np.minimum.at(method, inverse, games.method)
    category = _categories(db, assets)
    best: dict[str, Candidate] = {}
    for package_row in np.unique(assets[0]):
        mine = assets[0] == package_row
        at = int(packages.position(np.array([package_row]))[0])
        total, name = int(packages.prints[at]), packages.names[at]
        earned: dict[str, float] = {}
        for cat, value in zip(category[mine], weight[mine], strict=True):
            earned[cat] = earned.get(cat, 0.0) + float(value)
        candidate = Candidate(
            baseline=name,
            package_row=int(package_row),
            estimate=_estimate(earned, packages.categories[at], settings),
            score=round(min(1.0, float(weight[mine].sum()) / max(total, 1)), 4),
            matched=int(mine.sum()),
            assets=total,
            exact=int((method[mine] == EXACT).sum()),
            near=int((method[mine] == NEAR).sum()),
            fuzzy=int((method[mine] == FUZZY).sum()),
        )
        current = best.get(name)
        if current is None or (candidate.estimate, candidate.score) > (current.estimate, current.score):
            best[name] = candidate
    return tuple(sorted(best.values(), key=lambda c: (-c.estimate, -c.score, c.baseline)))


def _estimate(earned: dict[str, float], totals: dict[str, int], settings: Settings) -> float:
    """score.py's verdict formula over the index's per-category shares (weighted categories the package
    has), so candidates are ranked and cut the way the full comparison will judge them."""
    weighted = [
        (settings.weights.of(c), c) for c, n in totals.items() if n > 0 and settings.weights.of(c) > 0
    ]
    total = sum(w for w, _ in weighted)
    if total <= 0:
        return 0.0
    return round(sum(w * min(1.0, earned.get(c, 0.0) / totals[c]) for w, c in weighted) / total, 4)


def _categories(db: sqlite3.Connection, assets: np.ndarray) -> np.ndarray:
    """The stored category of each (package, ordinal) column of `assets`."""
    keys = [(int(p), int(o)) for p, o in assets.T]
    db.execute("CREATE TEMP TABLE IF NOT EXISTS probe_assets (package_id INTEGER, ordinal INTEGER)")
    db.execute("DELETE FROM probe_assets")
    db.executemany("INSERT INTO probe_assets VALUES (?, ?)", keys)
    found = {
        (package, ordinal): category
        for package, ordinal, category in db.execute(
            "SELECT p.package_id, p.ordinal, p.category FROM probe_assets q "
            "JOIN prints p ON p.package_id = q.package_id AND p.ordinal = q.ordinal"
        )
    }
    db.execute("DELETE FROM probe_assets")
    return np.array([found.get(key, "") for key in keys], dtype=object)


def _exact_hits(db: sqlite3.Connection, suspect: Analysis) -> _Hits:
    rows = [(key, ordinal) for ordinal, item in enumerate(suspect.prints) for key in exact_keys(item)]
    found = _join(db, "digests", "key BLOB", rows)
    return _hits(found, EXACT)


def _near_hits(store: BaselineStore, suspect: Analysis, radius: int) -> _Hits:
    bits: list[int] = []
    owners: list[int] = []
    for ordinal, item in enumerate(suspect.prints):
        if item.asset.kind is not AssetKind.IMAGE:
            continue
        values = print_values(item)
        for algorithm in QUERY_ALGORITHMS:
            value = hamming_bits(values, algorithm)
            if value is not None:
                bits.append(value)
                owners.append(ordinal)
    if not bits:
        return _hits([], NEAR)
    index = store.hamming_index()
    found = index.index.search(to_unsigned(bits), radius)
    return _Hits(
        np.asarray(owners, dtype=np.int64)[found.queries],
        index.package_ids[found.items],
        index.ordinals[found.items],
        np.full(len(found.items), NEAR, dtype=np.int64),
    )


def _fuzzy_hits(db: sqlite3.Connection, suspect: Analysis, cutoff: float) -> _Hits:
    texts = [
        (ordinal, value)
        for ordinal, item in enumerate(suspect.prints)
        if item.asset.kind is AssetKind.TEXT and (value := item.value("text"))
    ]
    bands = text_band_keys([text for _, text in texts])
    rows = [(int(band), ordinal) for (ordinal, _), keys in zip(texts, bands, strict=True) for band in keys]
    pairs = sorted(set(_join(db, "text_bands", "band INTEGER", rows)))[:MAX_FUZZY_PAIRS]
    if not pairs:
        return _hits([], FUZZY)
    baseline_text = _baseline_texts(db, sorted({(package, ordinal) for _, package, ordinal in pairs}))
    own_text = dict(texts)
    kept = [pair for pair in pairs if (pair[1], pair[2]) in baseline_text]
    scores = cpdist(
        [own_text[s] for s, _, _ in kept],
        [baseline_text[(p, o)] for _, p, o in kept],
        scorer=fuzz.ratio,
        workers=1,
    )
    return _hits([pair for pair, score in zip(kept, scores, strict=True) if score >= cutoff], FUZZY)


def _baseline_texts(db: sqlite3.Connection, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
    db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (package_id INTEGER, ordinal INTEGER)")
    db.execute("DELETE FROM wanted")
    db.executemany("INSERT INTO wanted VALUES (?, ?)", keys)
    texts: dict[tuple[int, int], str] = {}
    for package, ordinal, fingerprints in db.execute(
        "SELECT p.package_id, p.ordinal, p.fingerprints FROM wanted w "
        "JOIN prints p ON p.package_id = w.package_id AND p.ordinal = w.ordinal"
    ):
        values = {alg: value for alg, _version, value in serialise.loads(fingerprints)}
        if "text" in values:
            texts[(package, ordinal)] = values["text"]
    db.execute("DELETE FROM wanted")
    return texts


def _join(
    db: sqlite3.Connection, table: str, column: str, rows: Sequence[tuple[object, int]]
) -> list[tuple[int, int, int]]:
    """(suspect ordinal, package, baseline ordinal) for every row of `table` whose key is among `rows`."""
    if not rows:
        return []
    name, _ = column.split()
    probe = f"probe_{table}"
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {probe} ({column}, ordinal INTEGER)")
    db.execute(f"DELETE FROM {probe}")
    db.executemany(f"INSERT INTO {probe} VALUES (?, ?)", rows)
    found = db.execute(
        f"SELECT DISTINCT q.ordinal, t.package_id, t.ordinal FROM {probe} q "
        f"JOIN {table} t ON t.{name} = q.{name}"
    ).fetchall()
    db.execute(f"DELETE FROM {probe}")
    return found


def _hits(rows: Sequence[tuple[int, int, int]], method: int) -> _Hits:
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    return _Hits(table[:, 0], table[:, 1], table[:, 2], np.full(len(rows), method, dtype=np.int64))


def _concat(parts: Sequence[_Hits]) -> _Hits:
    return _Hits(
        np.concatenate([p.suspect for p in parts]),
        np.concatenate([p.package for p in parts]),
        np.concatenate([p.ordinal for p in parts]),
        np.concatenate([p.method for p in parts]),
    )


def _select(hits: _Hits, keep: np.ndarray) -> _Hits:
    return _Hits(hits.suspect[keep], hits.package[keep], hits.ordinal[keep], hits.method[keep])
