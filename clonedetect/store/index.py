"""Search indexes over baseline fingerprints: exact digests, 64-bit Hamming search, MinHash bands for text.

Hamming search is multi-index hashing (Norouzi et al.): each 64-bit hash is cut into 4 blocks of 16 bits and
every block gets a direct-address table (65,536 buckets). Two hashes within distance r agree within
floor(r / 4) bits on at least one block (pigeonhole), so a query only visits the buckets within that small
block distance (137 of 65,536 for r = 10) and then checks the few candidates with XOR + popcount. All of it is
whole-array numpy work; there is no Python loop over pairs. `brute_force_search` is the plain reference the
fast search is tested against.

Text candidates come from MinHash over character 3-grams, cut into LSH bands: two strings whose 3-gram sets
overlap much share at least one band key with high probability, and a band key is one indexed SQLite integer.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from clonedetect.blank import is_blank
from clonedetect.model import AssetKind, Print

HAMMING_ALGORITHM = "phash"  # what the index holds for every baseline image
# What a suspect image is searched with: its hash and its mirror's, so a flipped copy finds the original.
QUERY_ALGORITHMS: tuple[str, ...] = ("phash", "phash-mirror")
HASH_BITS = 64
BLOCKS = 4
BLOCK_BITS = HASH_BITS // BLOCKS
BLOCK_MASK = np.uint64((1 << BLOCK_BITS) - 1)
CANDIDATE_BUDGET = 2_000_000  # candidates checked per batch: bounds memory to ~100 MB whatever the skew

# The value of each kind that identifies one asset exactly. Images use the decoded pixels: an atlas frame
# shares its page's file sha256, so that would pair every frame of a page with every other.
EXACT_ALGORITHMS: Mapping[AssetKind, tuple[str, ...]] = {
    AssetKind.IMAGE: ("pixels", "sha256"),
    AssetKind.TEXT: ("text",),
    AssetKind.TABLE: ("sha256",),
    AssetKind.CODE: ("sha256",),
    AssetKind.AUDIO: ("sha256",),
}

MIN_BAND_CHARS = 8  # shorter strings have too few 3-grams for MinHash; they are matched exactly only
SHINGLE = 3
PERMUTATIONS = 32
BANDS = 8
ROWS = PERMUTATIONS // BANDS
_PRIME = np.uint64(4_294_967_311)  # the first prime above 2**32: permutations of 32-bit shingle hashes
_SEEDS = np.random.default_rng(20240501).integers(1, 2**31 - 1, size=(2, PERMUTATIONS), dtype=np.int64)
_PERMUTE_A = _SEEDS[0].astype(np.uint64)
_PERMUTE_B = _SEEDS[1].astype(np.uint64)
_SHINGLE_BUDGET = 200_000  # shingles hashed per batch (x PERMUTATIONS x 8 bytes = 51 MB)


# --------------------------------------------------------------------------------------------------------
# What a print contributes to the indexes


def digest_key(algorithm: str, value: str) -> bytes:
    """A fixed-size exact-match key: long normalised strings and 64-hex digests index alike in 16 bytes."""
    return hashlib.blake2b(f"{algorithm}\0{value}".encode("utf-8", "surrogatepass"), digest_size=16).digest()


def exact_keys(item: Print) -> list[bytes]:
    """The digest keys of a print: its first available exact algorithm for its kind."""
    for algorithm in EXACT_ALGORITHMS.get(item.asset.kind, ("sha256",)):
        value = item.value(algorithm)
        if value:
            return [digest_key(algorithm, value)]
    return []


def hamming_bits(values: Mapping[str, str], algorithm: str = HAMMING_ALGORITHM) -> int | None:
    """The hash as a signed 64-bit integer (SQLite's integer), or None when absent, malformed or blank:
    a blank image's hash is noise that would land every blank image of every game in one bucket."""
    value = values.get(algorithm)
    if value is None or len(value) != HASH_BITS // 4 or is_blank(values.get("detail")):
        return None
    try:
        unsigned = int(value, 16)
    except ValueError:
        return None
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def print_values(item: Print) -> dict[str, str]:
    return {fingerprint.algorithm: fingerprint.value for fingerprint in item.fingerprints}


def to_unsigned(bits: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.asarray(bits, dtype=np.int64).view(np.uint64)


# --------------------------------------------------------------------------------------------------------
# Hamming index


@dataclass(frozen=True, slots=True)
class HammingMatches:
    """Pairs within the radius: query index, item index and distance, sorted by (query, item)."""

    queries: np.ndarray  # int64
    items: np.ndarray  # int64
    distances: np.ndarray  # uint8


@dataclass(frozen=True, slots=True, eq=False)
class HammingIndex:
    """Multi-index hashing over packed uint64 hashes."""

    hashes: np.ndarray  # uint64[N]
    orders: np.ndarray  # int32[BLOCKS, N]: item indices sorted by block value
    offsets: np.ndarray  # int64[BLOCKS, 2**BLOCK_BITS + 1]: bucket start of each block value
    sorted_hashes: np.ndarray  # uint64[BLOCKS, N]: hashes in block order, so candidates read contiguously

    @classmethod
    def build(cls, hashes: np.ndarray) -> HammingIndex:
        hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        count = len(hashes)
        orders = np.empty((BLOCKS, count), dtype=np.int32)
        offsets = np.empty((BLOCKS, (1 << BLOCK_BITS) + 1), dtype=np.int64)
        sorted_hashes = np.empty((BLOCKS, count), dtype=np.uint64)
        buckets = np.arange((1 << BLOCK_BITS) + 1)
        for block in range(BLOCKS):
            keys = _block_keys(hashes, block)
            order = np.argsort(keys, kind="stable")
            orders[block] = order
            offsets[block] = np.searchsorted(keys[order], buckets)
            sorted_hashes[block] = hashes[order]
        return cls(hashes, orders, offsets, sorted_hashes)

    def __len__(self) -> int:
        return len(self.hashes)

    def search(self, queries: np.ndarray, radius: int) -> HammingMatches:
        """Every (query, item) pair with Hamming distance <= radius."""
        queries = np.ascontiguousarray(queries, dtype=np.uint64)
        if len(self) == 0 or len(queries) == 0 or radius < 0:
            return _no_matches()
        radius = min(radius, HASH_BITS)
        masks = _probe_masks(min(radius // BLOCKS, BLOCK_BITS))
        found_queries: list[np.ndarray] = []
        found_items: list[np.ndarray] = []
        for block in range(BLOCKS):
            probes = (_block_keys(queries, block)[:, None] ^ masks[None, :]).ravel()
            starts = self.offsets[block][probes]
            counts = self.offsets[block][probes + 1] - starts
            for first, last in _batches(counts.reshape(len(queries), len(masks)).sum(axis=1)):
                span = slice(first * len(masks), last * len(masks))
                q, items = self._check(queries, block, starts[span], counts[span], first, len(masks), radius)
                found_queries.append(q)
                found_items.append(items)
        pairs = np.unique(np.concatenate(found_queries) * len(self) + np.concatenate(found_items))
        query_index, item_index = np.divmod(pairs, len(self))
        distances = np.bitwise_count(queries[query_index] ^ self.hashes[item_index]).astype(np.uint8)
        return HammingMatches(query_index, item_index, distances)

    def _check(
        self,
        queries: np.ndarray,
        block: int,
        starts: np.ndarray,
        counts: np.ndarray,
        first_query: int,
        probes_per_query: int,
        radius: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Expand probe buckets into candidate positions and keep those within the radius."""
        hit = np.flatnonzero(counts)
        if len(hit) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        starts, counts = starts[hit], counts[hit]
        ends = np.cumsum(counts)
        # candidate k of bucket j sits at starts[j] + (k - first position of bucket j in the flat list)
        positions = np.repeat(starts - (ends - counts), counts) + np.arange(int(ends[-1]), dtype=np.int64)
        owners = first_query + hit // probes_per_query
        near = np.bitwise_count(np.repeat(queries[owners], counts) ^ self.sorted_hashes[block][positions])
        keep = np.flatnonzero(near <= radius)
        bucket_of = np.searchsorted(ends, keep, side="right")
        return owners[bucket_of].astype(np.int64), self.orders[block][positions[keep]].astype(np.int64)

    def save(self, path: Path, extra: Mapping[str, np.ndarray]) -> None:
        """Write the index (and the caller's per-item arrays) in one .npy archive; uncompressed, so a load
        is a plain read."""
        arrays = {
            "hashes": self.hashes,
            "orders": self.orders,
            "offsets": self.offsets,
            "sorted_hashes": self.sorted_hashes,
        }
        arrays.update({f"extra_{name}": value for name, value in extra.items()})
        with path.open("wb") as stream:
            np.savez(stream, **arrays)

    @classmethod
    def load(cls, path: Path) -> tuple[HammingIndex, dict[str, np.ndarray]]:
        with np.load(path, allow_pickle=False) as archive:
            index = cls(archive["hashes"], archive["orders"], archive["offsets"], archive["sorted_hashes"])
            extra = {
                name[len("extra_") :]: archive[name] for name in archive.files if name.startswith("extra_")
            }
        return index, extra


def _block_keys(hashes: np.ndarray, block: int) -> np.ndarray:
    return ((hashes >> np.uint64(block * BLOCK_BITS)) & BLOCK_MASK).astype(np.int64)


@cache
def _probe_masks(block_radius: int) -> np.ndarray:
    """Every BLOCK_BITS-bit mask with at most block_radius bits set (1 + 16 + 120 = 137 for radius 2)."""
    masks = [0]
    for bits in range(1, block_radius + 1):
        masks.extend(
            sum(1 << bit for bit in chosen) for chosen in itertools.combinations(range(BLOCK_BITS), bits)
        )
    return np.array(masks, dtype=np.int64)


def _batches(per_query: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive query ranges of about CANDIDATE_BUDGET candidates each (at least one query each)."""
    batches: list[tuple[int, int]] = []
    first = 0
    total = np.cumsum(per_query)
    while first < len(per_query):
        base = total[first - 1] if first else 0
        last = int(np.searchsorted(total, base + CANDIDATE_BUDGET, side="right"))
        last = max(last, first + 1)
        batches.append((first, last))
        first = last
    return batches


def _no_matches() -> HammingMatches:
    return HammingMatches(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint8))


def brute_force_search(hashes: np.ndarray, queries: np.ndarray, radius: int) -> HammingMatches:
    """The reference: compare every query with every item (tests only; quadratic)."""
    hashes = np.asarray(hashes, dtype=np.uint64)
    queries = np.asarray(queries, dtype=np.uint64)
    if len(hashes) == 0 or len(queries) == 0 or radius < 0:
        return _no_matches()
    distances = np.bitwise_count(queries[:, None] ^ hashes[None, :])
    query_index, item_index = np.nonzero(distances <= radius)
    return HammingMatches(
        query_index.astype(np.int64),
        item_index.astype(np.int64),
        distances[query_index, item_index].astype(np.uint8),
    )


# --------------------------------------------------------------------------------------------------------
# MinHash bands for text


def text_band_keys(texts: Sequence[str]) -> list[np.ndarray]:
    """BANDS int64 LSH keys per text (an empty array for a text shorter than MIN_BAND_CHARS)."""
    keys: list[np.ndarray] = [np.empty(0, np.int64)] * len(texts)
    eligible = [i for i, text in enumerate(texts) if len(text) >= MIN_BAND_CHARS]
    batch: list[int] = []
    shingles = 0
    for i in eligible:
        batch.append(i)
        shingles += len(texts[i])
        if shingles >= _SHINGLE_BUDGET:
            _band_batch(texts, batch, keys)
            batch, shingles = [], 0
    if batch:
        _band_batch(texts, batch, keys)
    return keys


def _band_batch(texts: Sequence[str], batch: Sequence[int], keys: list[np.ndarray]) -> None:
    signatures = minhash_signatures([texts[i] for i in batch])
    bands = signatures.reshape(len(batch), BANDS, ROWS)
    mixed = np.zeros((len(batch), BANDS), dtype=np.uint64)
    for row in range(ROWS):
        mixed = _mix(mixed ^ (bands[:, :, row] + np.uint64(row + 1)))
    mixed = _mix(mixed ^ np.arange(1, BANDS + 1, dtype=np.uint64)[None, :])
    signed = mixed.view(np.int64)
    for position, i in enumerate(batch):
        keys[i] = signed[position].copy()


def minhash_signatures(texts: Sequence[str]) -> np.ndarray:
    """PERMUTATIONS minimum hashes of the character 3-gram set of each text (each at least SHINGLE long)."""
    code_points = [
        np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) for text in texts
    ]
    counts = np.array([len(points) - SHINGLE + 1 for points in code_points], dtype=np.int64)
    flat = np.concatenate(code_points).astype(np.uint64)
    starts = np.concatenate(([0], np.cumsum([len(points) for points in code_points])[:-1]))
    # the first position of every 3-gram, never crossing from one text into the next
    first = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(
        counts.sum()
    )
    shingle = _mix(flat[first] * np.uint64(0x100000001B3) ^ flat[first + 1]) ^ flat[first + 2]
    shingle = _mix(shingle) & np.uint64(0xFFFFFFFF)
    permuted = (shingle[:, None] * _PERMUTE_A[None, :] + _PERMUTE_B[None, :]) % _PRIME
    return np.minimum.reduceat(permuted, np.concatenate(([0], np.cumsum(counts)[:-1])), axis=0)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the whole word (uint64 arithmetic wraps)."""
    values = values.astype(np.uint64)
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))
