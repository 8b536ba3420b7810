"""Bounded image decoding: bytes (+ an optional atlas frame) -> a small premultiplied RGBA copy.

Images come from pirates, so the declared size is read from the header first and anything over
`Limits.max_pixels` is refused before a single pixel is decoded (a PNG claiming 65,000 x 65,000 costs
nothing). Only the raster formats games ship are decoded (PNG, JPEG, WebP, GIF, BMP, ICO); Pillow is given
the same list, so none of its riskier plugins (EPS runs Ghostscript) can be reached by renaming a file.

Pixels are kept *premultiplied* by alpha from the moment they are decoded: the RGB hidden under transparent
pixels is arbitrary (encoders zero it, keep it, or bleed colours into it) and CgBI PNGs from iOS builds store
premultiplied colour anyway, so premultiplying makes the same visible picture give the same bytes; it is
also the correct form to resample in.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass

# OPENCV_IO_MAX_IMAGE_PIXELS is set in clonedetect/__init__.py, before anything imports cv2; our own header
# check runs before every decode, so that is the second fence.
import cv2
import numpy as np
from PIL import Image

from clonedetect.model import Frame
from clonedetect.settings import Limits
from clonedetect.unpack.cgbi import cgbi_to_png, is_cgbi

# longer side of the decoded copy: a screenshot keeps it (hashes.screen_hex); the hashes and the thumbnail
# are made from a smaller copy of it (hashes.HASH_SIDE)
WORK_SIDE = 256
PIL_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "ICO")
CV2_FORMATS = frozenset({"png", "jpeg", "webp", "bmp"})

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STRIP_BYTES = 1 << 20  # RGBA bytes per strip when an image is copied out of Pillow (_pil_to_rgba)


class DecodeError(ValueError):
    """The bytes are not an image we can (or are willing to) decode; the message says why."""


@dataclass(frozen=True, slots=True, eq=False)
class Page:
    """A decoded image at full resolution: premultiplied RGBA uint8, H x W x 4."""

    rgba: np.ndarray
    format: str  # 'png', 'jpeg', 'webp', 'gif', 'bmp', 'ico'


@dataclass(frozen=True, slots=True, eq=False)
class DecodedImage:
    """One image (or atlas frame) ready for fingerprinting."""

    rgba: np.ndarray  # premultiplied RGBA uint8, longer side <= WORK_SIDE (small images keep their size)
    width: int  # original size: of the file, or of the sprite a frame restores
    height: int
    pixels_sha256: str  # of the full-resolution premultiplied RGBA, with its size: equal for equal pictures
    format: str


def sniff_format(data: bytes) -> str | None:
    """The raster format by magic bytes, never by file name."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    if data.startswith(b"\x00\x00\x01\x00"):
        return "ico"
    return None


def declared_size(data: bytes, image_format: str) -> tuple[int, int] | None:
    """(width, height) from the header alone, or None when the format keeps it elsewhere (ICO)."""
    try:
        if image_format == "png":
            return _png_size(data)
        if image_format == "jpeg":
            return _jpeg_size(data)
        if image_format == "webp":
            return _webp_size(data)
        if image_format == "gif":
            width, height = struct.unpack_from("<HH", data, 6)
            return width, height
        if image_format == "bmp":
            return _bmp_size(data)
    except (struct.error, IndexError):
        raise DecodeError(f"truncated {image_format.upper()} header") from None
    return None


def _png_size(data: bytes) -> tuple[int, int]:
    if data[12:16] != b"IHDR":
        raise DecodeError("PNG without an IHDR chunk first")
    width, height = struct.unpack_from(">II", data, 16)
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int]:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise DecodeError("corrupt JPEG marker stream")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD9:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack_from(">H", data, position + 2)
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack_from(">HH", data, position + 5)
            return width, height
        if length < 2:
            raise DecodeError("corrupt JPEG segment length")
        position += 2 + length
    raise DecodeError("JPEG without a frame header (truncated?)")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise DecodeError("corrupt WebP VP8 frame header")
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            raise DecodeError("corrupt WebP VP8L signature")
        (bits,) = struct.unpack_from("<I", data, 21)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        raw = data[24:30]
        if len(raw) < 6:
            raise DecodeError("truncated WebP VP8X header")
        return int.from_bytes(raw[0:3], "little") + 1, int.from_bytes(raw[3:6], "little") + 1
    raise DecodeError(f"unknown WebP chunk {chunk!r}")


