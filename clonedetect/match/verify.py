"""Verification of a near-match candidate on the two thumbnails: align them, then compare the pixels.

Hashes say "these two look alike"; a person (and a court) wants to see that one picture is the other after
a re-encode, a rescale, a crop, a recolour or a badge. `verify` places the suspect's visible box on the
baseline's - stretched onto it first (rescaled art, other margins), then by a coarse-to-fine template search
with either box, or either whole canvas, inside the other (cropped art, art with something beside it) - and
measures, on the placement that fits best:

- agreement: the share of visible pixels whose colours agree (after a light blur: JPEG noise, resampling);
- an overlay: most disagreement in one compact patch (a badge, a caption, a watermark), judged without it;
- structure: the correlation of the grey gradient magnitudes - where the outlines are, whatever their
  colours - so a recoloured copy (hue, brightness, contrast) is recognised by its unchanged outlines, and a
  badge on a recoloured copy by a compact patch of outlines the baseline does not have;
- coverage: how much of the baseline's visible box the suspect shows (cropped art shows less).

Views are the thumbnails as stored (at most 128 px a side, so a 256 x 16 sprite strip keeps its 8-pixel
height), flattened on the background the hashes compared on, or on the colour a flattened copy was
composited onto (`fitted_background`). Black bars around an opaque picture (a 16:9 screenshot pillar-boxed
into a 19.5:9 frame) are cut off before comparing and reported as 'letterboxed'.

Last section: baseline UI elements looked for inside suspect screenshots (`InsideSearch`), by masked
template matching on the suspect's `screen` copy (fingerprint/hashes.py), coarse scales on a half-size copy,
the best few refined, then checked in colour - within a budget of template searches per comparison.
"""

from __future__ import annotations

# decode.py sets OpenCV's pixel limit, which OpenCV reads only when cv2 is first imported: load it first
import clonedetect.fingerprint.decode  # noqa: F401

# isort: split

from dataclasses import dataclass, replace

import cv2
import numpy as np

from clonedetect.fingerprint.hashes import magnitude
from clonedetect.model import Print

Colour = tuple[float, float, float]

VIEW_SIDE = 128  # views are the thumbnails at their stored size (thumbnails are at most 128 px)
SEARCH_AREA = 64 * 64  # the coarse alignment search runs on copies of at most this many pixels
MIN_SEARCH_SIDE = 6  # ... but no side of the searched copies below this
# share of the larger box the smaller one may fill, for the coarse search: 0.55 to 1 in 6 % steps; the fine
# search then tries +-4 % in 2 % steps around the best (pixel art must line up to the pixel, and a 100-pixel
# sprite strip is off by 3 pixels at its end when the scale is off by 3 %). 3 % coarse steps found the same
# placements on benchmarks/accuracy.py at twice the template searches.
SHARES = (*(round(0.55 * 1.06**step, 4) for step in range(11)), 1.0)
FINE_STEPS = (0.96, 0.98, 1.0, 1.02, 1.04)  # scale refinements around the coarse match
SAME_SIZE_REACH = 0.1  # a coarse scale this close to 1 is also tried at exactly 1
FINE_REACH = 3  # pixels around the coarse position searched at view resolution
EXACT_CORRELATION = 0.98  # a placement this good ends the search
VISIBLE_ALPHA = 0.05  # views are cut to their visible pixels first: margins say nothing
PIXEL_TOLERANCE = 0.16  # per channel (0..1) after a light blur: JPEG noise and resampling stay under it
MIN_AGREEMENT = 0.85  # share of the suspect's visible pixels that must agree
CLEAR_AGREEMENT = 0.97  # the stretched placement agrees this well: no search needed
# ... or, for an accepted recolour, its outlines correlate this well (a hue or contrast change moves no
# outline; the search, the costliest step of matching, would only find the same placement again)
CLEAR_STRUCTURE = 0.97
CANVAS_PREFERENCE = 0.05  # fit a canvas placement may lose by and still be preferred
COVERAGE_PREFERENCE = 0.25  # weight of coverage against agreement + correlation when choosing a placement
MIN_CORRELATION = 0.6  # normalised cross-correlation of the aligned greys
MIN_COVERAGE = 0.5  # share of the baseline's visible box the suspect must show
OVERLAY_MIN = 0.02  # share of disagreeing pixels from which a compact patch is called an overlay
MAX_OVERLAY = 0.35  # an overlay patch covers at most this share of the compared canvas
OVERLAY_SHARE = 0.6  # ... and holds at least this share of the disagreement
SAME_OUTLINES = 0.85  # gradient correlation of a picture (or patch) whose outlines were left alone
RECOLOUR_OUTLINES = 0.88  # gradient correlation (outside an overlay) that accepts a recoloured copy
RECOLOUR_COVERAGE = 0.9  # a recoloured copy must show (nearly) all of the baseline
# outline pixels the baseline must have for outlines alone to prove a copy: two checkbox squares of two UI
# skins have the same outline and nothing else in common
RECOLOUR_MIN_OUTLINE = 64
RECOLOUR_MIN_SIDE = 24  # ... and be compared at least this big: two 16-pixel circles are just circles
RECOLOUR_SHIFT = 0.05  # mean colour difference of a faithful-looking copy whose colours were shifted
REST_AGREEMENT = 0.95  # with an overlay, the rest of the picture must agree this well
EDGE_SHARE = 0.25  # a pixel is on an outline when its gradient exceeds this share of the picture's largest
EDGE_FLOOR = 0.2  # ... and this Sobel magnitude (0..1 grey; a 5 % step between two pixels)
PATCH_GRID = 8  # cells per side of the grid a badge on a recoloured copy is looked for in
PATCH_CELL_CORRELATION = 0.5  # a cell whose outlines correlate less than this disagrees
PATCH_NEW_SHARE = 0.5  # ... when at least this share of the suspect's outlines there are new
PASTED_NEW_SHARE = 0.3  # share of new outlines in a colour patch that makes it something pasted on
CLEAN_REST = 0.99  # a patch outside of which every pixel agrees is something pasted on, whatever it shows
PASTED_ADDED_SHARE = 0.5  # ... or share of it drawn where the baseline is transparent
PASTED_FLAT_SHARE = 0.4  # ... or share of its disagreement away from any outline (a badge's flat inside)
MIN_COMPARED = 64  # visible pixels a comparison must have to accept anything
MIN_OVERLAID = 150  # ... and to accept a copy with an overlay patch left out
MIN_OVERLAID_AGREEMENT = 0.7  # a badge, caption or watermark covers at most about a quarter of a picture
MIN_CAPTIONED = 0.55  # ... or, on an uncropped sprite, a caption strip across its transparent margins
FULL_COVERAGE = 0.95
MAX_CANVAS = 3 * VIEW_SIDE  # bound on the comparison canvas (both boxes placed together)
SIZE_TOLERANCE = 0.04  # relative size difference below which a copy is not called scaled or cropped
BAR_LEVEL = 0.08  # letterbox bars are uniform and darker than this (0..1)
BAR_SPREAD = 0.03  # ... with at most this standard deviation
MIN_BAR = 0.03  # a bar is at least this share of the picture's width or height
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True, slots=True, eq=False)
class View:
    """A thumbnail's visible box, as float32 RGB flattened on the comparison background + alpha."""

    pixels: np.ndarray  # H x W x 4, the visible box only
    grey: np.ndarray  # H x W luminance of the box
    canvas: tuple[float, float]  # the whole thumbnail's (width, height), without letterbox bars
    scale: float  # original image pixels per view pixel
    barred: bool  # black letterbox / pillarbox bars were cut off
    whole: np.ndarray  # H x W luminance of the whole canvas (margins included, bars not)
    origin: tuple[int, int]  # where the visible box starts in the canvas (x, y)


