"""Benchmark of the baseline store's search step: many baselines, one suspect with thousands of images.

    python benchmarks/store_search.py                        # 100 baselines x 5,000 images = 500,000 hashes
    python benchmarks/store_search.py --baselines 10 --images 500 --suspect-images 200   # a quick run

Builds a store of synthetic baselines (random 64-bit perceptual hashes and random digests with the same
fingerprint set and value lengths a real image print has, no thumbnails), plus one common-asset pack whose
images also appear in a third of the games. Then it ranks one suspect (2,000 images: 300 near copies of one
baseline's images, 1,700 unrelated) and reports, as JSON on stdout and in --out:
- the time to add the baselines, build the Hamming index and load it from its file;
- the search step (`rank_baselines`: exact digests, Hamming index, text bands, scoring) for the suspect,
  median and worst of several runs, and the Hamming search alone;
- the store's size on disk.
Everything is seeded, so two runs build the same store and rank the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clonedetect.model import (
    Analysis,
    Asset,
    AssetKind,
    Category,
    Facts,
    Fingerprint,
    Package,
    PackageFormat,
    Print,
)
from clonedetect.settings import Settings
from clonedetect.store import BaselineMetadata, BaselineStore, rank_baselines
from clonedetect.store.index import QUERY_ALGORITHMS, hamming_bits, print_values, to_unsigned

# (algorithm, hex characters) of one real image print (fingerprint/image.py), so rows have their real size
IMAGE_FINGERPRINTS: tuple[tuple[str, int], ...] = (
    ("sha256", 64),
    ("pixels", 64),
    ("phash", 16),
    ("phash-mirror", 16),
    ("dhash", 16),
    ("dhash-mirror", 16),
    ("phash@white", 16),
    ("phash-mirror@white", 16),
    ("dhash@white", 16),
    ("dhash-mirror@white", 16),
    ("phash@black", 16),
    ("phash-mirror@black", 16),
    ("dhash@black", 16),
    ("dhash-mirror@black", 16),
    ("phash-trim", 16),
    ("dhash-trim", 16),
    ("mask", 64),
    ("edges", 16),
    ("edges-mirror", 16),
    ("colour", 128),
)
CATEGORIES = (Category.CHARACTERS, Category.UI, Category.ART, Category.ICON)
COMMON_IMAGES = 50
NEAR_COPIES = 300
TARGET_BASELINE = 42


@dataclass(frozen=True)
class Config:
    baselines: int
    images: int
    suspect_images: int
    repeats: int
    seed: int


PRINT_BYTES = sum(length // 2 for algorithm, length in IMAGE_FINGERPRINTS if algorithm != "phash")


def image_print(rng: np.random.Generator, number: int, path: str, phash: int) -> Print:
    # one draw of random bytes per print, sliced into the values (drawing each value alone is slower than
    # everything the store does with it)
    pool = rng.bytes(PRINT_BYTES).hex()
    values = []
    offset = 0
    for algorithm, length in IMAGE_FINGERPRINTS:
        if algorithm == "phash":
            values.append(Fingerprint(algorithm, 1, f"{phash:016x}"))
        else:
            values.append(Fingerprint(algorithm, 1, pool[offset : offset + length]))
            offset += length
    values.append(Fingerprint("format", 1, "png"))
    values.append(Fingerprint("detail", 1, "40"))
    asset = Asset(
        path=path,
        entry=path,
        kind=AssetKind.IMAGE,
        category=CATEGORIES[number % len(CATEGORIES)],
        media_type="image/png",
        sha256=values[0].value,
        size=500 + number,
        found_by="benchmark",
    )
    return Print(asset, tuple(values), width=64, height=64)


def analysis(name: str, prints: list[Print], sha: str) -> Analysis:
    package = Package(source=f"{name}.apk", sha256=sha, size=1, format=PackageFormat.APK, app_name=name)
    return Analysis(package=package, facts=Facts(), prints=tuple(prints))


def build_store(root: Path, config: Config) -> dict[str, float]:
    """Add the baselines; return how long that and building the index took."""
    rng = np.random.default_rng(config.seed)
    common = [int(v) for v in rng.integers(0, 2**64, COMMON_IMAGES, dtype=np.uint64)]
    common_prints = [image_print(rng, i, f"sdk/logo_{i}.png", h) for i, h in enumerate(common)]
    start = time.perf_counter()
    with BaselineStore(root, create=True) as store:
        store.add(
            BaselineMetadata("SDK pack", common=True), [analysis("sdk", common_prints, "sdk".ljust(64, "0"))]
        )
        for number in range(config.baselines):
            hashes = rng.integers(0, 2**64, config.images, dtype=np.uint64)
            prints = [image_print(rng, i, f"assets/img_{i:05d}.png", int(h)) for i, h in enumerate(hashes)]
            if number % 3 == 0:  # a third of the games embed the SDK art as well
                prints[:COMMON_IMAGES] = common_prints
            store.add(
                BaselineMetadata(f"Game {number:03d}", owner="Benchmark Studio"),
                [analysis(f"game{number}", prints, f"{number:064x}")],
            )
        added = time.perf_counter() - start
        start = time.perf_counter()
        store.hamming_index()
        built = time.perf_counter() - start
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"add_seconds": added, "index_build_seconds": built}


def target_hashes(root: Path, config: Config) -> np.ndarray:
    """The own (not SDK) image hashes of the baseline the suspect copies, read back from the store."""
    name = f"Game {TARGET_BASELINE % config.baselines:03d}"
    with BaselineStore(root) as store:
        rows = store.db.execute(
            "SELECT h.bits FROM hamming h "
            "JOIN prints p ON p.package_id = h.package_id AND p.ordinal = h.ordinal "
            "JOIN packages k ON k.id = h.package_id JOIN baselines b ON b.id = k.baseline_id "
            "WHERE b.name = ? AND p.path LIKE 'assets/%' ORDER BY h.ordinal",
            (name,),
        ).fetchall()
    return to_unsigned([bits for (bits,) in rows])


def suspect(config: Config, target: np.ndarray) -> Analysis:
    rng = np.random.default_rng(config.seed + 1)
    copies = min(NEAR_COPIES, len(target), config.suspect_images)
    hashes = list(rng.integers(0, 2**64, config.suspect_images - copies, dtype=np.uint64))
    for value in target[:copies]:
        flips = rng.choice(64, size=int(rng.integers(0, 5)), replace=False)
        hashes.append(np.uint64(value) ^ np.uint64(sum(1 << int(bit) for bit in flips)))
    prints = [image_print(rng, i, f"suspect/img_{i:05d}.png", int(h)) for i, h in enumerate(hashes)]
    return analysis("suspect", prints, "f" * 64)


def store_bytes(root: Path) -> dict[str, int]:
    sizes = {"catalogue": 0, "index": 0, "other": 0}
    for directory, _, files in os.walk(root):
        for name in files:
            size = Path(directory, name).stat().st_size
            if name.startswith("catalogue.sqlite"):
                sizes["catalogue"] += size
            elif name.endswith(".npz"):
                sizes["index"] += size
            else:
                sizes["other"] += size
    sizes["total"] = sum(sizes.values())
    return sizes


def measure(root: Path, config: Config, query: Analysis) -> dict[str, Any]:
    settings = Settings()
    with BaselineStore(root) as store:
        start = time.perf_counter()
        index = store.hamming_index()  # a fresh process: read from the index file
        loaded = time.perf_counter() - start
        searches = []
        ranked = ()
        for _ in range(config.repeats):
            start = time.perf_counter()
            ranked = rank_baselines(store, query, settings)
            searches.append(time.perf_counter() - start)
        bits = [hamming_bits(print_values(p), a) for p in query.prints for a in QUERY_ALGORITHMS]
        queries = to_unsigned([b for b in bits if b is not None])
        hamming = []
        for _ in range(config.repeats):
            start = time.perf_counter()
            found = index.index.search(queries, settings.thresholds.phash_distance)
            hamming.append(time.perf_counter() - start)
    best = ranked[0] if ranked else None
    return {
        "index_load_seconds": loaded,
        "indexed_hashes": len(index.index),
        "search_seconds_median": statistics.median(searches),
        "search_seconds_max": max(searches),
        "hamming_seconds_median": statistics.median(hamming),
        "hamming_queries": len(queries),
        "hamming_pairs_found": len(found.items),
        "best_candidate": None
        if best is None
        else {"baseline": best.baseline, "estimate": best.estimate, "matched": best.matched},
        "candidates": len(ranked),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baselines", type=int, default=100)
    parser.add_argument("--images", type=int, default=5_000, help="images per baseline")
    parser.add_argument("--suspect-images", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--store", type=Path, help="keep the store here (default: a temporary folder)")
    parser.add_argument(
        "--measure-only", action="store_true", help="measure the search on a --store built by an earlier run"
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("store_search.json"))
    args = parser.parse_args(argv)
    config = Config(args.baselines, args.images, args.suspect_images, args.repeats, args.seed)
    root = args.store or Path(tempfile.mkdtemp(prefix="clonedetect-bench-store-"))
    if args.measure_only and args.store is None:
        parser.error("--measure-only needs --store")
    if not args.measure_only and root.exists() and any(root.iterdir()):
        parser.error(f"{root} is not empty")
    try:
        built = {} if args.measure_only else build_store(root, config)
        target = target_hashes(root, config)
        result = {
            "benchmark": "store_search",
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "numpy": np.__version__},
            "config": config.__dict__,
            "image_hashes": config.baselines * config.images + COMMON_IMAGES,
            **built,
            **measure(root, config, suspect(config, target)),
            "store_bytes": store_bytes(root),
            "goal": "search_seconds_median < 1.0 for 2,000 suspect images over >= 500,000 hashes",
        }
    finally:
        if args.store is None:
            shutil.rmtree(root, ignore_errors=True)
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