def _bmp_size(data: bytes) -> tuple[int, int]:
    (header_size,) = struct.unpack_from("<I", data, 14)
    if header_size == 12:  # OS/2 BITMAPCOREHEADER
        width, height = struct.unpack_from("<HH", data, 18)
        return width, height
    width, height = struct.unpack_from("<ii", data, 18)
    return abs(width), abs(height)


def check_pixels(width: int, height: int, limits: Limits, what: str = "image") -> None:
    if width <= 0 or height <= 0:
        raise DecodeError(f"{what} has an empty size {width}x{height}")
    if width * height > limits.max_pixels:
        raise DecodeError(
            f"{what} declares {width}x{height} pixels, over the limit of {limits.max_pixels:,} pixels"
        )


def read_page(data: bytes, limits: Limits) -> Page:
    """Decode a whole image file to premultiplied RGBA, refusing it before decoding when it is too big."""
    if not data:
        raise DecodeError("empty file (0 bytes)")
    if data.startswith(PNG_MAGIC) and is_cgbi(data):
        # Apple's CgBI PNG (raw deflate, BGRA, premultiplied) is not readable by libpng; convert it first.
        try:
            data = cgbi_to_png(data, limits.max_pixels)
        except ValueError as error:
            raise DecodeError(f"unreadable CgBI PNG: {error}") from None
    image_format = sniff_format(data)
    if image_format is None:
        raise DecodeError("not a supported raster image (PNG, JPEG, WebP, GIF, BMP, ICO)")
    size = declared_size(data, image_format)
    if size is not None:
        check_pixels(*size, limits)
    decoded = None
    if image_format in CV2_FORMATS and not _pillow_decodes_better(data, image_format):
        decoded = _decode_cv2(data)
    rgba, with_alpha = decoded if decoded is not None else (_decode_pil(data, limits), True)
    check_pixels(rgba.shape[1], rgba.shape[0], limits)  # the decoded size, whatever the header said
    if with_alpha:
        _premultiply_in_place(rgba)
    return Page(rgba=rgba, format=image_format)


def _pillow_decodes_better(data: bytes, image_format: str) -> bool:
    """The PNGs that go straight to Pillow: those OpenCV decodes wrongly or at twice the memory."""
    if image_format != "png" or len(data) < 26:
        return False
    return _png_has_colour_key(data) or _png_is_wide_colour(data)


def _png_has_colour_key(data: bytes) -> bool:
    """Grey/RGB PNGs with a tRNS colour key: OpenCV drops that transparency, Pillow keeps it."""
    if data[25] not in (0, 2):
        return False
    first_data = data.find(b"IDAT")
    return b"tRNS" in data[: first_data if first_data > 0 else len(data)]


def _png_is_wide_colour(data: bytes) -> bool:
    """RGB, grey+alpha and RGBA PNGs with 16-bit samples (IHDR bit depth 16, colour type 2, 4 or 6).

    OpenCV decodes them to uint16 in a buffer of its own and then copies that into the array it returns: at
    the 64 MP limit an RGBA page peaked at 1 GB before its 8-bit copy was even made. Pillow unpacks 16-bit
    colour to 8 bits row by row as it inflates, keeping each sample's high byte (the `>> 8` of the OpenCV
    path, so the pixels, and their hash, are the same), and _pil_to_rgba copies that out strip by strip: the
    page then costs its 8-bit size twice at most. 16-bit grey stays with OpenCV, whose uint16 grey is half
    the size of the RGBA page made from it, and which Pillow would scale differently (_pil_to_rgba)."""
    return data[24] == 16 and data[25] in (2, 4, 6)


def _png_chunks_fit(data: bytes) -> bool:
    """True when every PNG chunk's declared length lies inside the file. OpenCV allocates a chunk's declared
    length before reading it (gigabytes for a 120-byte file), so a PNG that lies goes to Pillow instead.

    The walk ends at the first IEND that follows image data: OpenCV reads no further. An IEND before any
    IDAT does not end it, because OpenCV reads on past that one (a 364-byte PNG with an early IEND and then
    a chunk claiming 2 GB made it allocate 2 GB)."""
    offset = 8
    seen_data = False
    while offset + 8 <= len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        end = offset + 12 + length
        if end > len(data):
            return False
        kind = data[offset + 4 : offset + 8]
        if kind == b"IEND" and seen_data:
            return True
        seen_data = seen_data or kind == b"IDAT"
        offset = end
    return True


