"""Image matching: for each baseline image, its best copy in the suspect (exact -> near -> verified).

1. Exact: the same file bytes (`sha256`), else the same decoded pixels (`pixels`: a PNG re-compressed, a
   CgBI PNG from an iOS build, a lossless WebP).
2. Near: Hamming distances of packed 64-bit hashes for every baseline x suspect pair at once (XOR + popcount
   on numpy arrays, in row blocks), on the grey/white/black background that fits best, mirrored or not. The
   closest few suspects of each baseline image are judged on their fingerprints. pHash alone is not enough:
   sprites of one game share style and palette, and pHash within 10 bits pairs 35 of 15,450 ordered pairs
   of different Tuxemon and Shattered Pixel Dungeon sprites. So a faithful copy needs pHash, dHash, colour
   layout and (for sprites) silhouette to agree; a recolour needs the edge hash and the silhouette to agree;
   a copy that is close but otherwise changed (a badge pasted on) must be confirmed on its thumbnail.
3. Verified: when no candidate passes on fingerprints, the closest grey-zone ones (cropped art, badges, heavy
   re-encoding) are aligned on their thumbnails and accepted only when most visible pixels agree.

Tiny or blank images (a side under 8 px, one flat colour, fully transparent) carry no evidence: they are only
ever matched exactly, and they weigh 0.1 in their category (MatchResult.weights and Match.weight), so a shared
1-pixel placeholder neither makes nor dilutes a finding.
"""

from __future__ import annotations

# decode.py sets OpenCV's pixel limit, which OpenCV reads only when cv2 is first imported: load it first
import clonedetect.fingerprint.decode  # noqa: F401

# isort: split

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from clonedetect.fingerprint.hashes import BACKGROUNDS, COLOUR_SIDE, MASK_SIDE, colour_lab, is_blank
from clonedetect.model import AssetKind, Match, MatchResult, Print
from clonedetect.settings import Settings

MIN_SIDE = 8  # images smaller than this on either side carry no evidence
LOW_WEIGHT = 0.1  # weight of a tiny or blank baseline image
NEAR_CEILING = 0.99  # similarity 1.0 is kept for exact copies (same bytes or same pixels)
BLOCK_PAIRS = 1 << 20  # baseline x suspect pairs per distance block: ~50 bytes each of temporaries
TOP_CANDIDATES = 3  # closest suspects per baseline image, by each of three rankings
FAR = 255  # distance standing for "not comparable"
HASH_HEX = 16  # hex digits of a 64-bit hash
DHASH_CONFIRM = 12  # dHash distance that confirms a pHash hit
MASK_SAME = 0.05  # silhouette Jaccard distance of an untouched outline
MASK_CONFIRM = 0.25  # silhouette Jaccard distance that confirms a match between two sprites with alpha
EDGES_RECOLOUR = 8  # edge-hash distance of a recolour: the outlines are the same
EDGES_SAME = 4  # edge-hash distance of untouched outlines: a colour change is then a recolour
FAITHFUL_COLOUR = 6.0  # mean delta E: colours this close are the same colours (JPEG, rescaling)
CHANGED_CELL = 10.0  # delta E above which a colour-layout cell counts as changed
SHOWN_CELL = 0.25  # a layout cell at least this opaque (in either image) shows something
RECOLOURED_CELLS = 0.5  # at least this share of cells changed: a recolour
PLAIN_SCALE = 8  # pHash + dHash distance of a same-aspect resize that needs no pixel check to call it scaled
ASPECT_TOLERANCE = 0.02
MIRROR_MARGIN = 4  # mirrored pHash must beat the direct one by this many bits to call a copy mirrored
GREY_ZONE = 48  # pHash + dHash distance (of 128) up to which a candidate may still be verified
VERIFY_LIMIT = 2  # grey-zone candidates per baseline image that are verified on thumbnails
LOSSY = frozenset({"jpeg", "webp"})
COLOUR_CELLS = COLOUR_SIDE * COLOUR_SIDE