@dataclass(frozen=True, slots=True)
class Placement:
    """Suspect box pixel (u, v) lies at baseline box pixel (left + u * scale_x, top + v * scale_y)."""

    scale_x: float
    scale_y: float
    left: float
    top: float
    canvas: bool = False  # found by placing the whole canvases (exact about margins), not the visible boxes


@dataclass(frozen=True, slots=True)
class Comparison:
    agreement: float  # share of the visible pixels the suspect shows whose colours agree with the baseline
    rest_agreement: float  # the same outside an overlay patch (= agreement when there is none)
    coverage: float  # share of the baseline box that the suspect box covers
    correlation: float  # normalised cross-correlation of the greys, outside an overlay patch
    structure: float  # normalised cross-correlation of the grey gradient magnitudes: outlines, any colour
    rest_structure: float  # the same outside a patch of outlines only one side has (a badge on a recolour)
    patch: bool  # most of the colour disagreement lies in one compact patch
    overlay: bool  # ... a patch with outlines or colours of its own: something pasted on
    repainted: bool  # ... a compact patch with the same outlines: one region recoloured
    outline_patch: bool  # outlines only one side has, in one compact patch: something pasted on
    outline_rest_agreement: float  # colour agreement outside that patch (1 when there is none)
    colour_shift: float  # mean per-channel colour difference (0..1) outside an overlay patch
    outline_pixels: int  # pixels on the baseline's outlines: how much shape there is to agree on
    side: int  # the shorter side of the compared canvas: the resolution the two were compared at
    compared: int  # visible pixels compared

    @property
    def faithful(self) -> bool:
        plain = self.agreement >= MIN_AGREEMENT and self.compared >= MIN_COMPARED
        overlaid = (
            (self.overlay or self.repainted)
            and self.rest_agreement >= REST_AGREEMENT
            and self.agreement >= (MIN_OVERLAID_AGREEMENT if self.coverage < FULL_COVERAGE else MIN_CAPTIONED)
            and self.compared >= MIN_OVERLAID
        )
        return (plain or overlaid) and self.correlation >= MIN_CORRELATION and self.coverage >= MIN_COVERAGE

    @property
    def recoloured(self) -> bool:
        """Same outlines, other colours (hue, brightness, contrast), maybe with a badge on top."""
        return (
            not self.faithful
            and self.rest_structure >= RECOLOUR_OUTLINES
            and self.coverage >= RECOLOUR_COVERAGE
            and self.correlation >= MIN_CORRELATION
            and self.outline_pixels >= RECOLOUR_MIN_OUTLINE
            and self.side >= RECOLOUR_MIN_SIDE
        )

    @property
    def accepted(self) -> bool:
        return self.faithful or self.recoloured

    @property
    def fit(self) -> float:
        """How well a placement explains the pair, to choose between placements: agreement (outlines for a
        recolour) and correlation first; coverage a little, so that a stretched placement that roughly fits
        a cropped copy loses to the crop that fits it exactly, and a crop loses to a full copy that fits."""
        agreement = self.agreement if self.faithful or not self.recoloured else self.rest_structure
        return agreement + self.correlation + COVERAGE_PREFERENCE * self.coverage

    @property
    def score(self) -> float:
        if self.faithful:
            return self.agreement * self.coverage
        if self.recoloured:
            return self.rest_structure * self.coverage
        return 0.0