def _decode_cv2(data: bytes) -> tuple[np.ndarray, bool] | None:
    """(RGBA, whether the file had an alpha channel), or None to let Pillow try."""
    if data[:8] == PNG_MAGIC and not _png_chunks_fit(data):
        return None
    try:
        decoded = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        return None  # OpenCV's own limits or a codec error: Pillow gets its turn and says why
    if decoded is None or decoded.size == 0:
        return None
    if decoded.dtype == np.uint16:
        np.right_shift(decoded, 8, out=decoded)  # in place: a 64 MP 16-bit RGBA decode is already 512 MB
        decoded = decoded.astype(np.uint8)
    elif decoded.dtype != np.uint8:
        return None  # float formats and the like: let Pillow try
    if decoded.ndim == 2:
        return cv2.cvtColor(decoded, cv2.COLOR_GRAY2RGBA), False
    channels = decoded.shape[2]
    if channels == 3:
        return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGBA), False
    if channels == 4:
        return cv2.cvtColor(decoded, cv2.COLOR_BGRA2RGBA, dst=decoded), True  # in place: pages can be big
    return None


def _decode_pil(data: bytes, limits: Limits) -> np.ndarray:
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=PIL_FORMATS) as image:
                check_pixels(image.width, image.height, limits)
                image.seek(0)  # animated GIF/WebP: the first frame stands for the image
                image.load()
                return _pil_to_rgba(image)
    except DecodeError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DecodeError(f"image over the pixel limit: {error}") from None
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, TypeError) as error:
        # Pillow reports corrupt and truncated data with all of these
        raise DecodeError(f"corrupt or truncated image: {error}") from None