# verification on thumbnails
SEARCH_SIDE = 32  # the coarse alignment search runs on copies this small
VIEW_SIDE = 64  # thumbnails' visible boxes are compared at most this big
VIEW_CACHE = 512  # decoded thumbnails kept for reuse
SHARES = (0.6, 0.67, 0.74, 0.8, 0.86, 0.91, 0.95, 1.0)  # share of the larger box the smaller one may fill
FINE_STEPS = (0.96, 0.98, 1.0, 1.02, 1.04)  # scale refinements around the coarse match
SAME_SIZE_REACH = 0.1  # a coarse scale this close to 1 is also tried at exactly 1
FINE_REACH = 3  # pixels around the coarse position searched at thumbnail resolution
VISIBLE_ALPHA = 0.05  # thumbnails are cut to their visible pixels first: margins say nothing
PIXEL_TOLERANCE = 0.16  # per channel (0..1) after a light blur: JPEG noise and resampling stay under it
MIN_AGREEMENT = 0.85  # share of the suspect's visible pixels that must agree
CLEAR_AGREEMENT = 0.97  # the stretched placement agrees this well: no search needed
MIN_CORRELATION = 0.6  # normalised cross-correlation of the aligned greys
MIN_COVERAGE = 0.5  # share of the baseline's visible box the suspect must show
OVERLAY_MIN = 0.02  # share of disagreeing pixels from which a compact patch is called an overlay
MAX_OVERLAY = 0.35  # an overlay patch covers at most this share of the compared canvas
SAME_OUTLINES = 0.85  # gradient correlation of a picture (or patch) whose outlines were left alone
REST_AGREEMENT = 0.95  # with an overlay, the rest of the picture must agree this well
MAX_CANVAS = 3 * VIEW_SIDE  # bound on the comparison canvas (both boxes placed together)
SIZE_TOLERANCE = 0.04  # relative size difference below which a copy is not called scaled or cropped
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


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
        final = tuple(
            replace(m, weight=LOW_WEIGHT) if m.baseline in low else m for _, m in sorted(matches.items())
        )
        return MatchResult(matches=final, weights=weights)


def informative(item: Print) -> bool:
    """Whether an image shows enough to be matched approximately."""
    return (
        _is_hex(item.value("phash"), HASH_HEX)
        and min(item.width, item.height) >= MIN_SIDE
        and not is_blank(item.value("detail"))
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


# --- near: packed hashes and distance matrices -----------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Traits:
    """What judging needs of one print beyond its 64-bit hashes, parsed once."""

    lab: np.ndarray  # float32 (backgrounds, cells, 3): the colour layout in CIE Lab on each background
    cell_alpha: np.ndarray  # float32 (cells,): how opaque each layout cell is
    mask: np.ndarray | None  # bool (16, 16) silhouette, for images with alpha only


@dataclass(frozen=True, slots=True, eq=False)
class Hashes:
    """The packed hashes of one side (baseline or suspect), one column per informative print."""

    prints: tuple[Print, ...]
    traits: tuple[Traits, ...]
    phash: np.ndarray  # uint64 (backgrounds, mirrored, n); opaque images repeat their one hash per background
    dhash: np.ndarray  # uint64, same shape
    edges: np.ndarray  # uint64, same shape
    trim_phash: np.ndarray  # uint64 (n,): of the image cut to its visible pixels
    trim_dhash: np.ndarray
    has_trim: np.ndarray  # bool (n,): images without alpha have no trimmed hashes


def pack(prints: Sequence[Print]) -> Hashes:
    """Parse the hex fingerprints once into uint64 arrays and traits."""
    count = len(prints)
    phash = np.zeros((len(BACKGROUNDS), 2, count), dtype=np.uint64)
    dhash = np.zeros_like(phash)
    edges = np.zeros_like(phash)
    trim_phash = np.zeros(count, dtype=np.uint64)
    trim_dhash = np.zeros(count, dtype=np.uint64)
    has_trim = np.zeros(count, dtype=bool)
    for index, item in enumerate(prints):
        for b, (suffix, _) in enumerate(BACKGROUNDS):
            for m, kind in enumerate(("", "-mirror")):
                phash[b, m, index] = _word(item, f"phash{kind}{suffix}", f"phash{kind}")
                dhash[b, m, index] = _word(item, f"dhash{kind}{suffix}", f"dhash{kind}")
                edges[b, m, index] = _word(item, f"edges{kind}{suffix}", f"edges{kind}")
        has_trim[index] = item.value("phash-trim") is not None
        trim_phash[index] = _word(item, "phash-trim")
        trim_dhash[index] = _word(item, "dhash-trim")
    traits = tuple(_traits(item) for item in prints)
    return Hashes(tuple(prints), traits, phash, dhash, edges, trim_phash, trim_dhash, has_trim)


def _word(item: Print, algorithm: str, fallback: str = "") -> int:
    value = item.value(algorithm) or (item.value(fallback) if fallback else None)
    return int(value, 16) if value and _is_hex(value, HASH_HEX) else 0


def _is_hex(value: str | None, length: int) -> bool:
    """A well-formed hash of the expected length (stored baselines are data too)."""
    if value is None or len(value) != length:
        return False
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def _traits(item: Print) -> Traits:
    colour = item.value("colour")
    if _is_hex(colour, COLOUR_CELLS * 8) and colour is not None:
        cells = np.frombuffer(bytes.fromhex(colour), dtype=np.uint8).reshape(-1, 4).astype(np.float32) / 255.0
        lab = np.stack([colour_lab(colour, level) for _, level in BACKGROUNDS])
    else:  # no colour layout: every comparison sees "same colours", so colours decide nothing
        cells = np.zeros((COLOUR_CELLS, 4), dtype=np.float32)
        lab = np.zeros((len(BACKGROUNDS), COLOUR_CELLS, 3))
    mask = None
    value = item.value("mask")
    if item.value("phash@white") is not None and _is_hex(value, MASK_SIDE * MASK_SIDE // 4) and value:
        bits = np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8))
        mask = bits.reshape(MASK_SIDE, MASK_SIDE).astype(bool)
    return Traits(lab=lab.astype(np.float32), cell_alpha=cells[:, 3], mask=mask)


