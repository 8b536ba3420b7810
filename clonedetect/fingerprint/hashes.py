"""Perceptual hashes of one small image: what two copies of the same art still share after a pirate's edits.

Everything is computed from one WorkImage (<= HASH_SIDE px, premultiplied colour and alpha), except `screen`.
Each hash is a fixed number of bits written as hex (most significant bit first, row-major: imagehash's
layout), so it can be stored, compared with XOR + popcount, and shown to a person.

Transparency has to be flattened onto *some* background before luminance hashes mean anything, and a pirate
who re-saves a sprite as JPEG picks one for us (usually white or black). So an image with alpha gets its
luminance hashes on three backgrounds - neutral grey (the plain name), `@white` and `@black` - and the
matcher compares like with like; an opaque image has one set, valid for any background. Measured on 120
corpus sprites saved as JPEG on white: pHash distance to the grey-flattened original has median 10 and
max 42, to the white-flattened one median 0 and max 6.

- phash: 64-bit DCT hash of the luminance (imagehash's algorithm, computed with two small matrix products);
  phash-mirror is that of the horizontally mirrored image (mirroring negates odd horizontal frequencies).
- dhash: 64-bit gradient hash (9 x 8 luminance, "brighter than the left neighbour by a margin": the margin
  keeps flat areas stable under JPEG noise); dhash-mirror likewise.
- edges: 64-bit DCT hash of the colour gradient magnitude: shape without colour (a hue shift leaves it within
  2 bits on the corpus sprites); edges-mirror likewise; per background like the luminance hashes, since an
  outline's contrast depends on what it is drawn against.
- mask: 256-bit (16 x 16) silhouette from alpha. Sprites of one game share style and palette but not
  outlines, so the mask confirms a near match, and it survives recolouring. Only meaningful with alpha.
- colour: 4 x 4 layout of premultiplied RGBA cell means (64 bytes); the matcher flattens it on the
  background it compares on and measures CIE Lab delta E, which tells a recoloured copy from a faithful one.
- phash-trim, dhash-trim: the same on the image cut to its visible pixels (images with alpha only), so a
  sprite re-packed with other margins or with its empty border cropped is still a near candidate.
- detail: one byte, the spread of luminance and alpha (0 for a blank or single-colour image).
- screen: for opaque pictures at least SCREEN_MIN_SIDE px long in the decoded copy (screenshots, splash
  art, backgrounds), that <= 256 px copy itself as a JPEG (quality 90, ~10-30 kB as hex): the matcher looks
  for the baseline's UI elements inside suspect screenshots, and a 128-pixel thumbnail is too small for that.
- ink: one byte, the share of visible pixels (alpha > 1/2) times 255: with the image's size it says how
  many pixels actually show something (a 16 x 16 icon with a 5-pixel arrow on it shows too little to be
  evidence of copying).

`reference_phash` is the plain imagehash implementation, kept so tests can check the fast one against it.
"""

from __future__ import annotations

# decode.py sets OpenCV's pixel limit, which OpenCV reads only when cv2 is first imported: load it first
import clonedetect.fingerprint.decode  # noqa: F401

# isort: split

from dataclasses import dataclass
from functools import cache

import cv2
import imagehash
import numpy as np
from PIL import Image

from clonedetect.fingerprint.decode import WORK_SIDE, shrink

GREY, WHITE, BLACK = 0.5, 1.0, 0.0
# (suffix of the fingerprint name, background level): grey first, the default for images with alpha
BACKGROUNDS: tuple[tuple[str, float], ...] = (("", GREY), ("@white", WHITE), ("@black", BLACK))
TINY_SIDE = 32  # pixel art this small is upscaled (nearest) so gradients see its blocks, not a blur
UPSCALE_TO = 64
DHASH_MARGIN = 2.0  # grey levels: a smaller step counts as flat
MASK_SIDE = 16
COLOUR_SIDE = 4
TRIM_ALPHA = 0.05  # margin pixels fainter than this count as empty when trimming
# longer side of the work copy. Every hash ends at 32 x 32 or less; from the 256 px decoded copy instead, an
# image of perf.py's game took 2.60 ms (shrink, prepare, hashes, thumbnail; 2.04 ms now), and the accuracy
# benchmark gave the same verdicts, image precision and recall (transform labels 0.925 -> 0.914: README)
HASH_SIDE = 128
# ... but a sprite strip (eight 32 px frames in a row) shrunk to 128 x 16 keeps too little of each frame to
# tell it from an unrelated one (a 24 px item matched such a strip in the accuracy benchmark): strips keep
# this many pixels across
MIN_HASH_ACROSS = 32
SCREEN_MIN_SIDE = 192  # opaque pictures this long (in the decoded copy) keep a copy for searching inside
SCREEN_QUALITY = 90

