"""What a pirate does to stolen art, as seeded image transforms: re-encode, rescale, recolour, mirror, crop,
stamp a badge or a caption on it, flatten or premultiply its alpha, add a 9-patch border.

Each transform takes a straight-alpha RGBA Pillow image and a seeded `random.Random` and returns the encoded
file (`Encoded`: bytes and extension), so the benchmark writes exactly what a repacked game would ship. Each
also names the `transforms` labels a matcher is expected to report for it (`Transform.expected`; an empty
tuple when nothing visible changed). Everything is deterministic for a given seed.
"""

from __future__ import annotations

import colorsys
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from samples.build import cgbi_encode

MIN_DOWNSCALED_SIDE = 16  # a downscale never leaves a side shorter than this
PIXEL_ART_SIDE = 64  # images up to this size are pixel art: enlarged by whole pixels, as games show them


@dataclass(frozen=True, slots=True)
class Encoded:
    data: bytes
    extension: str  # 'png', 'jpg', 'webp', '9.png'


Apply = Callable[[Image.Image, random.Random], Encoded]


@dataclass(frozen=True, slots=True)
class Transform:
    name: str
    expected: tuple[str, ...]  # the Match.transforms labels that must be reported
    apply: Apply
    applies: Callable[[Image.Image], bool] = lambda image: True


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _flat(image: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    flat = Image.new("RGB", image.size, colour)
    flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
    return flat


def has_alpha(image: Image.Image) -> bool:
    extrema = image.convert("RGBA").getchannel("A").getextrema()
    return bool(extrema[0] < 255)


def is_colourful(image: Image.Image, minimum: float = 0.15) -> bool:
    """Mean saturation of the visible pixels: a hue shift of a grey drawing changes nothing."""
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
    visible = rgba[..., 3] > 0.5
    if not visible.any():
        return False
    rgb = rgba[..., :3][visible]
    spread = rgb.max(axis=1) - rgb.min(axis=1)
    return float(spread.mean()) >= minimum


def jpeg(image: Image.Image, rng: random.Random) -> Encoded:
    """Flattened on white or black (JPEG has no alpha), quality 60-90."""
    background = rng.choice(((255, 255, 255), (0, 0, 0)))
    buffer = io.BytesIO()
    _flat(image, background).save(buffer, "JPEG", quality=rng.randrange(60, 91))
    return Encoded(buffer.getvalue(), "jpg")


def webp(image: Image.Image, rng: random.Random) -> Encoded:
    """Lossy WebP, alpha kept, quality 60-90."""
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=rng.randrange(60, 91), method=4)
    return Encoded(buffer.getvalue(), "webp")


def resize(image: Image.Image, factor: float) -> Image.Image:
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    if factor > 1 and max(image.size) <= PIXEL_ART_SIDE:
        return image.resize(size, Image.Resampling.NEAREST)
    return image.resize(size, Image.Resampling.LANCZOS)


def downscale(image: Image.Image, rng: random.Random) -> Encoded:
    """25-70 % of the size, never below MIN_DOWNSCALED_SIDE."""
    floor = MIN_DOWNSCALED_SIDE / min(image.size)
    return Encoded(png(resize(image, max(floor, rng.uniform(0.25, 0.7)))), "png")


def upscale(image: Image.Image, rng: random.Random) -> Encoded:
    """130-200 % of the size (whole pixels for pixel art)."""
    factor = rng.choice((2.0,)) if max(image.size) <= PIXEL_ART_SIDE else rng.uniform(1.3, 2.0)
    return Encoded(png(resize(image, factor)), "png")


