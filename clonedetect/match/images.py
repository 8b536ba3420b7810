"""Image matching: for each baseline image, its best copy in the suspect (exact -> near -> verified).

1. Exact: the same file bytes (`sha256`), else the same decoded pixels (`pixels`: a PNG re-compressed, a
   CgBI PNG from an iOS build, a lossless WebP, an atlas frame cut out again).
2. Near: Hamming distances of packed 64-bit hashes for every baseline x suspect pair at once (XOR + popcount
   on numpy arrays, in row blocks), on the grey/white/black background that fits best, mirrored or not. The
   closest few suspects of each baseline image are judged on their fingerprints. pHash alone is not enough:
   sprites of one game share style and palette, and pHash within 10 bits pairs 35 of 15,450 ordered pairs
   of different Tuxemon and Shattered Pixel Dungeon sprites. So a faithful copy needs pHash, dHash, colour
   layout and (for sprites) silhouette to agree; a recolour needs the edge hash and the silhouette to agree;
   a copy that is close but otherwise changed (a badge pasted on) must be confirmed on its thumbnail.
3. Verified (match/verify.py): when no candidate passes on fingerprints, the closest grey-zone ones (cropped
   art, badges, heavy re-encoding, recolours) are aligned on their thumbnails and accepted only when most
   visible pixels, or all outlines, agree. Every near match is also aligned once more to say what was done
   to it (`transforms`: scaled, cropped, overlaid, recoloured, letterboxed).

Transforms reported: 're-encoded' (other file format or lossy), 'scaled', 'mirrored', 'cropped', 'overlaid'
(a badge, caption or watermark), 'recoloured', 'flattened' (transparency composited onto a colour),
'nine-patch' (an Android .9.png border), 'repacked' (cut from, or put into, a texture atlas), 'letterboxed'
(a screenshot shown between black bars).

Tiny or blank images (a side under 8 px, one flat colour, fully transparent, fewer than 24 visible pixels)
carry no evidence: they are only ever matched exactly, and they weigh 0.1 in their category
(MatchResult.weights and Match.weight), so a shared 1-pixel placeholder or a 5-pixel arrow neither makes nor
dilutes a finding.
"""

from __future__ import annotations

# decode.py sets OpenCV's pixel limit, which OpenCV reads only when cv2 is first imported: load it first
import clonedetect.fingerprint.decode  # noqa: F401

# isort: split

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice

import numpy as np

from clonedetect.blank import is_blank
from clonedetect.fingerprint.hashes import (
    BACKGROUNDS,
    COLOUR_SIDE,
    MASK_SIDE,
    decode_screen,
    srgb_to_lab,
    visible_share,
)
from clonedetect.match.verify import (
    MIN_CORRELATION,
    RECOLOUR_SHIFT,
    SAME_OUTLINES,
    SIZE_TOLERANCE,
    Colour,
    InsideSearch,
    Verification,
    View,
    element_of,
    fitted_background,
    grey_colour,
    verify,
    view,
)
from clonedetect.model import AssetKind, Category, Match, MatchResult, Print, pickled_by_fields
from clonedetect.settings import Settings
from clonedetect.workers import run_tasks

MIN_SIDE = 8  # images smaller than this on either side carry no evidence
MIN_INK = 24  # ... and so do images with fewer visible pixels than this
LOW_WEIGHT = 0.1  # weight of a tiny or blank baseline image
NEAR_CEILING = 0.99  # similarity 1.0 is kept for exact copies (same bytes or same pixels)
# baseline x suspect pairs per distance block: their temporaries (~50 bytes a pair) stay in the CPU cache
# (ranking the 300 MB reskin took 2.4 s of CPU at 1 << 20 pairs, 1.4 s at 1 << 16, 1.5 s at 1 << 15)
BLOCK_PAIRS = 1 << 16
TOP_CANDIDATES = 3  # closest suspects per baseline image, by each of three rankings
FAR = 255  # distance standing for "not comparable"
HASH_HEX = 16  # hex digits of a 64-bit hash
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
DHASH_CONFIRM = 12  # dHash distance that confirms a pHash hit
MASK_SAME = 0.05  # silhouette Jaccard distance of an untouched outline
MASK_CONFIRM = 0.25  # silhouette Jaccard distance that confirms a match between two sprites with alpha
EDGES_RECOLOUR = 8  # edge-hash distance of a recolour: the outlines are the same
EDGES_SAME = 4  # edge-hash distance of untouched outlines: a colour change is then a recolour
DIFFERENT_OUTLINES = 0.5  # gradient correlation of aligned thumbnails below which outlines are not the same
FAITHFUL_COLOUR = 6.0  # mean delta E: colours this close are the same colours (JPEG, rescaling)
CHANGED_CELL = 10.0  # delta E above which a colour-layout cell counts as changed
SHOWN_CELL = 0.25  # a layout cell at least this opaque (in either image) shows something
RECOLOURED_CELLS = 0.5  # at least this share of cells changed: a recolour
MIRROR_MARGIN = 4  # mirrored pHash must beat the direct one by this many bits to call a copy mirrored
GREY_ZONE = 48  # pHash + dHash distance (of 128) up to which a candidate may still be verified
# grey-zone candidates per baseline image that are verified on thumbnails, closest first. Each rejected one
# costs a placement search (~7 ms), and a suspect that is no copy has up to this many per baseline image: 2
# instead of 3 took a third off the judging CPU of the 300 MB pairs, with the same matches; on accuracy.py
# every grey-zone acceptance comes from the first two (its JSON is the same at 2 and 3; at 1 three copies are
# lost; at 6 one wrong match is added). What is given up: a copy ranking third, behind two closer look-alikes.
VERIFY_LIMIT = 2
VIEW_CACHE = 128  # decoded thumbnails kept for reuse (~0.4 MB each: a bound on a worker's memory)
MIN_PARALLEL_ROWS = 64  # fewer rows to judge are not worth shipping to worker processes
CHUNKS_PER_JOB = 4  # a chunk of rows to judge is about 1 / (this x workers) of the rows left (_chunks)
MAX_CHUNK_ROWS = 256  # ... of at most this many rows, which bounds the prints one task ships
MIN_CHUNK_ROWS = 16  # ... and at least this many: a task costs a round trip and its own candidates' prints
LOSSY = frozenset({"jpeg", "webp"})
COLOUR_CELLS = COLOUR_SIDE * COLOUR_SIDE
NINE_PATCH = ".9.png"