# (horizontal, vertical) gradient planes, one per image plane
Gradients = tuple[list[np.ndarray], list[np.ndarray]]

# ITU-R 601-2 luma, the weights Pillow's convert('L') uses, so the reference hash sees the same grey
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True, slots=True, eq=False)
class WorkImage:
    colour: np.ndarray  # float32 H x W x 3, premultiplied by alpha, 0..1
    alpha: np.ndarray  # float32 H x W, 0..1
    has_alpha: bool  # False when every pixel is opaque: the background does not matter then

    def flattened(self, background: float) -> np.ndarray:
        """RGB 0..1 as seen on a uniform background of the given grey level."""
        return self.colour + background * (1.0 - self.alpha[..., None])

    def grey(self, background: float) -> np.ndarray:
        """Luminance 0..255 on the given background."""
        return (self.flattened(background) @ LUMA) * 255.0


def prepare(premultiplied: np.ndarray) -> WorkImage:
    """The float copy every hash starts from (input: the work copy, premultiplied RGBA uint8: work_copy()'s,
    which the thumbnail is made from too)."""
    height, width = premultiplied.shape[:2]
    if max(height, width) <= TINY_SIDE:
        factor = -(-UPSCALE_TO // max(height, width))
        premultiplied = cv2.resize(
            premultiplied, (width * factor, height * factor), interpolation=cv2.INTER_NEAREST
        )
    # colour and alpha converted apart, each divided in place: the same values as one RGBA float copy
    # split afterwards, without that copy
    colour = premultiplied[..., :3].astype(np.float32)
    colour /= 255.0
    alpha = premultiplied[..., 3].astype(np.float32)
    alpha /= 255.0
    return WorkImage(colour=colour, alpha=alpha, has_alpha=bool(alpha.min() < 1.0))


def work_copy(premultiplied: np.ndarray) -> np.ndarray:
    """The image shrunk to HASH_SIDE on its longer side, or less far when that would leave fewer than
    MIN_HASH_ACROSS pixels across a strip (never more than the decoded copy's WORK_SIDE)."""
    short, long = sorted(premultiplied.shape[:2])
    side = max(HASH_SIDE, min(WORK_SIDE, -(-MIN_HASH_ACROSS * long // max(1, short))))
    return shrink(premultiplied, side)


def trim(work: WorkImage) -> WorkImage | None:
    """The image cut to the bounding box of its visible pixels, or None for an opaque or invisible image.

    Re-packing a sprite into an atlas with trimming, or cropping away its empty margins, moves and scales it
    within its canvas, which moves every whole-canvas hash; the trimmed hashes stay put.
    """
    if not work.has_alpha:
        return None
    visible = work.alpha > TRIM_ALPHA
    rows = np.flatnonzero(visible.any(axis=1))
    cols = np.flatnonzero(visible.any(axis=0))
    if rows.size == 0:
        return None
    window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    return WorkImage(
        colour=np.ascontiguousarray(work.colour[window]),
        alpha=np.ascontiguousarray(work.alpha[window]),
        has_alpha=True,
    )


def area_resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Area-average resize that stays a true box filter when an axis must grow.

    OpenCV's INTER_AREA falls back to bilinear sampling as soon as one axis is enlarged (a 256 x 16 sprite
    strip hashed at 32 x 32), which aliases and is not mirror-symmetric; growing that axis by a whole-number
    nearest-neighbour factor first keeps every hash a plain average of pixels.
    """
    source_height, source_width = image.shape[:2]
    grow_x = -(-width // source_width)
    grow_y = -(-height // source_height)
    if grow_x > 1 or grow_y > 1:
        image = cv2.resize(
            image, (source_width * grow_x, source_height * grow_y), interpolation=cv2.INTER_NEAREST
        )
    if image.shape[1] == width and image.shape[0] == height:
        return image
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def to_hex(bits: np.ndarray) -> str:
    return np.packbits(bits.astype(bool).ravel()).tobytes().hex()


@cache
def _dct_rows(size: int, keep: int) -> np.ndarray:
    """The first `keep` rows of the unnormalised DCT-II matrix (scipy.fftpack.dct's, which imagehash uses)."""
    n = np.arange(size)
    k = np.arange(keep)[:, None]
    return 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * size))


PHASH_SIDE = 32  # imagehash's pHash: hash_size 8 x highfreq_factor 4
PHASH_BITS_SIDE = 8


def low_frequencies(grey: np.ndarray) -> np.ndarray:
    """The 8 x 8 lowest 2-D DCT coefficients of the image shrunk to 32 x 32."""
    return _low_of_small(area_resize(np.ascontiguousarray(grey, dtype=np.float32), PHASH_SIDE, PHASH_SIDE))


def _low_of_small(small: np.ndarray) -> np.ndarray:
    rows = _dct_rows(PHASH_SIDE, PHASH_BITS_SIDE)
    return rows @ small.astype(np.float64) @ rows.T


def _planes_resized(planes: list[np.ndarray], width: int, height: int) -> list[np.ndarray]:
    """area_resize of each plane, in one call: OpenCV averages each channel of a multi-channel image with
    the same weights in the same order as a single-channel one (the same bits on the 2,184 work images of
    every 4th image file of benchmarks/perf.py's 300 MB game), and one pass over interleaved planes is ~30 %
    faster than one call per plane."""
    if len(planes) == 1:
        return [area_resize(planes[0], width, height)]
    small = area_resize(cv2.merge(planes), width, height)
    return [small[..., channel] for channel in range(len(planes))]


def phash_hex(grey: np.ndarray) -> str:
    return _bits_from_low(low_frequencies(grey))


def dhash_hex(grey: np.ndarray) -> str:
    return _dhash_bits(_dhash_means(grey))


def mask_hex(work: WorkImage) -> str:
    """The 16 x 16 silhouette (alpha > 1/2); all ones for an opaque image."""
    return to_hex(area_resize(work.alpha, MASK_SIDE, MASK_SIDE) > 0.5)


def colour_hex(work: WorkImage) -> str:
    """4 x 4 cell means of premultiplied RGB and alpha, a byte each."""
    # colour and alpha shrunk apart (the same bits per channel) and joined small, not copied together big
    colour = area_resize(work.colour, COLOUR_SIDE, COLOUR_SIDE)
    alpha = area_resize(work.alpha, COLOUR_SIDE, COLOUR_SIDE)
    small = np.concatenate([colour, alpha[..., None]], axis=-1)
    return np.rint(small * 255.0).clip(0, 255).astype(np.uint8).tobytes().hex()


_SRGB_TO_XYZ = np.array(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
)
_WHITE = np.array([0.950456, 1.0, 1.088754])


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0..1, any leading shape) to CIE Lab, the formulas OpenCV documents for COLOR_RGB2Lab."""
    rgb = np.clip(rgb, 0.0, 1.0)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    lightness = np.where(xyz[..., 1] > 0.008856, 116.0 * f[..., 1] - 16.0, 903.3 * xyz[..., 1])
    return np.stack([lightness, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])], axis=-1)


def ink_hex(work: WorkImage) -> str:
    """Share of visible pixels (alpha > 1/2), 0..255."""
    return f"{round(255 * float((work.alpha > 0.5).mean())):02x}"


def screen_hex(premultiplied: np.ndarray) -> str | None:
    """The decoded copy (premultiplied RGBA uint8) of an opaque, screen-sized picture as JPEG hex (fixed
    options: deterministic bytes)."""
    if max(premultiplied.shape[:2]) < SCREEN_MIN_SIDE or int(premultiplied[..., 3].min()) < 255:
        return None
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(premultiplied, cv2.COLOR_RGBA2BGR), [cv2.IMWRITE_JPEG_QUALITY, SCREEN_QUALITY]
    )
    return encoded.tobytes().hex() if ok else None


def decode_screen(value: str | None, max_bytes: int = 1 << 20) -> np.ndarray | None:
    """A `screen` value back to RGB float32 (0..1), or None when absent, oversized or undecodable."""
    if value is None or len(value) > 2 * max_bytes:
        return None
    try:
        data = bytes.fromhex(value)
    except ValueError:
        return None
    decoded = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if decoded is None or max(decoded.shape[:2]) > 4 * SCREEN_MIN_SIDE:
        return None
    return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0


def visible_share(ink: str | None) -> float | None:
    """The share of visible pixels an `ink` value records, or None when absent or malformed."""
    if ink is None or len(ink) != 2:
        return None
    try:
        return int(ink, 16) / 255.0
    except ValueError:
        return None


def perceptual_hashes(work: WorkImage) -> list[tuple[str, str]]:
    """(algorithm, hex) for every perceptual fingerprint, in a fixed order.

    Flattening is linear in the background level b: grey(b) = luminance + 255 b (1 - alpha) (the luma
    weights sum to 1), and so is every area resize and Sobel filter. So the full-size work is done once, on
    the premultiplied luminance, the transparency and their gradients, and each background costs only the
    combination of small arrays (and one gradient magnitude) - the same values as flattening three times,
    at a third of the cost (this is most of fingerprinting's time after decoding)."""
    backgrounds = BACKGROUNDS if work.has_alpha else BACKGROUNDS[:1]
    planes = _Planes.of(work)
    edge_maps = [planes.edges(background) * 255.0 for _, background in backgrounds]
    edge_lows = [_low_of_small(small) for small in _planes_resized(edge_maps, PHASH_SIDE, PHASH_SIDE)]
    values: list[tuple[str, str]] = []
    for (suffix, background), edge_low in zip(backgrounds, edge_lows, strict=True):
        phash, phash_mirror = _pair_from_low(planes.combine(planes.low, planes.clear_low, background))
        edges, edges_mirror = _pair_from_low(edge_low)
        dhash = planes.combine(planes.dhash, planes.clear_dhash, background)
        dhash_mirror = planes.combine(planes.dhash_mirror, planes.clear_dhash_mirror, background)
        values += [
            (f"phash{suffix}", phash),
            (f"phash-mirror{suffix}", phash_mirror),
            (f"dhash{suffix}", _dhash_bits(dhash)),
            (f"dhash-mirror{suffix}", _dhash_bits(dhash_mirror)),
            (f"edges{suffix}", edges),
            (f"edges-mirror{suffix}", edges_mirror),
        ]
    trimmed = trim(work)
    if trimmed is not None:
        grey = trimmed.grey(GREY)
        values += [("phash-trim", phash_hex(grey)), ("dhash-trim", dhash_hex(grey))]
    values += [
        ("mask", mask_hex(work)),
        ("colour", colour_hex(work)),
        ("detail", _detail(planes.luminance + GREY * planes.clear, work.alpha)),
        ("ink", ink_hex(work)),
    ]
    return values


@dataclass(frozen=True, slots=True, eq=False)
class _Planes:
    """The background-independent parts of one work image, computed once at full work size."""

    luminance: np.ndarray  # premultiplied luminance 0..255: the grey on a black background
    clear: np.ndarray  # 255 (1 - alpha): what a background of level b adds, times b
    low: np.ndarray  # low DCT frequencies of `luminance` (pHash input), and of `clear`
    clear_low: np.ndarray
    dhash: np.ndarray  # 9 x 8 area means of `luminance` and of `clear`, and of their mirrors
    clear_dhash: np.ndarray
    dhash_mirror: np.ndarray
    clear_dhash_mirror: np.ndarray
    gradients: Gradients  # Sobel x and y of the premultiplied R, G, B
    alpha_gradients: Gradients | None  # Sobel x and y of 1 - alpha (one plane each); None when opaque

    @staticmethod
    def of(work: WorkImage) -> _Planes:
        luminance = np.ascontiguousarray((work.colour @ LUMA) * 255.0, dtype=np.float32)
        clear = np.ascontiguousarray((1.0 - work.alpha) * 255.0, dtype=np.float32)
        small, clear_small = _planes_resized([luminance, clear], PHASH_SIDE, PHASH_SIDE)
        means = _planes_resized([luminance, clear, cv2.flip(luminance, 1), cv2.flip(clear, 1)], 9, 8)
        colour = [np.ascontiguousarray(work.colour[..., channel]) for channel in range(3)]
        return _Planes(
            luminance=luminance,
            clear=clear,
            low=_low_of_small(small),
            clear_low=_low_of_small(clear_small),
            dhash=means[0],
            clear_dhash=means[1],
            dhash_mirror=means[2],
            clear_dhash_mirror=means[3],
            gradients=_sobel(colour),
            alpha_gradients=_sobel([1.0 - work.alpha]) if work.has_alpha else None,
        )

    @staticmethod
    def combine(first: np.ndarray, clear: np.ndarray, background: float) -> np.ndarray:
        return first + background * clear if background else first

    def edges(self, background: float) -> np.ndarray:
        """Colour gradient magnitude (largest over R, G, B) of the image flattened on the background."""
        xs, ys = self.gradients
        if self.alpha_gradients is not None and background:
            (alpha_x,), (alpha_y,) = self.alpha_gradients
            shift_x, shift_y = background * alpha_x, background * alpha_y
            xs, ys = [x + shift_x for x in xs], [y + shift_y for y in ys]
        # the largest magnitude is the root of the largest square: sqrt is correctly rounded and monotonic,
        # so one root instead of three gives the same bits as magnitude() per channel
        squares = [x * x + y * y for x, y in zip(xs, ys, strict=True)]  # R, G, B
        return np.sqrt(np.maximum(np.maximum(squares[0], squares[1]), squares[2]))


def magnitude(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """sqrt(x^2 + y^2) per element, the same bits on every run.

    cv2.magnitude is not: on the same inputs its values differ by one ulp with where its output lands in
    memory (6 different results for 16 output offsets on 72 x 72 planes, OpenCV 4.12 on AVX2), which
    flipped edge-hash bits that sit on the median and made two runs of one comparison report different
    distances and scores. NumPy's multiply, add and sqrt are each correctly rounded per element, whatever
    the SIMD path."""
    return np.sqrt(x * x + y * y)


def _sobel(planes: list[np.ndarray]) -> Gradients:
    """(horizontal, vertical) Sobel gradients of each plane. One plane per call: OpenCV's multi-channel
    Sobel gives other bits (on 441 of those 2,184 work images), and the edge hashes must not change."""
    return (
        [cv2.Sobel(p, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE) for p in planes],
        [cv2.Sobel(p, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE) for p in planes],
    )


# mirroring an image negates its odd horizontal frequencies
_MIRROR_SIGNS = np.where(np.arange(PHASH_BITS_SIDE) % 2 == 1, -1.0, 1.0)


def _pair_from_low(low: np.ndarray) -> tuple[str, str]:
    """(pHash, pHash of the mirrored image) from one DCT."""
    mirrored = low * _MIRROR_SIGNS
    return _bits_from_low(low), _bits_from_low(mirrored)


def _bits_from_low(low: np.ndarray) -> str:
    return to_hex(low > _median(low))


def _median(values: np.ndarray) -> float:
    """np.median of a few dozen values, without its overhead (it is called ~14 times per image)."""
    ordered = np.sort(values, axis=None)
    middle = ordered.size // 2
    return float(ordered[middle]) if ordered.size % 2 else float(ordered[middle - 1] + ordered[middle]) / 2.0


def _dhash_means(grey: np.ndarray) -> np.ndarray:
    return area_resize(np.ascontiguousarray(grey, dtype=np.float32), 9, 8)


def _dhash_bits(small: np.ndarray) -> str:
    return to_hex(small[:, 1:] - small[:, :-1] > DHASH_MARGIN)


def _detail(grey: np.ndarray, alpha: np.ndarray) -> str:
    spread = float(np.sqrt(grey.var() + (alpha * 255.0).var()))
    return f"{min(255, round(spread)):02x}"


def reference_phash(work: WorkImage) -> str:
    """The plain implementation the fast one is tested against: imagehash.phash of the same grey-flattened
    image, shrunk to 32 x 32 with Pillow's box filter (area averaging, as ours) so only rounding differs."""
    flat = np.rint(work.flattened(GREY) * 255.0).clip(0, 255).astype(np.uint8)
    small = Image.fromarray(flat).convert("L").resize((32, 32), Image.Resampling.BOX)
    return str(imagehash.phash(small))


def median_ties(grey: np.ndarray, tolerance: float = 1e-3) -> int:
    """How many low-frequency coefficients lie within `tolerance` (relative) of their median: bits that any
    rounding may flip (symmetric drawings have many), so two implementations can only agree on the rest."""
    low = low_frequencies(grey)
    scale = float(np.abs(low).max()) or 1.0
    return int((np.abs(low - np.median(low)) <= tolerance * scale).sum())


def hamming(first: str, second: str) -> int:
    """Differing bits of two equally long hex hashes."""
    return (int(first, 16) ^ int(second, 16)).bit_count()