def _pil_to_rgba(image: Image.Image, strip_bytes: int = STRIP_BYTES) -> np.ndarray:
    """The loaded image as RGBA uint8, converted strip by strip into one array allocated up front.

    Converting the whole image at once held Pillow's decode, its RGBA conversion, the bytes NumPy copies
    them through and the array together: up to four copies of a page that may be 256 MB. Strips of about
    `strip_bytes` leave two (Pillow's and ours). Every conversion is per pixel (palette lookup, colour key,
    grey to RGB), so the strips give the same pixels as one whole conversion."""
    width, height = image.size
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    convert = _strip_converter(image)
    rows = max(1, strip_bytes // (width * 4))
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        whole = top == 0 and bottom == height
        rgba[top:bottom] = convert(image if whole else image.crop((0, top, width, bottom)))
    return rgba


def _strip_converter(image: Image.Image) -> Callable[[Image.Image], np.ndarray]:
    """How one strip of `image` becomes RGBA uint8 (crop keeps the mode, palette and colour key)."""
    if image.mode not in ("I;16", "I;16B", "I;16L", "I"):
        return lambda strip: np.asarray(strip.convert("RGBA"), dtype=np.uint8)
    # Wide grey: 16-bit samples are scaled down by their high byte; an 'I' image whose values all fit a
    # byte is taken as it is. Decided on the whole image (its extrema), never per strip.
    low, high = image.getextrema()
    scale_down = high > 255 or low < 0  # as the uint32 view sees it: negative values wrap to huge ones

    def grey_to_rgba(strip: Image.Image) -> np.ndarray:
        wide = np.asarray(strip, dtype=np.uint32)
        grey = (wide >> 8 if scale_down else wide).clip(0, 255).astype(np.uint8)
        return cv2.cvtColor(np.ascontiguousarray(grey), cv2.COLOR_GRAY2RGBA)

    return grey_to_rgba


def _premultiply_in_place(rgba: np.ndarray) -> None:
    """colour := round(colour * alpha / 255) = (colour * alpha + 127) // 255 (255 is odd, so no value sits on
    .5). OpenCV's RGBA2mRGBA computes exactly that (tests check every colour/alpha pair), in place and 4x
    faster than NumPy; an opaque image, the common case, is only scanned."""
    if rgba[..., 3].min(initial=255) == 255:
        return
    if rgba.flags.c_contiguous:
        cv2.cvtColor(rgba, cv2.COLOR_RGBA2mRGBA, dst=rgba)
    else:
        rgba[...] = cv2.cvtColor(np.ascontiguousarray(rgba), cv2.COLOR_RGBA2mRGBA)


def cut_frame(page: Page, frame: Frame | None, limits: Limits) -> np.ndarray:
    """The frame's sprite as it was before packing: rotated back and placed on its untrimmed canvas.

    Frame.width/height are the sprite's own size (TexturePacker/Cocos convention): a rotated frame occupies
    height x width pixels of the page, stored 90 degrees clockwise.
    """
    if frame is None:
        return page.rgba
    page_height, page_width = page.rgba.shape[:2]
    stored_width, stored_height = (
        (frame.height, frame.width) if frame.rotated else (frame.width, frame.height)
    )
    if (
        frame.x < 0
        or frame.y < 0
        or stored_width <= 0
        or stored_height <= 0
        or frame.x + stored_width > page_width
        or frame.y + stored_height > page_height
    ):
        raise DecodeError(
            f"frame {stored_width}x{stored_height}+{frame.x}+{frame.y} lies outside the "
            f"{page_width}x{page_height} page"
        )
    region = page.rgba[frame.y : frame.y + stored_height, frame.x : frame.x + stored_width]
    if frame.rotated:
        region = cv2.rotate(region, cv2.ROTATE_90_COUNTERCLOCKWISE)
    if frame.source_width <= 0 or frame.source_height <= 0:
        return np.ascontiguousarray(region)
    check_pixels(frame.source_width, frame.source_height, limits, "frame source size")
    canvas = np.zeros((frame.source_height, frame.source_width, 4), dtype=np.uint8)
    _paste(canvas, region, frame.offset_x, frame.offset_y)
    return canvas


def _paste(canvas: np.ndarray, region: np.ndarray, left: int, top: int) -> None:
    """Copy region onto canvas at (left, top), clipped: hostile offsets place pixels partly or not at all."""
    height, width = canvas.shape[:2]
    src_top, src_left = max(0, -top), max(0, -left)
    dst_top, dst_left = max(0, top), max(0, left)
    rows = min(region.shape[0] - src_top, height - dst_top)
    cols = min(region.shape[1] - src_left, width - dst_left)
    if rows > 0 and cols > 0:
        canvas[dst_top : dst_top + rows, dst_left : dst_left + cols] = region[
            src_top : src_top + rows, src_left : src_left + cols
        ]


def pixels_sha256(rgba: np.ndarray) -> str:
    """sha256 of the size and the premultiplied RGBA: one value for one visible picture, whatever its file."""
    digest = hashlib.sha256(f"{rgba.shape[1]}x{rgba.shape[0]}\n".encode())
    digest.update(np.ascontiguousarray(rgba).data)
    return digest.hexdigest()


def shrink(rgba: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    """Area-average down to `side` on the longer edge; smaller images are returned as they are.

    OpenCV averages fast only by a whole-number factor (a 3784 x 2838 background to 256 x 192 took 39 ms,
    by 14 first and then the rest 14 ms), so a big image is first averaged by the largest whole factor that
    leaves it at least the target size, after its few leftover edge rows and columns are cut evenly from
    both sides: the copy moves by less than half a pixel of its own."""
    height, width = rgba.shape[:2]
    longest = max(height, width)
    if longest <= side:
        return np.ascontiguousarray(rgba)
    scale = side / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    factor = min(width // size[0], height // size[1])
    if factor >= 2 and (width % size[0] or height % size[1] or width // size[0] != height // size[1]):
        top, left = height % factor // 2, width % factor // 2
        whole = rgba[top : top + height - height % factor, left : left + width - width % factor]
        rgba = cv2.resize(whole, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
    return cv2.resize(rgba, size, interpolation=cv2.INTER_AREA)


def decode_frame(page: Page, frame: Frame | None, limits: Limits) -> DecodedImage:
    """One asset of an already decoded page (so a page with 200 frames is decoded once)."""
    full = cut_frame(page, frame, limits)
    return DecodedImage(
        rgba=shrink(full),
        width=int(full.shape[1]),
        height=int(full.shape[0]),
        pixels_sha256=pixels_sha256(full),
        format=page.format,
    )


def decode_image(data: bytes, limits: Limits, frame: Frame | None = None) -> DecodedImage:
    """Decode one image (or one frame of an atlas page); raises DecodeError with a readable reason."""
    return decode_frame(read_page(data, limits), frame, limits)