class ImageMatcher:
    kind = AssetKind.IMAGE

    def match(self, baseline: Sequence[Print], suspect: Sequence[Print], settings: Settings) -> MatchResult:
        baseline = sorted(baseline, key=lambda p: p.asset.path)
        suspect = sorted(suspect, key=lambda p: p.asset.path)
        weights = tuple((p.asset.path, LOW_WEIGHT) for p in baseline if not informative(p))
        low = {path for path, _ in weights}
        by_value = _exact_index(suspect)
        matches: dict[str, Match] = {}
        for item in baseline:
            found = exact_match(item, by_value)
            if found is not None:
                matches[item.asset.path] = found
        remaining = [p for p in baseline if p.asset.path not in matches and informative(p)]
        candidates = [p for p in suspect if informative(p)]
        if remaining and candidates:
            for found in near_matches(remaining, candidates, settings):
                matches[found.baseline] = found
        elements = [
            p
            for p in baseline
            if p.asset.path not in matches and informative(p) and p.asset.category is Category.UI
        ]
        for found in inside_matches(elements, suspect):
            matches[found.baseline] = found
        final = tuple(
            replace(m, weight=LOW_WEIGHT) if m.baseline in low else m for _, m in sorted(matches.items())
        )
        return MatchResult(matches=final, weights=weights)


def informative(item: Print) -> bool:
    """Whether an image shows enough to be matched approximately."""
    share = visible_share(item.value("ink"))
    return (
        _is_hex(item.value("phash"), HASH_HEX)
        and min(item.width, item.height) >= MIN_SIDE
        and not is_blank(item.value("detail"))
        and (share is None or share * item.width * item.height >= MIN_INK)
    )


# --- exact ---------------------------------------------------------------------------------------------


def _exact_index(suspect: Sequence[Print]) -> dict[tuple[str, str], list[Print]]:
    """(algorithm, value) -> suspect prints with it, in path order."""
    index: dict[tuple[str, str], list[Print]] = {}
    for item in suspect:
        for algorithm in ("sha256", "pixels"):
            value = item.value(algorithm)
            if value is not None:
                index.setdefault((algorithm, value), []).append(item)
    return index


def exact_match(item: Print, index: dict[tuple[str, str], list[Print]]) -> Match | None:
    """Same bytes, else same pixels; among several copies the one at the same path, else the first by path."""
    for algorithm in ("sha256", "pixels"):
        value = item.value(algorithm)
        copies = index.get((algorithm, value), []) if value is not None else []
        if copies:
            same_path = [s for s in copies if s.asset.path == item.asset.path]
            return _exact(item, (same_path or copies)[0], algorithm)
    return None


def _exact(item: Print, copy: Print, algorithm: str) -> Match:
    framed = item.asset.frame is not None or copy.asset.frame is not None
    if algorithm == "sha256" and not framed:
        method, transforms = "sha256", ()
        evidence = f"identical file bytes (sha256 {item.value('sha256')})"
    else:
        # a frame's sha256 fingerprint is its pixel hash: equal frames are equal pixels, not equal files
        method = "pixels"
        reencoded = not framed and algorithm == "pixels"
        transforms = ("re-encoded",) if reencoded else ()
        if repacked(item, copy):
            transforms = ("repacked",)
        evidence = (
            f"identical decoded pixels ({item.width}x{item.height}, sha256 of RGBA {item.value('pixels')})"
        )
        if reencoded:
            evidence += f"; file bytes differ ({item.value('format')} -> {copy.value('format')})"
        for side, framed_print in (("baseline", item), ("suspect", copy)):
            if framed_print.asset.frame is not None:
                evidence += f"; {side} is a frame of {framed_print.asset.entry}"
    return Match(
        category=item.asset.category,
        baseline=item.asset.path,
        suspect=copy.asset.path,
        similarity=1.0,
        method=method,
        transforms=transforms,
        evidence=evidence,
    )


def repacked(item: Print, copy: Print) -> bool:
    """Cut from an atlas on one side only, or from atlases laid out differently."""
    first, second = item.asset.frame, copy.asset.frame
    if first is None or second is None:
        return first is not second
    page = (item.asset.entry.rsplit("/", 1)[-1], copy.asset.entry.rsplit("/", 1)[-1])
    return page[0] != page[1] or (first.x, first.y, first.rotated) != (second.x, second.y, second.rotated)


# --- near: packed hashes and distance matrices -----------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Traits:
    """What judging needs of one print beyond its 64-bit hashes, parsed once."""

    lab: np.ndarray  # float32 (backgrounds, cells, 3): the colour layout in CIE Lab on each background
    cells: np.ndarray  # float32 (cells, 4): the colour layout, premultiplied RGB + alpha, 0..1
    cell_alpha: np.ndarray  # float32 (cells,): how opaque each layout cell is
    mask: np.ndarray | None  # bool (16, 16) silhouette, for images with alpha only
    has_alpha: bool  # the image has transparent pixels (it has hashes on the white and black backgrounds)