NO_COMPARISON = Comparison(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False, False, False, False, 0.0, 0.0, 0, 0, 0)
# every measurement at its most accepting (`accepted` only grows with each field): what a placement could
# still be shown to be when some of it is measured (see could_be_accepted)
BEST_CASE = Comparison(
    agreement=1.0,
    rest_agreement=1.0,
    coverage=1.0,
    correlation=1.0,
    structure=1.0,
    rest_structure=1.0,
    patch=True,
    overlay=True,
    repainted=True,
    outline_patch=True,
    outline_rest_agreement=1.0,
    colour_shift=0.0,
    outline_pixels=1 << 30,
    side=1 << 30,
    compared=1 << 30,
)


@dataclass(frozen=True, slots=True)
class Verification:
    accepted: bool
    similarity: float  # share of the baseline's visible box found again (times how well it agrees)
    method: str  # 'thumbnail'
    transforms: tuple[str, ...]  # 'scaled', 'cropped', 'overlaid', 'recoloured', 'letterboxed'
    evidence: str
    structure: float  # how well the outlines agree, whatever the colours (gradient correlation)
    coverage: float
    correlation: float  # how well the tones agree (normalised cross-correlation of the aligned greys)
    colour_shift: float = 0.0  # mean per-channel colour difference (0..1) on the chosen placement


def grey_colour(level: float) -> Colour:
    return (level, level, level)