_BYTE_BITS = np.array([bin(value).count("1") for value in range(256)], dtype=np.uint8)


def popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per uint64 (np.bitwise_count on numpy >= 2, a byte table before)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words).astype(np.uint8)
    as_bytes = np.ascontiguousarray(words).view(np.uint8).reshape(*words.shape, 8)
    return _BYTE_BITS[as_bytes].sum(axis=-1, dtype=np.uint8)


def hamming_matrix(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Hamming distances of every left x right pair of uint64 hashes (last axes), as uint8."""
    return popcount(left[..., :, None] ^ right[..., None, :])


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


def nearest(base: Hashes, suspect: Hashes, top: int = TOP_CANDIDATES) -> list[list[Candidate]]:
    """Per baseline print, the closest suspects by pHash + dHash, by trimmed pHash + dHash and by edges."""
    result: list[list[Candidate]] = []
    block = max(1, BLOCK_PAIRS // max(1, len(suspect.prints)))
    for start in range(0, len(base.prints), block):
        rows = slice(start, start + block)
        # (background, mirrored, rows, suspects): the baseline's plain hash against the suspect's plain/mirror
        phash = hamming_matrix(base.phash[:, :1, rows], suspect.phash)
        dhash = hamming_matrix(base.dhash[:, :1, rows], suspect.dhash)
        combined = (phash.astype(np.uint16) + dhash).reshape(-1, phash.shape[2], phash.shape[3])
        best_combo = combined.argmin(axis=0)  # ties: grey before white before black, direct before mirrored
        best = np.take_along_axis(combined, best_combo[None], axis=0)[0]
        # (mirrored, rows, suspects): the best background for each orientation
        edges = hamming_matrix(base.edges[:, :1, rows], suspect.edges).min(axis=0)
        best_edges = edges.min(axis=0)
        comparable = base.has_trim[rows, None] & suspect.has_trim[None, :]
        trim_phash = np.where(comparable, hamming_matrix(base.trim_phash[rows], suspect.trim_phash), FAR)
        trim_dhash = np.where(comparable, hamming_matrix(base.trim_dhash[rows], suspect.trim_dhash), FAR)
        trim_best = trim_phash.astype(np.uint16) + trim_dhash
        direct = phash[:, 0].min(axis=0)
        mirror = phash[:, 1].min(axis=0)
        for row in range(best.shape[0]):
            chosen = _top(best[row], top) | _top(best_edges[row], top) | _top(trim_best[row], top)
            candidates = []
            for column in sorted(chosen):
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
            result.append(candidates)
    return result


def _top(distances: np.ndarray, top: int) -> set[int]:
    """Indices of the `top` smallest distances, ties broken by index (stable, so deterministic)."""
    order = np.argsort(distances, kind="stable")[:top]
    return {int(index) for index in order}


# --- judging candidates ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Colours:
    """How the colour layouts of two images compare, on the background where they agree best."""

    mean: float  # mean delta E over the cells that show something
    changed: float  # share of those cells whose delta E exceeds CHANGED_CELL


@dataclass(frozen=True, slots=True)
class Judgement:
    similarity: float
    method: str
    transforms: tuple[str, ...]
    evidence: str
    colour: float  # mean delta E, to prefer the more faithful of two equally close copies


class Judge:
    """Judges the candidates of one baseline x suspect comparison; keeps decoded thumbnails for reuse."""

    def __init__(self, base: Hashes, suspect: Hashes, settings: Settings) -> None:
        self.base = base
        self.suspect = suspect
        self.threshold = settings.thresholds.phash_distance
        # suspect thumbnails are decoded again and again (each is a candidate of many baseline images):
        # keep the most recent few hundred, not all of them (a view is ~80 kB)
        self.views: OrderedDict[tuple[int, int, int, bool], View | None] = OrderedDict()

    def best(self, row: int, candidates: Sequence[Candidate]) -> tuple[Judgement, str] | None:
        """The best candidate that passes on hashes, else the best that passes on thumbnails."""
        passed = []
        for candidate in candidates:
            judgement = self.on_hashes(row, candidate)
            if judgement is not None:
                passed.append((judgement, self.suspect.prints[candidate.suspect].asset.path))
        if not passed:
            grey = sorted(
                (c for c in candidates if c.closeness <= GREY_ZONE or c.edges <= EDGES_RECOLOUR),
                key=lambda c: (c.closeness, self.suspect.prints[c.suspect].asset.path),
            )
            for candidate in grey[:VERIFY_LIMIT]:
                judgement = self.on_thumbnails(row, candidate)
                if judgement is not None:
                    passed.append((judgement, self.suspect.prints[candidate.suspect].asset.path))
        if not passed:
            return None
        return min(passed, key=lambda pair: (-pair[0].similarity, pair[0].colour, pair[1]))

    def on_hashes(self, row: int, candidate: Candidate) -> Judgement | None:
        """A faithful copy (pHash, dHash, colours and silhouette agree), a recolour (edges and silhouette
        agree, colours differ) or an edited copy (pHash, dHash and silhouette agree, something else changed:
        a badge, a caption; the thumbnails must confirm it and say what)."""
        item, copy = self.base.prints[row], self.suspect.prints[candidate.suspect]
        colours = compare_colours(
            self.base.traits[row], self.suspect.traits[candidate.suspect], candidate.mirrored
        )
        mask = mask_distance(
            self.base.traits[row], self.suspect.traits[candidate.suspect], candidate.mirrored
        )
        shapes_agree = mask is None or mask <= MASK_CONFIRM
        close = candidate.phash <= self.threshold and candidate.dhash <= DHASH_CONFIRM and shapes_agree
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
        evidence = _hash_evidence(candidate, colours, mask)
        transforms = set(_transforms(item, copy, candidate, sizes=False))
        if recoloured:
            transforms.add("recoloured")
            similarity = 1.0 - (candidate.edges + min(candidate.phash, 32)) / 128.0
        else:
            similarity = 1.0 - (candidate.phash + candidate.dhash) / 128.0
        resized = (item.width, item.height) != (copy.width, copy.height)
        plainly_scaled = (
            resized and _same_aspect(item, copy) and candidate.phash + candidate.dhash <= PLAIN_SCALE
        )
        if edited:
            # something besides size and format changed: the pixels tell an edited copy (a badge pasted on)
            # from a different sprite that merely looks alike; outlines that still agree make it a recolour
            verification = self.verification(row, candidate)
            if verification is not None and verification.accepted:
                transforms.update(verification.transforms)
                evidence = f"{verification.evidence}; {evidence}"
            elif candidate.edges <= EDGES_RECOLOUR or (
                verification is not None
                and verification.structure >= SAME_OUTLINES
                and verification.coverage >= 1.0 - SIZE_TOLERANCE
            ):
                transforms.add("recoloured")
                if verification is not None:
                    evidence = f"{verification.evidence}; {evidence}"
            else:
                return None
        elif plainly_scaled:
            transforms.add("scaled")
        elif resized:
            verification = self.verification(row, candidate)
            if verification is not None and verification.accepted:
                transforms.update(verification.transforms)
                evidence = f"{verification.evidence}; {evidence}"
            else:
                transforms.add("scaled")
        return Judgement(
            similarity=round(min(NEAR_CEILING, similarity), 4),
            method="edges" if recoloured else "phash",
            transforms=tuple(sorted(transforms)),
            evidence=evidence,
            colour=colours.mean,
        )

    def on_thumbnails(self, row: int, candidate: Candidate) -> Judgement | None:
        verification = self.verification(row, candidate)
        if verification is None or not verification.accepted:
            return None
        item, copy = self.base.prints[row], self.suspect.prints[candidate.suspect]
        colours = compare_colours(
            self.base.traits[row], self.suspect.traits[candidate.suspect], candidate.mirrored
        )
        transforms = set(_transforms(item, copy, candidate, sizes=False)) | set(verification.transforms)
        return Judgement(
            similarity=round(min(NEAR_CEILING, verification.similarity), 4),
            method=verification.method,
            transforms=tuple(sorted(transforms)),
            evidence=f"{verification.evidence}; {_hash_evidence(candidate, colours, None)}",
            colour=colours.mean,
        )

    def verification(self, row: int, candidate: Candidate) -> Verification | None:
        first = self._view(self.base, row, candidate.background, False)
        second = self._view(self.suspect, candidate.suspect, candidate.background, candidate.mirrored)
        if first is None or second is None:
            return None
        return verify(first, second, BACKGROUNDS[candidate.background][1])

    def _view(self, side: Hashes, index: int, background: int, mirrored: bool) -> View | None:
        key = (id(side), index, background, mirrored)
        if key in self.views:
            self.views.move_to_end(key)
            return self.views[key]
        made = view(side.prints[index], BACKGROUNDS[background][1], mirrored)
        self.views[key] = made
        if len(self.views) > VIEW_CACHE:
            self.views.popitem(last=False)
        return made


def near_matches(baseline: Sequence[Print], suspect: Sequence[Print], settings: Settings) -> list[Match]:
    base, other = pack(baseline), pack(suspect)
    judge = Judge(base, other, settings)
    matches = []
    for row, candidates in enumerate(nearest(base, other)):
        judged = judge.best(row, candidates)
        if judged is None:
            continue
        judgement, path = judged
        item = base.prints[row]
        matches.append(
            Match(
                category=item.asset.category,
                baseline=item.asset.path,
                suspect=path,
                similarity=judgement.similarity,
                method=judgement.method,
                transforms=judgement.transforms,
                evidence=judgement.evidence,
            )
        )
    return matches


_MIRRORED_CELLS = np.arange(COLOUR_CELLS).reshape(4, 4)[:, ::-1].ravel()


def compare_colours(first: Traits, second: Traits, mirrored: bool) -> Colours:
    order = _MIRRORED_CELLS if mirrored else slice(None)
    shown = np.maximum(first.cell_alpha, second.cell_alpha[order]) >= SHOWN_CELL
    if not shown.any():
        shown = np.ones_like(shown)
    distances = np.sqrt(((first.lab - second.lab[:, order]) ** 2).sum(axis=2))[
        :, shown
    ]  # (backgrounds, cells)
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


def _same_aspect(item: Print, copy: Print) -> bool:
    first = item.width / max(1, item.height)
    second = copy.width / max(1, copy.height)
    return abs(first / second - 1.0) <= ASPECT_TOLERANCE


def _transforms(item: Print, copy: Print, candidate: Candidate, sizes: bool = True) -> tuple[str, ...]:
    found = []
    if candidate.mirrored and candidate.phash_direct - candidate.phash_mirror >= MIRROR_MARGIN:
        found.append("mirrored")
    formats = {item.value("format"), copy.value("format")}
    if len(formats) > 1 or formats & LOSSY:
        found.append("re-encoded")
    if sizes and (item.width, item.height) != (copy.width, copy.height):
        found.append("scaled")
    return tuple(found)


# --- verification on thumbnails --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class View:
    """A thumbnail's visible box, as float32 RGB flattened on the comparison background + alpha."""

    pixels: np.ndarray  # H x W x 4, the visible box only
    grey: np.ndarray  # H x W luminance of the box
    canvas: tuple[float, float]  # the whole thumbnail's (width, height) at the view's resolution
    scale: float  # original image pixels per view pixel


@dataclass(frozen=True, slots=True)
class Placement:
    """Suspect box pixel (u, v) lies at baseline box pixel (left + u * scale_x, top + v * scale_y)."""

    scale_x: float
    scale_y: float
    left: float
    top: float


@dataclass(frozen=True, slots=True)
class Comparison:
    agreement: float  # share of the visible pixels the suspect shows whose colours agree with the baseline
    rest_agreement: float  # the same outside an overlay patch (= agreement when there is none)
    coverage: float  # share of the baseline box that the suspect box covers
    correlation: float  # normalised cross-correlation of the greys, outside an overlay patch
    structure: float  # normalised cross-correlation of the grey gradient magnitudes: outlines, any colour
    overlay: bool  # most of the disagreement is one compact patch with other outlines: something pasted on
    repainted: bool  # ... a compact patch with the same outlines: one region recoloured

    @property
    def accepted(self) -> bool:
        plain = self.agreement >= MIN_AGREEMENT
        overlaid = (self.overlay or self.repainted) and self.rest_agreement >= REST_AGREEMENT
        return (plain or overlaid) and self.correlation >= MIN_CORRELATION and self.coverage >= MIN_COVERAGE

    @property
    def score(self) -> float:
        return self.agreement * self.coverage


NO_COMPARISON = Comparison(0.0, 0.0, 0.0, 0.0, 0.0, False, False)


@dataclass(frozen=True, slots=True)
class Verification:
    accepted: bool
    similarity: float  # share of the baseline's visible box found again
    method: str  # 'thumbnail'
    transforms: tuple[str, ...]  # 'scaled', 'cropped', 'overlaid', 'recoloured'
    evidence: str
    structure: float  # how well the outlines agree, whatever the colours (gradient correlation)
    coverage: float


def view(item: Print, background: float, mirrored: bool) -> View | None:
    """Decode a print's thumbnail, flatten it on the background and cut it to its visible box."""
    if not item.thumbnail or item.width <= 0:
        return None
    decoded = cv2.imdecode(np.frombuffer(item.thumbnail, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None or decoded.ndim != 3 or decoded.shape[2] != 4:
        return None
    rgba = cv2.cvtColor(decoded, cv2.COLOR_BGRA2RGBA).astype(np.float32) / 255.0
    if mirrored:
        rgba = rgba[:, ::-1]
    alpha = rgba[..., 3:4]
    flat = np.concatenate([rgba[..., :3] * alpha + background * (1.0 - alpha), alpha], axis=-1)
    visible = flat[..., 3] > VISIBLE_ALPHA
    rows, cols = np.flatnonzero(visible.any(axis=1)), np.flatnonzero(visible.any(axis=0))
    if rows.size == 0:
        return None
    box = flat[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    zoom = min(1.0, VIEW_SIDE / max(box.shape[:2]))
    if zoom < 1.0:
        box = _resize(box, zoom, zoom)
    box = np.ascontiguousarray(box)
    canvas = (flat.shape[1] * zoom, flat.shape[0] * zoom)
    return View(box, _grey(box), canvas, item.width / canvas[0])


def verify(first: View, second: View, background: float) -> Verification:
    """Place the suspect's visible box on the baseline's and count the visible pixels that agree.

    Tried: the boxes stretched onto each other (rescaled art, art re-framed with other margins), then, unless
    that already agrees, a coarse-to-fine template search with either box inside the other (cropped art, art
    with a badge beside it). The placement that explains more of the baseline wins.
    """
    height, width = first.pixels.shape[:2]
    stretched = Placement(width / second.pixels.shape[1], height / second.pixels.shape[0], 0.0, 0.0)
    placement, result = stretched, compare(first, second, stretched, background)
    if result.agreement < CLEAR_AGREEMENT:
        for option in search(first, second):
            outcome = compare(first, second, option, background)
            if (outcome.accepted, outcome.score, outcome.correlation) > (
                result.accepted,
                result.score,
                result.correlation,
            ):
                placement, result = option, outcome
    # the art's size in the suspect relative to the baseline, in original pixels
    content = (second.scale / first.scale) / float(np.sqrt(placement.scale_x * placement.scale_y))
    transforms = []
    if abs(content - 1.0) > SIZE_TOLERANCE:
        transforms.append("scaled")
    # the suspect's whole canvas mapped onto the baseline's: smaller means something (maybe margin) was cut
    mapped = (second.canvas[0] * placement.scale_x, second.canvas[1] * placement.scale_y)
    cut = any(m < c * (1.0 - SIZE_TOLERANCE) - 1 for m, c in zip(mapped, first.canvas, strict=True))
    if result.coverage < 1.0 - SIZE_TOLERANCE or cut:
        transforms.append("cropped")
    if result.overlay and result.agreement < CLEAR_AGREEMENT:
        transforms.append("overlaid")
    if result.repainted and result.agreement < CLEAR_AGREEMENT:
        transforms.append("recoloured")
    evidence = (
        f"thumbnails aligned (suspect art at {content:.2f}x the baseline's size): {result.agreement:.0%} of "
        f"visible pixels agree, correlation {result.correlation:.2f}, the suspect shows "
        f"{result.coverage:.0%} of the baseline, outlines correlate {result.structure:.2f}"
    )
    return Verification(
        result.accepted,
        result.score,
        "thumbnail",
        tuple(transforms),
        evidence,
        result.structure,
        result.coverage,
    )


def search(first: View, second: View) -> list[Placement]:
    """Template placements of the suspect box inside the baseline box and of the baseline inside the suspect.

    Coarse to fine: a few scales on copies SEARCH_SIDE px long, then the better of the two refined at
    thumbnail resolution within a few pixels and percent (pixel art must line up to the pixel).
    """
    coarse = []
    for suspect_inside in (True, False):
        outer, inner = (first.grey, second.grey) if suspect_inside else (second.grey, first.grey)
        zoom = SEARCH_SIDE / max(outer.shape)
        fit = min(outer.shape[0] / inner.shape[0], outer.shape[1] / inner.shape[1])
        found = _locate(_resize(outer, zoom, zoom), inner, [fit * share * zoom for share in SHARES])
        if found is not None:
            correlation, scale, x, y = found
            coarse.append((correlation, suspect_inside, scale / zoom, x / zoom, y / zoom))
    if not coarse:
        return []
    correlation, suspect_inside, scale, x, y = max(coarse)
    if correlation < MIN_CORRELATION:
        return []
    outer, inner = (first.grey, second.grey) if suspect_inside else (second.grey, first.grey)
    scales = [scale * step for step in FINE_STEPS]
    if abs(scale - 1.0) < SAME_SIZE_REACH:
        scales.append(1.0)  # the same size: let it line up exactly
    fine = _locate(outer, inner, scales, around=(x, y))
    if fine is None:
        return []
    _, scale, left, top = fine
    if suspect_inside:
        return [Placement(scale, scale, left, top)]
    return [Placement(1.0 / scale, 1.0 / scale, -left / scale, -top / scale)]  # the inverse mapping


def _locate(
    outer: np.ndarray, inner: np.ndarray, scales: list[float], around: tuple[float, float] | None = None
) -> tuple[float, float, float, float] | None:
    """(correlation, scale, left, top) of the best placement of `inner`, resized by each scale, in `outer`;
    with `around`, only within FINE_REACH pixels of that corner."""
    best: tuple[float, float, float, float] | None = None
    for scale in scales:
        template = _resize(inner, scale, scale)
        height, width = template.shape[:2]
        origin_x = origin_y = 0
        region = outer
        if around is not None:
            origin_x = max(0, round(around[0]) - FINE_REACH)
            origin_y = max(0, round(around[1]) - FINE_REACH)
            region = outer[
                origin_y : origin_y + height + 2 * FINE_REACH, origin_x : origin_x + width + 2 * FINE_REACH
            ]
        if min(height, width) < 4 or height > region.shape[0] or width > region.shape[1]:
            continue
        scores = np.nan_to_num(cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED), nan=-1.0)
        _, correlation, _, (x, y) = cv2.minMaxLoc(scores)
        if best is None or correlation > best[0]:
            best = (float(correlation), scale, float(origin_x + x), float(origin_y + y))
    return best


def compare(first: View, second: View, placement: Placement, background: float) -> Comparison:
    """Draw the suspect box where the placement puts it over the baseline box and compare the pixels.

    A badge or caption pasted on the art disagrees in one compact patch; when most of the disagreement lies in
    one such box, the rest of the picture is judged without it.
    """
    height, width = first.pixels.shape[:2]
    placed_width = second.pixels.shape[1] * placement.scale_x
    placed_height = second.pixels.shape[0] * placement.scale_y
    left, top = min(0.0, placement.left), min(0.0, placement.top)
    canvas = (
        round(max(float(width), placement.left + placed_width) - left),
        round(max(float(height), placement.top + placed_height) - top),
    )
    if max(canvas) > MAX_CANVAS or min(canvas) < 1:
        return NO_COMPARISON
    empty = (background, background, background, 0.0)  # outside its box an image is transparent
    to_first = np.float32([[1, 0, -left], [0, 1, -top]])
    to_second = np.float32(
        [[placement.scale_x, 0, placement.left - left], [0, placement.scale_y, placement.top - top]]
    )
    a = cv2.warpAffine(first.pixels, to_first, canvas, flags=cv2.INTER_LINEAR, borderValue=empty)
    b = cv2.warpAffine(second.pixels, to_second, canvas, flags=cv2.INTER_LINEAR, borderValue=empty)
    shown = np.zeros(a.shape[:2], dtype=bool)  # the suspect's placed box: what it shows of the baseline
    x0, y0 = round(placement.left - left), round(placement.top - top)
    shown[y0 : y0 + round(placed_height), x0 : x0 + round(placed_width)] = True
    visible = shown & ((a[..., 3] > 0.1) | (b[..., 3] > 0.1))
    total = int(visible.sum())
    if total == 0:
        return NO_COMPARISON
    difference = np.abs(cv2.GaussianBlur(a[..., :3], (3, 3), 0) - cv2.GaussianBlur(b[..., :3], (3, 3), 0))
    wrong = (difference.max(axis=2) > PIXEL_TOLERANCE) & visible
    agreement = 1.0 - int(wrong.sum()) / total
    patch = _overlay_patch(wrong, total)
    rest = visible if patch is None else visible & ~patch
    rest_total = int(rest.sum())
    rest_agreement = 1.0 - int((wrong & rest).sum()) / rest_total if rest_total else 0.0
    overlap_x = max(0.0, min(float(width), placement.left + placed_width) - max(0.0, placement.left))
    overlap_y = max(0.0, min(float(height), placement.top + placed_height) - max(0.0, placement.top))
    grey_a, grey_b = _grey(a), _grey(b)
    edges_a, edges_b = _gradient(grey_a), _gradient(grey_b)
    repainted = (
        patch is not None
        and _correlation(edges_a[patch & visible], edges_b[patch & visible]) >= SAME_OUTLINES
    )
    return Comparison(
        agreement=agreement,
        rest_agreement=rest_agreement,
        coverage=overlap_x * overlap_y / (width * height),
        correlation=_correlation(grey_a[rest], grey_b[rest]),
        structure=_correlation(edges_a[visible], edges_b[visible]),
        overlay=patch is not None and not repainted,
        repainted=repainted,
    )


def _gradient(grey: np.ndarray) -> np.ndarray:
    return cv2.magnitude(
        cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    )


def _correlation(first: np.ndarray, second: np.ndarray) -> float:
    if first.size < 2:
        return 0.0
    spread = float(first.std() * second.std())
    if spread <= 0.0:
        return 0.0
    return float(((first - first.mean()) * (second - second.mean())).mean() / spread)


def _resize(image: np.ndarray, scale_x: float, scale_y: float) -> np.ndarray:
    size = (max(1, round(image.shape[1] * scale_x)), max(1, round(image.shape[0] * scale_y)))
    shrinking = scale_x * scale_y < 1.0
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def _grey(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[..., :3] @ LUMA)


def _overlay_patch(wrong: np.ndarray, total: int) -> np.ndarray | None:
    """The box of a compact patch holding most of the disagreement (a pasted badge), or None."""
    count = int(wrong.sum())
    if count < OVERLAY_MIN * total:
        return None
    closed = cv2.morphologyEx(wrong.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), dtype=np.uint8))
    labels, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    if labels <= 1:
        return None
    index = 1 + int(stats[1:, cv2.CC_STAT_AREA].argmax())
    x, y, w, h = (int(v) for v in stats[index, :4])
    if w * h > MAX_OVERLAY * wrong.size:
        return None
    patch = np.zeros_like(wrong)
    patch[y : y + h, x : x + w] = True
    if int((wrong & patch).sum()) < 0.6 * count:
        return None
    return patch