@pickled_by_fields
@dataclass(frozen=True, slots=True, eq=False)
class TraitTable:
    """The Traits of many prints as a few arrays (one row per print): cheap to build, slice and ship to a
    worker, which a tuple of Traits objects with four arrays each is not."""

    lab: np.ndarray  # float32 (n, backgrounds, cells, 3)
    cells: np.ndarray  # float32 (n, cells, 4)
    masks: np.ndarray  # bool (n, 16, 16); all False in rows without a mask
    has_mask: np.ndarray  # bool (n,)
    has_alpha: np.ndarray  # bool (n,)

    def rows(self) -> tuple[Traits, ...]:
        """One Traits per row, views into the table (built once per Judge: judging reads each many times)."""
        return tuple(
            Traits(
                lab=self.lab[index],
                cells=self.cells[index],
                cell_alpha=self.cells[index, :, 3],
                mask=self.masks[index] if self.has_mask[index] else None,
                has_alpha=bool(self.has_alpha[index]),
            )
            for index in range(len(self.has_alpha))
        )

    def subset(self, rows: np.ndarray) -> TraitTable:
        return TraitTable(
            self.lab[rows], self.cells[rows], self.masks[rows], self.has_mask[rows], self.has_alpha[rows]
        )


# what judging reads of a print's own fingerprints (_transforms); the rest is packed into Hashes
JUDGED_FINGERPRINTS = frozenset({"format", "phash@white"})


@pickled_by_fields
@dataclass(frozen=True, slots=True, eq=False)
class Hashes:
    """The packed hashes of one side (baseline or suspect), one column per informative print."""

    prints: tuple[Print, ...]  # without the fingerprints packed into the arrays (JUDGED_FINGERPRINTS only)
    traits: TraitTable
    phash: np.ndarray  # uint64 (backgrounds, mirrored, n); opaque images repeat their one hash per background
    dhash: np.ndarray  # uint64, same shape
    edges: np.ndarray  # uint64, same shape
    trim_phash: np.ndarray  # uint64 (n,): of the image cut to its visible pixels
    trim_dhash: np.ndarray
    has_trim: np.ndarray  # bool (n,): images without alpha have no trimmed hashes

    def shipped(self, indices: Sequence[int]) -> Hashes:
        """These columns, for a worker judging them."""
        rows = np.asarray(indices, dtype=np.intp)
        return Hashes(
            tuple(self.prints[index] for index in indices),
            self.traits.subset(rows),
            self.phash[..., rows],
            self.dhash[..., rows],
            self.edges[..., rows],
            self.trim_phash[rows],
            self.trim_dhash[rows],
            self.has_trim[rows],
        )


def _judged_only(item: Print) -> Print:
    kept = tuple(f for f in item.fingerprints if f.algorithm in JUDGED_FINGERPRINTS)
    return replace(item, fingerprints=kept)


def pack(prints: Sequence[Print]) -> Hashes:
    """Parse the hex fingerprints once into uint64 arrays and traits, and keep each print without them:
    pickling ~27 fingerprints a print, both ways, was most of what sending a task to a worker cost (5.5 s of
    the 300 MB reskin's ~37 s of matching CPU), and stripping the prints of each task anew took the main
    process 32,000 copies of a print for the reskin's 8,000."""
    count = len(prints)
    # one name -> value table per print: Print.value scans the tuple, and packing reads ~40 values a print
    tables = [{f.algorithm: f.value for f in item.fingerprints} for item in prints]
    shape = (len(BACKGROUNDS), 2, count)
    phash, dhash, edges = (np.zeros(shape, dtype=np.uint64) for _ in range(3))
    for b, (suffix, _) in enumerate(BACKGROUNDS):
        for m, kind in enumerate(("", "-mirror")):
            phash[b, m] = _words(tables, f"phash{kind}{suffix}", f"phash{kind}")
            dhash[b, m] = _words(tables, f"dhash{kind}{suffix}", f"dhash{kind}")
            edges[b, m] = _words(tables, f"edges{kind}{suffix}", f"edges{kind}")
    has_trim = np.array([values.get("phash-trim") is not None for values in tables], dtype=bool)
    trim_phash, trim_dhash = _words(tables, "phash-trim"), _words(tables, "dhash-trim")
    kept = tuple(_judged_only(item) for item in prints)
    return Hashes(kept, _traits(tables), phash, dhash, edges, trim_phash, trim_dhash, has_trim)


def _words(tables: Sequence[dict[str, str]], algorithm: str, fallback: str = "") -> np.ndarray:
    """The 64-bit hash `algorithm` (else `fallback`) of every print as uint64; 0 when absent or malformed."""
    words = np.zeros(len(tables), dtype=np.uint64)
    for index, values in enumerate(tables):
        value = values.get(algorithm) or (values.get(fallback) if fallback else None)
        if value and _is_hex(value, HASH_HEX):
            words[index] = int(value, 16)
    return words


def _is_hex(value: str | None, length: int) -> bool:
    """A well-formed hash of the expected length (stored baselines are data too): hex digits only, as
    int(value, 16) and the colour layout's fixed size need (bytes.fromhex also skips spaces between bytes)."""
    return value is not None and len(value) == length and HEX_DIGITS.issuperset(value)