def decode_thumbnail(item: Print) -> np.ndarray | None:
    """The thumbnail as float32 straight-alpha RGBA (0..1), or None when it is missing or unreadable."""
    if not item.thumbnail or item.width <= 0:
        return None
    decoded = cv2.imdecode(np.frombuffer(item.thumbnail, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None or decoded.ndim != 3 or decoded.shape[2] != 4:
        return None
    return cv2.cvtColor(decoded, cv2.COLOR_BGRA2RGBA).astype(np.float32) / 255.0


def view(item: Print, background: Colour, mirrored: bool, bars: bool = True) -> View | None:
    """Decode a print's thumbnail, flatten it on the background and cut it to its visible box; with `bars`,
    an opaque picture also loses black letterbox bars (only sensible when both sides are opaque pictures:
    a sprite flattened onto black has black margins, not bars)."""
    rgba = decode_thumbnail(item)
    if rgba is None:
        return None
    if mirrored:
        rgba = cv2.flip(rgba, 1)
    # flattened plane by plane: NumPy is slow over a last axis of 3 or 4 (a 4.5x difference here), and each
    # pixel gets the same float32 operations, so the same values
    *colours, alpha = cv2.split(rgba)
    inverse = 1.0 - alpha
    flattened = [
        plane * alpha + np.float32(level) * inverse for plane, level in zip(colours, background, strict=True)
    ]
    flat = cv2.merge([*flattened, alpha])
    visible = alpha > VISIBLE_ALPHA
    rows, cols = np.flatnonzero(visible.any(axis=1)), np.flatnonzero(visible.any(axis=0))
    if rows.size == 0:
        return None
    box = flat[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    whole, origin = flat, (int(cols[0]), int(rows[0]))
    barred = False
    if bars and bool(alpha.min() >= 1.0):
        cut = _bars(box)
        if cut is not None:
            top, bottom, left, right = cut
            box = box[top : box.shape[0] - bottom, left : box.shape[1] - right]
            whole, origin = box, (0, 0)
            barred = True
    zoom = min(1.0, VIEW_SIDE / max(whole.shape[:2]))
    if zoom < 1.0:
        box, whole = resize(box, zoom, zoom), resize(whole, zoom, zoom)
        origin = (round(origin[0] * zoom), round(origin[1] * zoom))
    box = np.ascontiguousarray(box)
    canvas = (float(whole.shape[1]), float(whole.shape[0]))
    return View(box, grey(box), canvas, item.width / (flat.shape[1] * zoom), barred, grey(whole), origin)


def _bars(box: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) rows/columns of uniform dark bars around an opaque picture, or None."""
    grey_box = grey(box)

    def run(lines: np.ndarray) -> int:
        count = 0
        for line in lines:
            if float(line.mean()) > BAR_LEVEL or float(line.std()) > BAR_SPREAD:
                break
            count += 1
        return count

    height, width = grey_box.shape
    top, bottom = run(grey_box), run(grey_box[::-1])
    left, right = run(grey_box.T), run(grey_box.T[::-1])
    vertical = top + bottom if min(top, bottom) >= MIN_BAR * height else 0
    horizontal = left + right if min(left, right) >= MIN_BAR * width else 0
    if vertical == 0 and horizontal == 0:
        return None
    if vertical >= height - 4 or horizontal >= width - 4:
        return None  # a dark picture, not a picture between bars
    return (
        (top, bottom, left, right)
        if vertical and horizontal
        else ((top, bottom, 0, 0) if vertical else (0, 0, left, right))
    )


def fitted_background(base: np.ndarray, suspect: np.ndarray) -> Colour | None:
    """The colour an opaque suspect was flattened onto, from the colour layouts (premultiplied RGB + alpha
    cells, 0..1) of a baseline with transparency: per channel the least-squares b in
    suspect = base_colour + b * (1 - base_alpha); None when the baseline has (almost) no transparent area."""
    weight = 1.0 - base[:, 3]
    energy = float((weight * weight).sum())
    if energy < 0.5:
        return None
    fitted = np.clip(((suspect[:, :3] - base[:, :3]) * weight[:, None]).sum(axis=0) / energy, 0.0, 1.0)
    return (float(fitted[0]), float(fitted[1]), float(fitted[2]))


def verify(first: View, second: View, background: Colour, accept_only: bool = False) -> Verification:
    """Place the suspect's visible box on the baseline's and compare colours and outlines.

    Tried: the boxes stretched onto each other, then, unless that already agrees (or the two are laid out
    alike, or are a recolour whose outlines agree), a coarse-to-fine template search with either box inside
    the other. The placement that explains more of the baseline wins.

    accept_only: the caller uses only an accepted verification (a grey-zone candidate), so placements that
    cannot be accepted are not measured in full (see compare); an accepted result is the same either way,
    a rejected one carries fewer measurements.
    """
    height, width = first.pixels.shape[:2]
    stretched = Placement(width / second.pixels.shape[1], height / second.pixels.shape[0], 0.0, 0.0)
    placement, result = stretched, compare(first, second, stretched, background, accept_only)
    # two views laid out alike (same box, canvas and margins) are placed by the stretch as the search would
    # place them: it looks for other scales and offsets, and these have none. That holds whether or not the
    # placement is accepted when both show the art at one scale and its box has empty margins across and
    # down (a crop, scaled back or not, or a shift would have moved the box; thumbnails of a 192 px icon and
    # of its 168 px crop are both 128 px). A box that reaches two opposite edges of its canvas (an opaque
    # picture, an icon with transparent corners) stays where it is when a crop is scaled back to the old size.
    # On benchmarks/perf.py's reskin, skipping those searches (most of them of recoloured sprites) took 13 %
    # off matching (22.0 -> 19.2 s) and changed 2 of 8,275 matches' details, and nothing in accuracy.py.
    alike = (first.pixels.shape, first.canvas, first.origin) == (
        second.pixels.shape,
        second.canvas,
        second.origin,
    )
    framed = width < first.canvas[0] and height < first.canvas[1]
    shaped = alike and framed and first.scale == second.scale
    clear = (
        shaped
        or result.agreement >= CLEAR_AGREEMENT
        or (result.accepted and not result.outline_patch and (alike or result.structure >= CLEAR_STRUCTURE))
    )
    if not clear:
        # canvas placements first: among equally good ones, the one that also says where the margins went
        for option in search(first, second):
            outcome = compare(first, second, option, background, accept_only)
            # a placement of the whole canvases is exact about margins, badges and captions beside the art:
            # it wins unless another fits clearly better
            bonus = CANVAS_PREFERENCE if option.canvas else 0.0
            mine = (outcome.accepted, outcome.fit + bonus)
            best = (result.accepted, result.fit + (CANVAS_PREFERENCE if placement.canvas else 0.0))
            if mine > best:
                placement, result = option, outcome
    # the art's size in the suspect relative to the baseline, in original pixels
    content = (second.scale / first.scale) / float(np.sqrt(placement.scale_x * placement.scale_y))
    transforms = []
    if abs(content - 1.0) > SIZE_TOLERANCE:
        transforms.append("scaled")
    # the suspect's whole canvas mapped onto the baseline's: smaller means something (maybe margin) was cut
    mapped = (second.canvas[0] * placement.scale_x, second.canvas[1] * placement.scale_y)
    # a placement found from visible boxes is off by up to a view pixel at each edge of the smaller box
    rounded = not placement.canvas and abs(content - 1.0) > SIZE_TOLERANCE
    slack = SIZE_TOLERANCE + (2.0 / max(1, min(second.pixels.shape[:2])) if rounded else 0.0)
    cut = any(m < c * (1.0 - slack) - 1 for m, c in zip(mapped, first.canvas, strict=True))
    if result.coverage < 1.0 - SIZE_TOLERANCE or cut:
        transforms.append("cropped")
    if result.faithful:
        if result.overlay:
            transforms.append("overlaid")
        repainted = result.repainted and result.agreement < CLEAR_AGREEMENT
        if repainted or result.colour_shift > RECOLOUR_SHIFT:
            transforms.append("recoloured")
    elif result.recoloured:
        # colours that agree outside one patch: something was pasted on, nothing recoloured
        pasted_only = (result.patch and result.rest_agreement >= REST_AGREEMENT) or (
            result.outline_patch and result.outline_rest_agreement >= REST_AGREEMENT
        )
        if result.outline_patch or pasted_only:
            transforms.append("overlaid")
        if not pasted_only:
            transforms.append("recoloured")
    if second.barred and not first.barred:
        transforms.append("letterboxed")
    evidence = (
        f"thumbnails aligned (suspect art at {content:.2f}x the baseline's size): {result.agreement:.0%} of "
        f"visible pixels agree, correlation {result.correlation:.2f}, the suspect shows "
        f"{result.coverage:.0%} of the baseline, outlines correlate {result.structure:.2f}"
    )
    if result.outline_patch:
        evidence += f" ({result.rest_structure:.2f} outside a patch of new outlines)"
    return Verification(
        accepted=result.accepted,
        similarity=result.score,
        method="thumbnail",
        transforms=tuple(transforms),
        evidence=evidence,
        structure=result.structure,
        coverage=result.coverage,
        correlation=result.correlation,
        colour_shift=result.colour_shift,
    )


def search(first: View, second: View) -> list[Placement]:
    """Template placements of the suspect inside the baseline and of the baseline inside the suspect, by
    their visible boxes and by their whole canvases.

    Coarse to fine: many scales on copies of at most SEARCH_AREA pixels, then each direction's best refined
    at view resolution within a few pixels and percent (pixel art must line up to the pixel).
    """
    placements = []
    for suspect_inside, whole in ((True, True), (False, True), (True, False), (False, False)):
        if whole:
            # the canvases, margins included: a crop cuts the suspect's canvas out of the baseline's, and a
            # badge pasted on a margin must not move the box the search starts from
            outer, inner = (first.whole, second.whole) if suspect_inside else (second.whole, first.whole)
        else:
            outer, inner = (first.grey, second.grey) if suspect_inside else (second.grey, first.grey)
        zoom = _search_zoom(outer.shape)
        fit = min(outer.shape[0] / inner.shape[0], outer.shape[1] / inner.shape[1])
        found = locate(resize(outer, zoom, zoom), inner, [fit * share * zoom for share in SHARES])
        if found is None or found.correlation < MIN_CORRELATION:
            continue
        scale = float(np.sqrt(found.scale_x * found.scale_y)) / zoom
        scales = [scale * step for step in FINE_STEPS]
        if abs(scale - 1.0) < SAME_SIZE_REACH:
            scales.append(1.0)  # the same size: let it line up exactly
        fine = locate(outer, inner, scales, around=(found.left / zoom, found.top / zoom))
        if fine is None:
            continue
        scale_x, scale_y, left, top = fine.scale_x, fine.scale_y, fine.left, fine.top
        if not suspect_inside:  # the inverse mapping
            scale_x, scale_y, left, top = 1.0 / scale_x, 1.0 / scale_y, -left / scale_x, -top / scale_y
        if whole:  # canvas to canvas -> box to box
            left += second.origin[0] * scale_x - first.origin[0]
            top += second.origin[1] * scale_y - first.origin[1]
        placements.append(Placement(scale_x, scale_y, left, top, whole))
        if fine.correlation >= EXACT_CORRELATION:
            break  # lined up to the pixel: no other placement will explain it better
    return placements


def _search_zoom(shape: tuple[int, ...]) -> float:
    """Shrink factor for the coarse search copy: about SEARCH_AREA pixels, no side under MIN_SEARCH_SIDE."""
    height, width = shape[:2]
    zoom = min(1.0, float(np.sqrt(SEARCH_AREA / max(1, height * width))))
    floor = min(1.0, MIN_SEARCH_SIDE / max(1, min(height, width)))
    return max(zoom, floor)


@dataclass(frozen=True, slots=True)
class Located:
    correlation: float
    scale_x: float  # the template's size as resized (whole pixels) over its original size
    scale_y: float
    left: float
    top: float


def locate(
    outer: np.ndarray, inner: np.ndarray, scales: list[float], around: tuple[float, float] | None = None
) -> Located | None:
    """The best placement of `inner`, resized by each scale, in `outer` (normalised cross-correlation);
    with `around`, only within FINE_REACH pixels of that corner."""
    best: Located | None = None
    tried: set[tuple[int, int]] = set()
    for scale in scales:
        template = resize(inner, scale, scale)
        height, width = template.shape[:2]
        if (height, width) in tried:
            continue  # another scale rounded to the same size
        tried.add((height, width))
        origin_x = origin_y = 0
        region = outer
        if around is not None:
            origin_x = max(0, round(around[0]) - FINE_REACH)
            origin_y = max(0, round(around[1]) - FINE_REACH)
            region = outer[
                origin_y : origin_y + height + 2 * FINE_REACH, origin_x : origin_x + width + 2 * FINE_REACH
            ]
        too_small = min(height, width) < 2 or max(height, width) < 4
        if too_small or height > region.shape[0] or width > region.shape[1]:
            continue
        scores = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED)
        cv2.patchNaNs(scores, -1.0)  # a flat template or region has no correlation
        _, correlation, _, (x, y) = cv2.minMaxLoc(scores)
        if best is None or correlation > best.correlation:
            best = Located(
                float(correlation),
                width / inner.shape[1],
                height / inner.shape[0],
                float(origin_x + x),
                float(origin_y + y),
            )
    return best


def compare(
    first: View, second: View, placement: Placement, background: Colour, accept_only: bool = False
) -> Comparison:
    """Draw the suspect box where the placement puts it over the baseline box and compare the pixels.

    accept_only: stop as soon as the placement provably cannot be accepted (could_be_accepted with what is
    measured so far), returning only those measurements.

    A badge or caption pasted on the art disagrees in one compact patch; when most of the disagreement lies in
    one such box, the rest of the picture is judged without it. On a recoloured copy every colour disagrees,
    so the patch is looked for among the outlines instead: where one side has an outline the other lacks.

    When the suspect is the smaller picture, both are compared at its resolution: blowing it up would blur
    its outlines, not add any.
    """
    enlarge = max(placement.scale_x, placement.scale_y)
    if enlarge > 1.0 + SIZE_TOLERANCE:
        zoom = 1.0 / enlarge
        small = resize(first.pixels, zoom, zoom)
        zoom_x, zoom_y = small.shape[1] / first.pixels.shape[1], small.shape[0] / first.pixels.shape[0]
        first = View(small, grey(small), first.canvas, first.scale, first.barred, first.whole, first.origin)
        placement = Placement(
            placement.scale_x * zoom_x,
            placement.scale_y * zoom_y,
            placement.left * zoom_x,
            placement.top * zoom_y,
        )
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
    overlap_x = max(0.0, min(float(width), placement.left + placed_width) - max(0.0, placement.left))
    overlap_y = max(0.0, min(float(height), placement.top + placed_height) - max(0.0, placement.top))
    measured: dict[str, float | bool | int] = {}

    def ruled_out(**more: float | bool | int) -> bool:
        measured.update(more)
        return accept_only and not could_be_accepted(**measured)

    coverage = overlap_x * overlap_y / (width * height)
    if ruled_out(coverage=coverage, side=min(canvas)):
        return replace(NO_COMPARISON, **measured)
    empty = (*background, 0.0)  # outside its box an image is transparent
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
    # the largest channel difference; NumPy's max over a last axis of 3 took ten times as long
    largest = np.maximum(np.maximum(difference[..., 0], difference[..., 1]), difference[..., 2])
    wrong = (largest > PIXEL_TOLERANCE) & visible
    agreement = 1.0 - int(wrong.sum()) / total
    if ruled_out(agreement=agreement, compared=total):
        return replace(NO_COMPARISON, **measured)
    patch = overlay_patch(wrong, total)
    rest = visible if patch is None else visible & ~patch
    rest_total = int(rest.sum())
    rest_agreement = 1.0 - int((wrong & rest).sum()) / rest_total if rest_total else 0.0
    grey_a, grey_b = grey(a), grey(b)
    grey_correlation = correlation(grey_a[rest], grey_b[rest])
    # without a patch nothing was pasted on or repainted; the outlines are not measured yet
    patched = patch is not None
    if ruled_out(
        rest_agreement=rest_agreement, correlation=grey_correlation, overlay=patched, repainted=patched
    ):
        return replace(NO_COMPARISON, **measured)
    edges_a, edges_b = gradient(grey_a), gradient(grey_b)
    repainted = patched and correlation(edges_a[patch & visible], edges_b[patch & visible]) >= SAME_OUTLINES
    # a pasted badge or caption brings outlines of its own; a slightly misplaced crop only shifts the old ones
    pasted = patched and (
        _new_outline_share(edges_a, edges_b, patch & visible) >= PASTED_NEW_SHARE
        or _flat_share(edges_b, wrong & patch) >= PASTED_FLAT_SHARE
        or _added_share(a[..., 3], b[..., 3], wrong & patch) >= PASTED_ADDED_SHARE
        or (rest_agreement >= CLEAN_REST and agreement < CLEAR_AGREEMENT)  # all else agrees to the pixel
    )
    outline_pixels = _outline_pixels(edges_a, visible)
    if ruled_out(overlay=pasted and not repainted, repainted=repainted, outline_pixels=outline_pixels):
        return replace(NO_COMPARISON, **measured)
    structure = correlation(edges_a[visible], edges_b[visible])
    # only a copy that does not plainly agree can need its outlines judged apart from a patch
    outlines = _outline_patch(edges_a, edges_b, visible) if agreement < MIN_AGREEMENT else None
    rest_structure, outline_rest_agreement = structure, 1.0
    if outlines is not None:
        outside = visible & ~outlines
        rest_structure = max(structure, correlation(edges_a[outside], edges_b[outside]))
        outline_rest_agreement = 1.0 - int((wrong & outside).sum()) / max(1, int(outside.sum()))
    return Comparison(
        agreement=agreement,
        rest_agreement=rest_agreement,
        coverage=coverage,
        correlation=grey_correlation,
        structure=structure,
        rest_structure=rest_structure,
        patch=patched,
        overlay=pasted and not repainted,
        repainted=repainted,
        outline_patch=outlines is not None and rest_structure > structure,
        outline_rest_agreement=outline_rest_agreement,
        colour_shift=float(difference[rest].mean()) if rest_total else 0.0,
        outline_pixels=outline_pixels,
        side=min(canvas),
        compared=total,
    )


def could_be_accepted(**measured: float | bool | int) -> bool:
    """Whether a Comparison with these measurements could still be accepted, whatever the others show."""
    return replace(BEST_CASE, **measured).accepted


def _outline_pixels(edges: np.ndarray, visible: np.ndarray) -> int:
    """Pixels on outlines: a gradient above a share of the picture's largest and above an absolute floor
    (a smooth colour gradient has no outlines, however its gradient compares with its own peak)."""
    peak = float(edges[visible].max(initial=0.0))
    return int((edges[visible] > max(EDGE_SHARE * peak, EDGE_FLOOR)).sum())


def _new_outline_share(edges_a: np.ndarray, edges_b: np.ndarray, region: np.ndarray) -> float:
    """Share of the suspect's outline pixels in a region that have no baseline outline next to them."""
    on_a = edges_a > max(EDGE_FLOOR, EDGE_SHARE * float(edges_a.max(initial=0.0)))
    on_b = (edges_b > max(EDGE_FLOOR, EDGE_SHARE * float(edges_b.max(initial=0.0)))) & region
    if not on_b.any():
        return 0.0
    near_a = cv2.dilate(on_a.astype(np.uint8), np.ones((3, 3), dtype=np.uint8)).astype(bool)
    return float((on_b & ~near_a).sum()) / float(on_b.sum())


def _added_share(alpha_a: np.ndarray, alpha_b: np.ndarray, wrong: np.ndarray) -> float:
    """Share of the disagreeing pixels drawn where the baseline is transparent: something added beside
    the art (a badge in a sprite's empty corner)."""
    count = int(wrong.sum())
    if count == 0:
        return 0.0
    return float((wrong & (alpha_a < 0.1) & (alpha_b > 0.5)).sum()) / count


def _flat_share(edges: np.ndarray, wrong: np.ndarray) -> float:
    """Share of the disagreeing pixels that lie away from the suspect's outlines: the inside of a badge or
    of a caption's letters, where a misplaced copy would only disagree along its outlines."""
    count = int(wrong.sum())
    if count == 0:
        return 0.0
    on = edges > max(EDGE_FLOOR, EDGE_SHARE * float(edges.max(initial=0.0)))
    near = cv2.dilate(on.astype(np.uint8), np.ones((3, 3), dtype=np.uint8)).astype(bool)
    return float((wrong & ~near).sum()) / count


def _outline_patch(edges_a: np.ndarray, edges_b: np.ndarray, visible: np.ndarray) -> np.ndarray | None:
    """A compact patch where the outlines disagree while they agree elsewhere: a badge stamped on a
    recoloured copy. The canvas is cut into a PATCH_GRID x PATCH_GRID grid; a cell is bad when its
    gradients correlate below PATCH_CELL_CORRELATION and most of the suspect's outlines in it are new; the
    bad cells must form one compact group. Cell sums are taken with np.add.reduceat (one pass, no loop)."""
    height, width = visible.shape
    if min(height, width) < 2 * PATCH_GRID:
        return None
    on_a = edges_a > max(EDGE_FLOOR, EDGE_SHARE * float(edges_a[visible].max(initial=0.0)))
    on_b = edges_b > max(EDGE_FLOOR, EDGE_SHARE * float(edges_b[visible].max(initial=0.0)))
    near_a = cv2.dilate(on_a.astype(np.uint8), np.ones((3, 3), dtype=np.uint8)).astype(bool)
    rows = np.linspace(0, height, PATCH_GRID + 1).round().astype(int)
    cols = np.linspace(0, width, PATCH_GRID + 1).round().astype(int)

    def cells(values: np.ndarray, reduce: np.ufunc = np.add) -> np.ndarray:
        return reduce.reduceat(reduce.reduceat(values, rows[:-1], axis=0), cols[:-1], axis=1)

    shown = visible.astype(np.float64)
    a, b = edges_a * shown, edges_b * shown
    count, sum_a, sum_b = cells(shown), cells(a), cells(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.maximum(count, 1.0)
        covariance = cells(a * b) - sum_a * sum_b / n
        spread = np.sqrt(
            np.maximum(cells(a * a) - sum_a**2 / n, 0.0) * np.maximum(cells(b * b) - sum_b**2 / n, 0.0)
        )
        cell_correlation = np.where(spread > 0, covariance / np.where(spread > 0, spread, 1.0), 0.0)
    peak = np.maximum(cells(a, np.maximum), cells(b, np.maximum))
    fresh = cells((on_b & ~near_a & visible).astype(np.float64))
    outlines_b = cells((on_b & visible).astype(np.float64))
    bad = (
        (count >= 4)
        & (peak >= EDGE_FLOOR)  # flat in both: nothing to disagree about
        & (cell_correlation < PATCH_CELL_CORRELATION)
        & (fresh >= PATCH_NEW_SHARE * np.maximum(outlines_b, 1.0))  # a recolour moves no outline
    ).astype(np.uint8)
    total = int(bad.sum())
    if total == 0 or total > MAX_OVERLAY * PATCH_GRID * PATCH_GRID:
        return None
    _, _, stats, _ = cv2.connectedComponentsWithStats(bad, connectivity=8)
    index = 1 + int(stats[1:, cv2.CC_STAT_AREA].argmax())
    x, y, w, h = (int(v) for v in stats[index, :4])
    if int(stats[index, cv2.CC_STAT_AREA]) < OVERLAY_SHARE * total or w * h > MAX_OVERLAY * PATCH_GRID**2:
        return None
    patch = np.zeros_like(visible)
    patch[rows[y] : rows[y + h], cols[x] : cols[x + w]] = True
    return patch


def gradient(grey_image: np.ndarray) -> np.ndarray:
    return magnitude(
        cv2.Sobel(grey_image, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(grey_image, cv2.CV_32F, 0, 1, ksize=3)
    )


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    if first.size < 2:
        return 0.0
    spread = float(first.std() * second.std())
    if spread <= 0.0:
        return 0.0
    return float(((first - first.mean()) * (second - second.mean())).mean() / spread)


def resize(image: np.ndarray, scale_x: float, scale_y: float) -> np.ndarray:
    size = (max(1, round(image.shape[1] * scale_x)), max(1, round(image.shape[0] * scale_y)))
    shrinking = scale_x * scale_y < 1.0
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def grey(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[..., :3] @ LUMA)


def overlay_patch(wrong: np.ndarray, total: int) -> np.ndarray | None:
    """The box of a compact patch holding most of the disagreement (a pasted badge), or None."""
    count = int(wrong.sum())
    if count < OVERLAY_MIN * total:
        return None
    # letters of a caption or watermark are separate blobs: close gaps of about 1/8 of the picture
    side = max(3, (min(wrong.shape) // 8) | 1)
    closed = cv2.morphologyEx(wrong.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((side, side), dtype=np.uint8))
    labels, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    if labels <= 1:
        return None
    index = 1 + int(stats[1:, cv2.CC_STAT_AREA].argmax())
    x, y, w, h = (int(v) for v in stats[index, :4])
    if w * h > MAX_OVERLAY * wrong.size:
        return None
    patch = np.zeros_like(wrong)
    patch[y : y + h, x : x + w] = True
    if int((wrong & patch).sum()) < OVERLAY_SHARE * count:
        return None
    return patch


# --- baseline UI elements inside suspect screenshots ------------------------------------------------------

INSIDE_MIN_SIDE = 10  # an element is looked for at sizes from this many screen-copy pixels on its short side
INSIDE_COARSE_STEP = 1.2  # scale steps of the coarse pass (on a half-size screen copy)
INSIDE_FINE_STEPS = (0.92, 0.96, 1.0, 1.04, 1.08)
INSIDE_COARSE_CORRELATION = 0.6  # a coarse hit this good may be refined
INSIDE_REFINED = 3  # the best few coarse hits are refined (a tiny template correlates well by chance)
INSIDE_CORRELATION = 0.85  # masked correlation of the greys that accepts an element found inside a screen
INSIDE_COLOUR = 0.1  # mean per-channel colour difference (0..1) inside the element's mask
INSIDE_MIN_OUTLINE = 48  # outline pixels the element must show at the size it was found
INSIDE_MIN_AREA = 200  # ... and visible pixels: a 16 x 10 patch of colour gradient is found anywhere
INSIDE_MIN_OPAQUE = 0.3  # elements mostly transparent at their size are not looked for
MAX_INSIDE_CALLS = 20_000  # template searches per comparison (each ~1-2 ms): a bound on the cost


@dataclass(frozen=True, slots=True)
class Inside:
    """Where a baseline element was found inside a suspect screen copy."""

    screen: int  # index into the screens given to find_inside
    correlation: float
    colour: float  # mean per-channel colour difference inside the element's mask
    box: tuple[int, int, int, int]  # x, y, width, height in the screen copy
    share: float  # the element's area as a share of the screen


@dataclass(frozen=True, slots=True, eq=False)
class Element:
    grey: np.ndarray  # H x W luminance of the element's visible box, straight colours
    rgb: np.ndarray  # H x W x 3
    alpha: np.ndarray  # H x W, 0..1


def element_of(item: Print) -> Element | None:
    """A baseline element's thumbnail cut to its visible box, for searching inside screenshots."""
    rgba = decode_thumbnail(item)
    if rgba is None:
        return None
    visible = rgba[..., 3] > VISIBLE_ALPHA
    rows, cols = np.flatnonzero(visible.any(axis=1)), np.flatnonzero(visible.any(axis=0))
    if rows.size == 0:
        return None
    box = np.ascontiguousarray(rgba[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    return Element(grey(box), np.ascontiguousarray(box[..., :3]), np.ascontiguousarray(box[..., 3]))


class InsideSearch:
    """Looks for baseline elements inside suspect screen copies, within a budget of template searches."""

    def __init__(self, screens: list[np.ndarray]) -> None:
        self.screens = screens
        self.greys = [grey(screen) for screen in screens]
        self.halves = [resize(g, 0.5, 0.5) for g in self.greys]
        self.calls = 0

    def find(self, element: Element) -> Inside | None:
        best: Inside | None = None
        for index in range(len(self.screens)):
            found = self._in_screen(element, index)
            if found is not None and (best is None or found.correlation > best.correlation):
                best = found
        return best

    def _match(self, screen: np.ndarray, element: Element, scale: float) -> tuple[float, int, int] | None:
        template = resize(element.grey, scale, scale)
        mask = resize(element.alpha, scale, scale)
        height, width = template.shape[:2]
        if min(height, width) < 3 or height > screen.shape[0] or width > screen.shape[1]:
            return None
        if float((mask > 0.5).mean()) < INSIDE_MIN_OPAQUE or self.calls >= MAX_INSIDE_CALLS:
            return None
        self.calls += 1
        weights = (mask > 0.5).astype(np.float32)
        scores = cv2.matchTemplate(screen, template, cv2.TM_CCOEFF_NORMED, mask=weights)
        scores = np.nan_to_num(scores, nan=-1.0, posinf=-1.0, neginf=-1.0)
        # masked correlation is unstable over flat screen areas (values above 1): not a match there
        scores[scores > 1.0 + 1e-4] = -1.0
        _, correlation, _, (x, y) = cv2.minMaxLoc(scores)
        return float(correlation), int(x), int(y)

    def _in_screen(self, element: Element, index: int) -> Inside | None:
        """Coarse scales on the half-size copy; the best few refined at full size and checked in colour."""
        half, full = self.halves[index], self.greys[index]
        low = INSIDE_MIN_SIDE / min(element.grey.shape[:2])
        high = min(full.shape[0] / element.grey.shape[0], full.shape[1] / element.grey.shape[1])
        coarse: list[tuple[float, float]] = []
        scale = low
        while scale <= high:
            found = self._match(half, element, scale / 2.0)
            if found is not None and found[0] >= INSIDE_COARSE_CORRELATION:
                coarse.append((found[0], scale))
            scale *= INSIDE_COARSE_STEP
        best: Inside | None = None
        for _, start in sorted(coarse, reverse=True)[:INSIDE_REFINED]:
            for step in INSIDE_FINE_STEPS:
                found = self._match(full, element, start * step)
                if found is None or found[0] < INSIDE_CORRELATION:
                    continue
                if best is not None and found[0] <= best.correlation:
                    continue
                checked = self._check(element, index, start * step, found)
                if checked is not None:
                    best = checked
        return best

    def _check(
        self, element: Element, index: int, scale: float, found: tuple[float, int, int]
    ) -> Inside | None:
        """The placement's colours agree and the element shows enough outline at that size."""
        correlation, x, y = found
        rgb = resize(element.rgb, scale, scale)
        mask = resize(element.alpha, scale, scale) > 0.5
        height, width = mask.shape
        patch = self.screens[index][y : y + height, x : x + width]
        if patch.shape[:2] != mask.shape:
            return None
        colour = float(np.abs(patch - rgb)[mask].mean())
        outline = _outline_pixels(gradient(resize(element.grey, scale, scale)), mask)
        if colour > INSIDE_COLOUR or outline < INSIDE_MIN_OUTLINE or int(mask.sum()) < INSIDE_MIN_AREA:
            return None
        full = self.greys[index]
        share = float(height * width) / float(full.shape[0] * full.shape[1])
        return Inside(index, correlation, colour, (x, y, width, height), share)