def hue(image: Image.Image, rng: random.Random) -> Encoded:
    """Hue turned by 60-180 degrees, alpha kept."""
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
    shift = rng.uniform(60.0, 180.0) / 360.0
    to_hsv = np.vectorize(colorsys.rgb_to_hsv, otypes=[np.float32] * 3)
    to_rgb = np.vectorize(colorsys.hsv_to_rgb, otypes=[np.float32] * 3)
    h, s, v = to_hsv(rgba[..., 0], rgba[..., 1], rgba[..., 2])
    r, g, b = to_rgb((h + shift) % 1.0, s, v)
    out = np.stack([r, g, b, rgba[..., 3]], axis=-1)
    return Encoded(png(Image.fromarray(np.rint(out * 255).astype(np.uint8), "RGBA")), "png")


def brightness_contrast(image: Image.Image, rng: random.Random) -> Encoded:
    """Brighter or darker by 20-35 %, contrast up by 20-40 %."""
    alpha = image.convert("RGBA").getchannel("A")
    rgb = image.convert("RGB")
    factor = rng.choice((rng.uniform(1.2, 1.35), rng.uniform(0.65, 0.8)))
    rgb = ImageEnhance.Contrast(ImageEnhance.Brightness(rgb).enhance(factor)).enhance(rng.uniform(1.2, 1.4))
    out = rgb.convert("RGBA")
    out.putalpha(alpha)
    return Encoded(png(out), "png")


def mirror(image: Image.Image, rng: random.Random) -> Encoded:
    return Encoded(png(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)), "png")


def crop(image: Image.Image, rng: random.Random) -> Encoded:
    """4-10 % cut from every side (each side its own share)."""
    width, height = image.size
    shares = [rng.uniform(0.04, 0.10) for _ in range(4)]
    box = (
        round(width * shares[0]),
        round(height * shares[1]),
        width - round(width * shares[2]),
        height - round(height * shares[3]),
    )
    return Encoded(png(image.crop(box)), "png")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font: the same glyphs on every machine."""
    return ImageFont.load_default(size=max(6, size))


def badge(image: Image.Image, rng: random.Random) -> Encoded:
    """A red disc with a white number in a corner, about a quarter of the picture's size."""
    marked = image.convert("RGBA").copy()
    width, height = marked.size
    # about a quarter of the picture's size, as big as fits on a sprite strip
    side = max(
        5, round(min(float(np.sqrt(width * height)) * rng.uniform(0.22, 0.3), 0.8 * min(width, height)))
    )
    corner = rng.choice(((0, 0), (width - side, 0), (0, height - side), (width - side, height - side)))
    draw = ImageDraw.Draw(marked)
    draw.ellipse([corner[0], corner[1], corner[0] + side - 1, corner[1] + side - 1], fill=(225, 25, 30, 255))
    draw.text(
        (corner[0] + side / 2, corner[1] + side / 2),
        str(rng.randrange(1, 10)),
        fill=(255, 255, 255, 255),
        font=_font(round(side * 0.7)),
        anchor="mm",
    )
    return Encoded(png(marked), "png")