def _traits(tables: Sequence[dict[str, str]]) -> TraitTable:
    """Traits of every print; the colour layouts converted to Lab for all prints at once."""
    count = len(tables)
    raw = np.zeros((count, COLOUR_CELLS, 4), dtype=np.uint8)
    has_colour = np.zeros(count, dtype=bool)
    for index, values in enumerate(tables):
        colour = values.get("colour")
        if colour is not None and _is_hex(colour, COLOUR_CELLS * 8):
            raw[index] = np.frombuffer(bytes.fromhex(colour), dtype=np.uint8).reshape(-1, 4)
            has_colour[index] = True
    cells = raw.astype(np.float32) / 255.0
    exact = raw.astype(np.float64) / 255.0
    # (prints, backgrounds, cells, 3): the layout flattened on each background, in CIE Lab
    lab = np.stack(
        [srgb_to_lab(exact[..., :3] + level * (1.0 - exact[..., 3:4])) for _, level in BACKGROUNDS], axis=1
    ).astype(np.float32)
    # no colour layout: Lab all zeros, so every comparison sees "same colours" and colours decide nothing
    lab[~has_colour] = 0.0
    masks = np.zeros((count, MASK_SIDE, MASK_SIDE), dtype=bool)
    has_mask = np.zeros(count, dtype=bool)
    has_alpha = np.array([values.get("phash@white") is not None for values in tables], dtype=bool)
    for index, values in enumerate(tables):
        value = values.get("mask")
        if has_alpha[index] and value and _is_hex(value, MASK_SIDE * MASK_SIDE // 4):
            bits = np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8))
            masks[index] = bits.reshape(MASK_SIDE, MASK_SIDE).astype(bool)
            has_mask[index] = True
    return TraitTable(lab, cells, masks, has_mask, has_alpha)


_BYTE_BITS = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)


def popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per uint64 (np.bitwise_count on numpy >= 2, a byte table before)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words).astype(np.uint8, copy=False)
    as_bytes = np.ascontiguousarray(words).view(np.uint8).reshape(*words.shape, 8)
    return _BYTE_BITS[as_bytes].sum(axis=-1, dtype=np.uint8)


