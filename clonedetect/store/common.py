"""Common assets: what a baseline shares with other, unrelated baselines or with a registered common pack.

Engine splash screens, SDK logos, default UI kits and generic strings (OK, 确定, 取消) turn up in games that
have nothing else in common. An asset of baseline B is common when its exact value (pixels, normalised text,
table content) is also in another baseline or a common pack (`baseline add --common`), or when its perceptual
hash is within the near-match distance of an image of another baseline or a common pack. Common assets keep
COMMON_WEIGHT instead of 1 in B's category scores, so two games that embed the same SDK are not clones.

The result is cached per package in the catalogue and recomputed when the baselines change (generation).
"""

from __future__ import annotations

import numpy as np

from clonedetect.settings import Settings
from clonedetect.store import catalogue, serialise
from clonedetect.store.baselines import BaselineStore
from clonedetect.store.index import to_unsigned

COMMON_WEIGHT = 0.1  # a common asset counts a tenth of an asset of the game's own


def common_weights(
    store: BaselineStore, package_row: int, settings: Settings
) -> tuple[tuple[str, float], ...]:
    """(asset path, weight) for the package's common assets, sorted by path, in the form of
    MatchResult.weights / score_matches(weights=...). Assets not listed weigh 1."""
    current = store.generation()
    radius = settings.thresholds.phash_distance
    row = store.db.execute(
        "SELECT generation, weights FROM common_weights WHERE package_id = ?", (package_row,)
    ).fetchone()
    if row is not None and row[0] == current and _radius_of(row[1]) == radius:
        return _decode(row[1])
    weights = _compute(store, package_row, radius)
    with catalogue.transaction(store.db):
        store.db.execute(
            "INSERT OR REPLACE INTO common_weights (package_id, generation, weights) VALUES (?, ?, ?)",
            (
                package_row,
                current,
                serialise.dumps({"radius": radius, "weights": [list(w) for w in weights]}),
            ),
        )
    return weights


def _compute(store: BaselineStore, package_row: int, radius: int) -> tuple[tuple[str, float], ...]:
    baseline_id = store.db.execute(
        "SELECT baseline_id FROM packages WHERE id = ?", (package_row,)
    ).fetchone()[0]
    common: set[int] = {
        ordinal
        for (ordinal,) in store.db.execute(
            "SELECT DISTINCT d.ordinal FROM digests d JOIN digests o ON o.key = d.key "
            "JOIN packages op ON op.id = o.package_id WHERE d.package_id = ? AND op.baseline_id != ?",
            (package_row, baseline_id),
        )
    }
    own = store.db.execute(
        "SELECT ordinal, bits FROM hamming WHERE package_id = ? ORDER BY ordinal", (package_row,)
    ).fetchall()
    if own:
        index = store.hamming_index()
        ordinals = np.array([ordinal for ordinal, _ in own], dtype=np.int64)
        found = index.index.search(to_unsigned([bits for _, bits in own]), radius)
        elsewhere = index.baseline_ids[found.items] != baseline_id
        common.update(int(o) for o in np.unique(ordinals[found.queries[elsewhere]]))
    if not common:
        return ()
    paths = dict(store.db.execute("SELECT ordinal, path FROM prints WHERE package_id = ?", (package_row,)))
    # several prints can share a path only through a broken extractor; the lowest weight wins then
    weights: dict[str, float] = {}
    for ordinal in common:
        weights[paths[ordinal]] = COMMON_WEIGHT
    return tuple(sorted(weights.items()))


def _radius_of(stored: str) -> int | None:
    data = serialise.loads(stored)
    radius = data.get("radius") if isinstance(data, dict) else None
    return radius if isinstance(radius, int) else None


def _decode(stored: str) -> tuple[tuple[str, float], ...]:
    data = serialise.loads(stored)
    return tuple((str(path), float(weight)) for path, weight in data["weights"])