def watermark(image: Image.Image, rng: random.Random) -> Encoded:
    """A half-transparent white word with a dark rim across the middle."""
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    width, height = base.size
    word = rng.choice(("SAMPLE", "PIRATE", "VIP", "FREE"))
    size = round(min(width / (0.75 * len(word)), height * 0.5))
    ImageDraw.Draw(layer).text(
        (width / 2, height / 2),
        word,
        fill=(255, 255, 255, 130),
        font=_font(size),
        anchor="mm",
        stroke_width=max(1, size // 12),  # a dark rim, so the word shows on light art too
        stroke_fill=(0, 0, 0, 130),
    )
    return Encoded(png(Image.alpha_composite(base, layer)), "png")


def caption(image: Image.Image, rng: random.Random) -> Encoded:
    """A dark strip with white text over the bottom sixth, as on store art and splash screens."""
    marked = image.convert("RGBA").copy()
    width, height = marked.size
    strip = max(4, height // 6)
    draw = ImageDraw.Draw(marked)
    draw.rectangle([0, height - strip, width, height], fill=(20, 20, 28, 255))
    text = rng.choice(("NEW 2025", "HOT!", "PRIVATE SERVER", "VIP 10"))
    draw.text(
        (width / 2, height - strip / 2), text, fill=(255, 255, 255, 255), font=_font(strip - 2), anchor="mm"
    )
    return Encoded(png(marked), "png")


def flatten(image: Image.Image, rng: random.Random) -> Encoded:
    """Alpha composited onto a solid background and dropped: an opaque PNG."""
    colour = rng.choice(((255, 255, 255), (0, 0, 0), (30, 30, 40), (255, 0, 255)))
    return Encoded(png(_flat(image, colour)), "png")


def premultiply(image: Image.Image, rng: random.Random) -> Encoded:
    """Apple's CgBI PNG (premultiplied BGRA, raw deflate), as Xcode ships it in an IPA."""
    return Encoded(cgbi_encode(png(image.convert("RGBA"))), "png")


def nine_patch(image: Image.Image, rng: random.Random) -> Encoded:
    """An Android 9-patch: a 1-pixel transparent border with black stretch and padding markers."""
    rgba = image.convert("RGBA")
    width, height = rgba.size
    out = Image.new("RGBA", (width + 2, height + 2), (0, 0, 0, 0))
    out.paste(rgba, (1, 1))
    draw = ImageDraw.Draw(out)
    black = (0, 0, 0, 255)
    draw.line([(1 + width // 3, 0), (width - width // 3, 0)], fill=black)
    draw.line([(0, 1 + height // 3), (0, height - height // 3)], fill=black)
    draw.line([(1 + width // 6, height + 1), (width - width // 6, height + 1)], fill=black)
    draw.line([(width + 1, 1 + height // 6), (width + 1, height - height // 6)], fill=black)
    return Encoded(png(out), "9.png")


def chain(*steps: Apply) -> Apply:
    """Several transforms in a row: each step's output is decoded and handed to the next."""

    def run(image: Image.Image, rng: random.Random) -> Encoded:
        encoded = Encoded(png(image), "png")
        for step in steps:
            encoded = step(decode(encoded), rng)
        return encoded

    return run


def decode(encoded: Encoded) -> Image.Image:
    """Straight-alpha RGBA of an encoded transform output (CgBI included)."""
    if encoded.data[12:16] == b"CgBI":
        from samples.build import cgbi_decode

        return cgbi_decode(encoded.data).convert("RGBA")
    with Image.open(io.BytesIO(encoded.data)) as opened:
        return opened.convert("RGBA")


def _large(image: Image.Image) -> bool:
    return min(image.size) >= 4 * MIN_DOWNSCALED_SIDE


def _shaped(image: Image.Image) -> bool:
    return has_alpha(image)


TRANSFORMS: tuple[Transform, ...] = (
    Transform("jpeg", ("re-encoded",), jpeg),
    Transform("webp", ("re-encoded",), webp),
    Transform("downscale", ("scaled",), downscale, _large),
    Transform("upscale", ("scaled",), upscale),
    Transform("hue", ("recoloured",), hue, is_colourful),
    Transform("brightness-contrast", ("recoloured",), brightness_contrast),
    Transform("mirror", ("mirrored",), mirror),
    Transform("crop", ("cropped",), crop),
    Transform("badge", ("overlaid",), badge),
    Transform("watermark", ("overlaid",), watermark, _large),
    Transform("caption", ("overlaid",), caption, _large),
    Transform("flatten", ("flattened",), flatten, _shaped),
    Transform("premultiplied", ("re-encoded",), premultiply),
    Transform("nine-patch", ("nine-patch",), nine_patch),
    Transform("jpeg+downscale", ("re-encoded", "scaled"), chain(downscale, jpeg), _large),
    Transform("hue+mirror", ("mirrored", "recoloured"), chain(hue, mirror), is_colourful),
    Transform("crop+badge", ("cropped", "overlaid"), chain(crop, badge), _large),
)
BY_NAME: dict[str, Transform] = {t.name: t for t in TRANSFORMS}


def applicable(image: Image.Image) -> list[Transform]:
    return [t for t in TRANSFORMS if t.applies(image)]