def hamming_matrix(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Hamming distances of every left x right pair of uint64 hashes (last axes), as uint8."""
    return popcount(left[..., :, None] ^ right[..., None, :])


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Candidate:
    suspect: int  # index into the suspect Hashes
    background: int  # index into BACKGROUNDS of the best comparison
    mirrored: bool
    phash: int  # distances at that background and orientation
    dhash: int
    phash_direct: int  # best pHash distance unmirrored, and mirrored (to decide whether to call it mirrored)
    phash_mirror: int
    edges: int  # edge-hash distance in the same orientation (best background)
    trim_phash: int  # trimmed-image distances (FAR when either image has none)
    trim_dhash: int

    @property
    def closeness(self) -> int:
        """The smaller of the whole-image and the trimmed pHash + dHash distances."""
        return min(self.phash + self.dhash, self.trim_phash + self.trim_dhash)


def nearest(base: Hashes, suspect: Hashes, top: int = TOP_CANDIDATES) -> Iterator[list[Candidate]]:
    """Per baseline print in order, the closest suspects by pHash + dHash, by trimmed pHash + dHash and by
    edges. Computed a block of rows at a time as they are asked for: workers judge the first rows while
    this process ranks the next."""
    block = max(1, BLOCK_PAIRS // max(1, len(suspect.prints)))
    for start in range(0, len(base.prints), block):
        rows = slice(start, start + block)
        # (background, mirrored, rows, suspects): the baseline's plain hash against the suspect's plain/mirror
        phash = hamming_matrix(base.phash[:, :1, rows], suspect.phash)
        dhash = hamming_matrix(base.dhash[:, :1, rows], suspect.dhash)
        combined = (phash.astype(np.uint16) + dhash).reshape(-1, phash.shape[2], phash.shape[3])
        # ties: grey before white before black, direct before mirrored
        best, best_combo = _first_min(combined)
        # (mirrored, rows, suspects): the best background for each orientation
        edges = hamming_matrix(base.edges[:, :1, rows], suspect.edges).min(axis=0)
        best_edges = edges.min(axis=0)
        comparable = base.has_trim[rows, None] & suspect.has_trim[None, :]
        trim_phash = np.where(comparable, hamming_matrix(base.trim_phash[rows], suspect.trim_phash), FAR)
        trim_dhash = np.where(comparable, hamming_matrix(base.trim_dhash[rows], suspect.trim_dhash), FAR)
        trim_best = trim_phash.astype(np.uint16) + trim_dhash
        direct = phash[:, 0].min(axis=0)
        mirror = phash[:, 1].min(axis=0)
        chosen = np.concatenate([_top(best, top), _top(best_edges, top), _top(trim_best, top)], axis=1)
        for row in range(best.shape[0]):
            candidates = []
            for column in sorted({int(c) for c in chosen[row]}):
                background, mirrored = divmod(int(best_combo[row, column]), 2)
                candidates.append(
                    Candidate(
                        suspect=column,
                        background=background,
                        mirrored=bool(mirrored),
                        phash=int(phash[background, mirrored, row, column]),
                        dhash=int(dhash[background, mirrored, row, column]),
                        phash_direct=int(direct[row, column]),
                        phash_mirror=int(mirror[row, column]),
                        edges=int(edges[mirrored, row, column]),
                        trim_phash=int(trim_phash[row, column]),
                        trim_dhash=int(trim_dhash[row, column]),
                    )
                )
            yield candidates


def _first_min(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The minimum over the first axis and the first index holding it: what argmin(axis=0) gives.

    Each value carries its layer in its low bits, so one elementwise minimum over the layers finds both,
    the lowest layer winning ties (argmin over a leading axis copies the stack to reduce along it, and a
    masked pass per layer costs two passes: 0.85 s against 0.37 s on 623 random blocks shaped like the
    300 MB reskin's, 6 x 7 x 8,726)."""
    shift = max(1, (len(stack) - 1).bit_length())
    keyed = stack.astype(np.uint32) << shift | np.arange(len(stack), dtype=np.uint32)[:, None, None]
    smallest = keyed.min(axis=0)
    return (smallest >> shift).astype(stack.dtype), (smallest & ((1 << shift) - 1)).astype(np.intp)


def _top(distances: np.ndarray, top: int) -> np.ndarray:
    """Per row, the columns of the `top` smallest distances, ties broken by column (deterministic).

    distance x columns + column is unique per row, so a partial partition (linear, not a sort of every row)
    finds exactly what a stable sort would put first."""
    columns = distances.shape[1]
    if columns <= top:
        return np.broadcast_to(np.arange(columns), distances.shape)
    # 32-bit keys when they fit: the partition moves half the bytes
    kind = np.int32 if (int(distances.max()) + 1) * columns < 2**31 else np.int64
    keys = distances.astype(kind) * kind(columns) + np.arange(columns, dtype=kind)
    return np.argpartition(keys, top - 1, axis=1)[:, :top]


# --- judging candidates ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Colours:
    """How the colour layouts of two images compare, on the background where they agree best."""

    mean: float  # mean delta E over the cells that show something
    changed: float  # share of those cells whose delta E exceeds CHANGED_CELL


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Judgement:
    similarity: float
    method: str
    transforms: tuple[str, ...]
    evidence: str
    colour: float  # mean delta E, to prefer the more faithful of two equally close copies


@dataclass(frozen=True, slots=True)
class HashVerdict:
    """What the fingerprints alone say of a candidate that passes on them, before its thumbnail is aligned."""

    candidate: Candidate
    recoloured: bool  # same outlines, other colours
    edited: bool  # close but changed otherwise (neither faithful nor recoloured): alignment must confirm it
    similarity: float  # as reported; alignment does not change it
    colours: Colours
    mask: float | None  # silhouette distance, when both have alpha


def _hashes_close(candidate: Candidate, threshold: int) -> bool:
    return candidate.phash <= threshold and candidate.dhash <= DHASH_CONFIRM


def may_pass_on_hashes(candidate: Candidate, threshold: int) -> bool:
    """Close enough on pHash and dHash for a copy, or on the edge hash for a recolour (Judge.on_hashes)."""
    return _hashes_close(candidate, threshold) or candidate.edges <= EDGES_RECOLOUR


def grey_zone(base: Hashes, suspect: Hashes, row: int, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates close enough to be aligned on thumbnails when none passes on hashes: closest first;
    among equally close ones (the same icon at several densities), the nearest size, then the path."""
    item = base.prints[row]

    def rank(candidate: Candidate) -> tuple[int, float, str]:
        copy = suspect.prints[candidate.suspect]
        size_gap = abs(float(np.log(max(1, item.width * item.height) / max(1, copy.width * copy.height))))
        return candidate.closeness, size_gap, copy.asset.path

    return sorted((c for c in candidates if c.closeness <= GREY_ZONE or c.edges <= EDGES_RECOLOUR), key=rank)


def shortlist(
    base: Hashes, suspect: Hashes, row: int, candidates: Sequence[Candidate], threshold: int
) -> list[Candidate]:
    """The candidates Judge.best can use, in their order: those that may pass on hashes and the first
    VERIFY_LIMIT of the grey zone; best() judges the shortlist as it judges the whole list. The others are
    dropped before rows are shipped to workers with their candidates' prints (when the suspect is no copy,
    most of a row's up to 9 candidates)."""
    aligned = {c.suspect for c in grey_zone(base, suspect, row, candidates)[:VERIFY_LIMIT]}
    return [c for c in candidates if may_pass_on_hashes(c, threshold) or c.suspect in aligned]


class Judge:
    """Judges the candidates of one baseline x suspect comparison; keeps decoded thumbnails for reuse."""

    def __init__(self, base: Hashes, suspect: Hashes, settings: Settings) -> None:
        self.base = base
        self.suspect = suspect
        self.base_traits, self.suspect_traits = base.traits.rows(), suspect.traits.rows()
        self.threshold = settings.thresholds.phash_distance
        # suspect thumbnails are decoded again and again (each is a candidate of many baseline images):
        # keep the most recent hundred or so, not all of them (a view is ~0.4 MB)
        self.views: OrderedDict[tuple[int, int, Colour, bool, bool], View | None] = OrderedDict()
        # one candidate can be verified from on_hashes and again from on_thumbnails: align it once
        self.verified: dict[tuple[int, int, int, bool, bool], Verification | None] = {}

    def best(self, row: int, candidates: Sequence[Candidate]) -> tuple[Judgement, str] | None:
        """The best candidate that passes on hashes, else the best that passes on thumbnails.

        A candidate's rank (similarity, then colour, then path) is known from its fingerprints; aligning its
        thumbnail only confirms or rejects it and names transforms. So the candidates that pass on hashes are
        aligned best first and the first one that survives wins: the same choice as aligning every one of
        them, without aligning the runners-up (most of matching's time is alignment)."""
        passing = [
            (verdict, self.suspect.prints[verdict.candidate.suspect].asset.path)
            for verdict in map(partial(self.on_hashes, row), candidates)
            if verdict is not None
        ]
        for verdict, path in sorted(
            passing, key=lambda pair: (-pair[0].similarity, pair[0].colours.mean, pair[1])
        ):
            judgement = self.confirm(row, verdict)
            if judgement is not None:
                return judgement, path
        passed = []
        for candidate in grey_zone(self.base, self.suspect, row, candidates)[:VERIFY_LIMIT]:
            judgement = self.on_thumbnails(row, candidate)
            if judgement is not None:
                passed.append((judgement, self.suspect.prints[candidate.suspect].asset.path))
        if not passed:
            return None
        return min(passed, key=lambda pair: (-pair[0].similarity, pair[0].colour, pair[1]))

    def on_hashes(self, row: int, candidate: Candidate) -> HashVerdict | None:
        """A faithful copy (pHash, dHash, colours and silhouette agree), a recolour (edges and silhouette
        agree, colours differ) or an edited copy (pHash, dHash and silhouette agree, something else changed:
        a badge, a caption; the thumbnails must confirm it and say what), or None; `confirm` aligns it."""
        hashes_close = _hashes_close(candidate, self.threshold)
        if not may_pass_on_hashes(candidate, self.threshold):
            # neither a copy nor a recolour, whatever the colours and silhouettes say: most candidates end
            # here without comparing those (91 % of the 300 MB not-a-copy pair's, 76 % of its reskin's)
            return None
        fitted = self.fitted(row, candidate)
        colours = compare_colours(
            self.base_traits[row], self.suspect_traits[candidate.suspect], candidate.mirrored, fitted
        )
        mask = mask_distance(
            self.base_traits[row], self.suspect_traits[candidate.suspect], candidate.mirrored
        )
        shapes_agree = mask is None or mask <= MASK_CONFIRM
        close = hashes_close and shapes_agree
        faithful = close and colours.mean <= FAITHFUL_COLOUR
        # same outlines, other colours: everywhere, or in one region with not an edge moved
        recoloured = (
            not faithful
            and colours.mean > FAITHFUL_COLOUR
            and candidate.edges <= EDGES_RECOLOUR
            and shapes_agree
            and (mask is not None or candidate.phash <= self.threshold)
            and (
                colours.changed >= RECOLOURED_CELLS
                or (candidate.edges <= EDGES_SAME and (mask is None or mask <= MASK_SAME))
            )
        )
        edited = close and not (faithful or recoloured)
        if not (faithful or edited or recoloured):
            return None
        if recoloured:
            similarity = 1.0 - (candidate.edges + min(candidate.phash, 32)) / 128.0
        else:
            similarity = 1.0 - (candidate.phash + candidate.dhash) / 128.0
        return HashVerdict(
            candidate, recoloured, edited, round(min(NEAR_CEILING, similarity), 4), colours, mask
        )

    def confirm(self, row: int, verdict: HashVerdict) -> Judgement | None:
        """A candidate that passed on hashes, aligned on its thumbnail, which names what else was done
        (cropped, overlaid, letterboxed) - or rejects a recolour or an edit the pixels do not show."""
        candidate, recoloured, edited = verdict.candidate, verdict.recoloured, verdict.edited
        item, copy = self.base.prints[row], self.suspect.prints[candidate.suspect]
        evidence = _hash_evidence(candidate, verdict.colours, verdict.mask)
        transforms = set(_transforms(item, copy, candidate))
        if recoloured:
            transforms.add("recoloured")
        resized = (item.width, item.height) != (copy.width, copy.height)
        verification = self.verification(row, candidate)
        confirmed = verification is not None and verification.accepted
        if confirmed:
            assert verification is not None
            transforms.update(verification.transforms)
            evidence = f"{verification.evidence}; {evidence}"
        # hashed alike, colours alike, yet the aligned thumbnails share neither outlines nor tones: two
        # different thin strokes on empty canvases (their trimmed hashes are alike, their colour cells empty).
        # Either alone is not enough: pixel art resampled by 0.75 keeps its tones but not its outlines; and
        # a flat 9-patch panel has next to no tones, and outlines mostly from its black stretch markers
        faithful = not (recoloured or edited)
        if (
            faithful
            and not confirmed
            and verification is not None
            and verification.structure < DIFFERENT_OUTLINES
            and verification.correlation < MIN_CORRELATION
            and "nine-patch" not in transforms
        ):
            return None
        if recoloured and not confirmed and verification is not None:
            # outlines hashed alike, but the thumbnails do not show one picture recoloured: unless the
            # silhouettes and edges agree to the last bit, two round items (a button and an egg) look alike
            mask = verdict.mask
            strict = candidate.edges <= EDGES_SAME and mask is not None and mask <= MASK_SAME
            if not (strict or verification.structure >= SAME_OUTLINES):
                return None
        if edited and not confirmed:
            # something besides size and format changed, and the pixels do not show a copy with a badge:
            # outlines that still agree make it a recolour, else it is a different sprite that looks alike
            outlines_agree = verification is not None and (
                verification.structure >= SAME_OUTLINES and verification.coverage >= 1.0 - SIZE_TOLERANCE
            )
            # ... and aligned thumbnails whose outlines do not correlate overrule the edge hash: its 64 bits
            # of a blurred gradient agree between look-alike sprites of one smooth art style
            outlines_differ = verification is not None and verification.structure < DIFFERENT_OUTLINES
            if outlines_differ or not (candidate.edges <= EDGES_RECOLOUR or outlines_agree):
                return None
            transforms.add("recoloured")
            if verification is not None:
                evidence = f"{verification.evidence}; {evidence}"
        if (
            not confirmed
            and verification is not None
            and verification.structure >= SAME_OUTLINES
            and verification.colour_shift > RECOLOUR_SHIFT
        ):
            transforms.add("recoloured")  # the outlines line up, the colours do not: a colour shift
        if edited and verdict.colours.changed >= RECOLOURED_CELLS and "overlaid" not in transforms:
            transforms.add("recoloured")  # the colours moved everywhere, not under a badge
        if resized and not confirmed:
            transforms.add("scaled")
        return Judgement(
            similarity=verdict.similarity,
            method="edges" if recoloured else "phash",
            transforms=tuple(sorted(transforms)),
            evidence=evidence,
            colour=verdict.colours.mean,
        )

    def on_thumbnails(self, row: int, candidate: Candidate) -> Judgement | None:
        verification = self.verification(row, candidate, accept_only=True)
        if verification is None or not verification.accepted:
            return None
        item, copy = self.base.prints[row], self.suspect.prints[candidate.suspect]
        colours = compare_colours(
            self.base_traits[row],
            self.suspect_traits[candidate.suspect],
            candidate.mirrored,
            self.fitted(row, candidate),
        )
        transforms = set(_transforms(item, copy, candidate)) | set(verification.transforms)
        return Judgement(
            similarity=round(min(NEAR_CEILING, verification.similarity), 4),
            method=verification.method,
            transforms=tuple(sorted(transforms)),
            evidence=f"{verification.evidence}; {_hash_evidence(candidate, colours, None)}",
            colour=colours.mean,
        )

    def fitted(self, row: int, candidate: Candidate) -> Colour | None:
        """The colour a baseline with transparency was flattened onto in an opaque suspect, if it was."""
        first, second = self.base_traits[row], self.suspect_traits[candidate.suspect]
        if not first.has_alpha or second.has_alpha:
            return None
        order = _MIRRORED_CELLS if candidate.mirrored else slice(None)
        return fitted_background(first.cells, second.cells[order])

    def verification(self, row: int, candidate: Candidate, accept_only: bool = False) -> Verification | None:
        """The candidate aligned on its thumbnail, once; accept_only: only an accepted alignment will be used
        (see verify), and a full one already made serves as well."""
        full = (row, candidate.suspect, candidate.background, candidate.mirrored, False)
        key = full if not accept_only or full in self.verified else (*full[:4], True)
        if key not in self.verified:
            self.verified[key] = self._verification(row, candidate, accept_only)
        return self.verified[key]

    def _verification(self, row: int, candidate: Candidate, accept_only: bool) -> Verification | None:
        background = self.fitted(row, candidate) or grey_colour(BACKGROUNDS[candidate.background][1])
        # letterbox bars are looked for only between two opaque pictures (screenshots)
        bars = not (self.base_traits[row].has_alpha or self.suspect_traits[candidate.suspect].has_alpha)
        first = self._view(self.base, row, background, False, bars)
        second = self._view(self.suspect, candidate.suspect, background, candidate.mirrored, bars)
        if first is None or second is None:
            return None
        return verify(first, second, background, accept_only)

    def _view(self, side: Hashes, index: int, background: Colour, mirrored: bool, bars: bool) -> View | None:
        key = (id(side), index, background, mirrored, bars)
        if key in self.views:
            self.views.move_to_end(key)
            return self.views[key]
        made = view(side.prints[index], background, mirrored, bars)
        self.views[key] = made
        if len(self.views) > VIEW_CACHE:
            self.views.popitem(last=False)
        return made


def near_matches(baseline: Sequence[Print], suspect: Sequence[Print], settings: Settings) -> list[Match]:
    """Near copies: candidates from the distance matrices, then each baseline image judged on its own.

    Judging (thumbnail alignment above all) is most of matching's time and each row is independent, so
    with Settings.jobs > 1 rows are judged in the worker pool, in chunks of neighbouring rows (an atlas's
    frames share candidates, so their thumbnails are decoded once per chunk). A chunk ships only its own
    prints and those of its rows' shortlisted candidates; the result does not depend on the number of
    workers."""
    base, other = pack(baseline), pack(suspect)
    threshold = settings.thresholds.phash_distance
    ranked = (shortlist(base, other, row, found, threshold) for row, found in enumerate(nearest(base, other)))
    rows = len(base.prints)
    jobs = settings.jobs
    if jobs > 1 and rows >= MIN_PARALLEL_ROWS:
        chunks = _chunks(rows, jobs)
        # a generator: each chunk's candidates are ranked when the pool has room for it, not all up front
        tasks = (_chunk(base, other, chunk, list(islice(ranked, len(chunk))), settings) for chunk in chunks)
        judged = [
            (chunk.start + row, found)
            for chunk, results in zip(chunks, run_tasks(judge_chunk, tasks, jobs), strict=True)
            for row, found in results
        ]
    else:
        judged = _judge_rows(base, other, list(ranked), settings)
    return [_near_match(base.prints[row], judgement, path) for row, (judgement, path) in judged]


def _chunks(rows: int, jobs: int) -> list[range]:
    """Consecutive row ranges, each about 1 / (CHUNKS_PER_JOB x jobs) of the rows not yet handed out,
    between MIN_CHUNK_ROWS and MAX_CHUNK_ROWS. Big chunks ship the candidates neighbouring rows share once;
    the small last ones keep one worker from judging a big final chunk while the other has nothing left
    (the 300 MB reskin's matching ended with ~3 s on one core with equal chunks)."""
    chunks, start = [], 0
    while start < rows:
        share = -(-(rows - start) // (CHUNKS_PER_JOB * jobs))
        size = min(MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, share))
        chunks.append(range(start, min(start + size, rows)))
        start += size
    return chunks


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Rows of the baseline to judge in a worker: their packed hashes, their candidates', and the
    candidates with `suspect` renumbered into those."""

    baseline: Hashes
    suspect: Hashes
    candidates: tuple[tuple[Candidate, ...], ...]
    settings: Settings


def _chunk(
    base: Hashes, other: Hashes, rows: range, candidates: list[list[Candidate]], settings: Settings
) -> ChunkTask:
    """The task for baseline rows `rows`, whose candidates are `candidates` (one list per row)."""
    used = sorted({candidate.suspect for found in candidates for candidate in found})
    local = {index: position for position, index in enumerate(used)}
    return ChunkTask(
        baseline=base.shipped(rows),
        suspect=other.shipped(used),
        candidates=tuple(tuple(replace(c, suspect=local[c.suspect]) for c in found) for found in candidates),
        settings=settings,
    )


def judge_chunk(task: ChunkTask) -> list[tuple[int, tuple[Judgement, str]]]:
    """(row within the chunk, (judgement, suspect path)) for each row that has a near copy (a worker task)."""
    return _judge_rows(task.baseline, task.suspect, task.candidates, task.settings)


def _judge_rows(
    base: Hashes, other: Hashes, candidates: Sequence[Sequence[Candidate]], settings: Settings
) -> list[tuple[int, tuple[Judgement, str]]]:
    judge = Judge(base, other, settings)
    judged = ((row, judge.best(row, found)) for row, found in enumerate(candidates))
    return [(row, found) for row, found in judged if found is not None]


def _near_match(item: Print, judgement: Judgement, path: str) -> Match:
    return Match(
        category=item.asset.category,
        baseline=item.asset.path,
        suspect=path,
        similarity=judgement.similarity,
        method=judgement.method,
        transforms=judgement.transforms,
        evidence=judgement.evidence,
    )


_MIRRORED_CELLS = np.arange(COLOUR_CELLS).reshape(COLOUR_SIDE, COLOUR_SIDE)[:, ::-1].ravel()


def compare_colours(first: Traits, second: Traits, mirrored: bool, fitted: Colour | None = None) -> Colours:
    """Delta E of the colour layouts on each background (and on the colour a flattened copy was composited
    onto, when known); the background where they agree best counts."""
    order = _MIRRORED_CELLS if mirrored else slice(None)
    shown = np.maximum(first.cell_alpha, second.cell_alpha[order]) >= SHOWN_CELL
    if not shown.any():
        shown = np.ones_like(shown)
    first_lab, second_lab = first.lab, second.lab[:, order]
    if fitted is not None:
        flat = first.cells[:, :3] + np.asarray(fitted, dtype=np.float32) * (1.0 - first.cells[:, 3:4])
        first_lab = np.concatenate([first_lab, srgb_to_lab(flat)[None].astype(np.float32)])
        second_lab = np.concatenate([second_lab, second_lab[:1]])  # an opaque image: any background
    distances = np.sqrt(((first_lab - second_lab) ** 2).sum(axis=2))[:, shown]  # (backgrounds, cells)
    means = distances.mean(axis=1)
    best = int(means.argmin())
    return Colours(mean=float(means[best]), changed=float((distances[best] > CHANGED_CELL).mean()))


def mask_distance(first: Traits, second: Traits, mirrored: bool) -> float | None:
    """Jaccard distance of the two silhouettes, or None unless both images have alpha."""
    if first.mask is None or second.mask is None:
        return None
    other = second.mask[:, ::-1] if mirrored else second.mask
    union = int(np.logical_or(first.mask, other).sum())
    if union == 0:
        return None
    return int(np.logical_xor(first.mask, other).sum()) / union


def _hash_evidence(candidate: Candidate, colours: Colours, mask: float | None) -> str:
    parts = [
        f"pHash distance {candidate.phash}/64",
        f"dHash {candidate.dhash}/64",
        f"edges {candidate.edges}/64",
        f"colour delta E {colours.mean:.1f} ({colours.changed:.0%} of cells changed)",
    ]
    if mask is not None:
        parts.append(f"silhouettes {1.0 - mask:.0%} alike")
    if candidate.mirrored:
        parts.append(f"compared mirrored (unmirrored pHash {candidate.phash_direct}/64)")
    if candidate.background:
        parts.append(f"flattened on {('grey', 'white', 'black')[candidate.background]}")
    return ", ".join(parts)


def _transforms(item: Print, copy: Print, candidate: Candidate) -> tuple[str, ...]:
    """What the fingerprints alone tell: mirrored, re-encoded, flattened, a 9-patch border, an atlas."""
    found = []
    if candidate.mirrored and candidate.phash_direct - candidate.phash_mirror >= MIRROR_MARGIN:
        found.append("mirrored")
    formats = {item.value("format"), copy.value("format")}
    if len(formats) > 1 or formats & LOSSY:
        found.append("re-encoded")
    if item.value("phash@white") is not None and copy.value("phash@white") is None:
        found.append("flattened")
    if item.asset.path.endswith(NINE_PATCH) != copy.asset.path.endswith(NINE_PATCH):
        found.append("nine-patch")
    if repacked(item, copy):
        found.append("repacked")
    return tuple(found)


# --- baseline UI elements inside suspect screenshots ------------------------------------------------------


def is_screenshot(item: Print) -> bool:
    """A picture of the running game (a store listing's screenshots/, or a path naming it a screenshot) with
    a `screen` copy to search. Other big opaque pictures (backgrounds, splash art) are the game's own files:
    a copied UI element is found as a file there, and searching every background for every element would
    cost most of a real-size comparison."""
    named = item.asset.found_by == "listing-screenshot" or "screenshot" in item.asset.path.lower()
    return named and item.value("screen") is not None


def inside_matches(elements: Sequence[Print], suspect: Sequence[Print]) -> list[Match]:
    """Baseline UI elements (buttons, trays, backgrounds) found drawn inside the suspect's screenshots.

    A store page shows screenshots, not the game's files; a UI element of the baseline found inside one of
    them (at any size, by masked template matching on the suspect's `screen` copy, then checked in colour)
    is evidence that the UI was copied. Each is a Match of the element to the screenshot."""
    screens = [(item, decode_screen(item.value("screen"))) for item in suspect if is_screenshot(item)]
    usable = [(item, screen) for item, screen in screens if screen is not None]
    if not usable or not elements:
        return []
    search = InsideSearch([screen for _, screen in usable])
    matches = []
    for item in elements:
        element = element_of(item)
        if element is None:
            continue
        found = search.find(element)
        if found is None:
            continue
        screen_print = usable[found.screen][0]
        x, y, width, height = found.box
        matches.append(
            Match(
                category=item.asset.category,
                baseline=item.asset.path,
                suspect=screen_print.asset.path,
                similarity=round(min(NEAR_CEILING, found.correlation * (1.0 - found.colour)), 4),
                method="inside-screenshot",
                transforms=("inside-screenshot",),
                evidence=(
                    f"found inside the screenshot at ({x}, {y}), {width}x{height} px of its "
                    f"{usable[found.screen][1].shape[1]}x{usable[found.screen][1].shape[0]} copy "
                    f"({found.share:.1%} of it): masked grey correlation {found.correlation:.2f}, colours "
                    f"differ by {found.colour * 255:.0f}/255 on average"
                ),
            )
        )
    return matches
