"""Apple's 'CgBI' PNG variant (what Xcode's pngcrush writes into IPAs) -> a standard PNG.

A CgBI file has a 'CgBI' chunk before IHDR, IDAT data as a raw deflate stream (no zlib header or
checksum), and pixels stored as BGRA with the colour premultiplied by alpha. Ordinary decoders refuse it or
show wrong colours. We re-wrap the (still filtered) scanlines as a normal zlib stream, let Pillow undo the
PNG filters, then swap the channels back and un-premultiply with numpy.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {2: 3, 6: 4}  # colour type -> channels (RGB, RGBA); CgBI files use no other


class CgbiError(ValueError):
    """Not a CgBI PNG we can convert, or one over the pixel limit."""


def is_cgbi(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE) and data[12:16] == b"CgBI"


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks: list[tuple[bytes, bytes]] = []
    at = len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, at)
        if at + 12 + length > len(data):
            raise CgbiError(f"chunk {kind!r} at {at} runs past the file")
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _inflate(idat: bytes, bound: int) -> bytes:
    """The scanlines: raw deflate (CgBI), or zlib in files that were only partly converted; at most bound."""
    for wbits in (-15, 15):
        inflater = zlib.decompressobj(wbits)
        try:
            raw = inflater.decompress(idat, bound)
        except zlib.error:
            continue
        if inflater.unconsumed_tail:
            raise CgbiError(f"image data inflates past the {bound} bytes its size allows")
        return raw
    raise CgbiError("image data is neither raw deflate nor zlib")


def cgbi_to_png(data: bytes, max_pixels: int) -> bytes:
    """A standard RGBA (or RGB) PNG with the pixels of a CgBI PNG; CgbiError when it cannot be converted."""
    if not is_cgbi(data):
        raise CgbiError("not a CgBI PNG")
    chunks = _chunks(data)
    header = next((body for kind, body in chunks if kind == b"IHDR"), None)
    if header is None or len(header) != 13:
        raise CgbiError("no valid IHDR chunk")
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in CHANNELS:
        raise CgbiError(f"unsupported CgBI pixel format (depth {depth}, colour type {colour})")
    if width == 0 or height == 0 or width * height > max_pixels:
        raise CgbiError(f"{width}x{height} pixels, over the limit {max_pixels}")
    channels = CHANNELS[colour]
    # filtered scanlines: one filter byte per row; Adam7 interlacing adds at most one row per pass per 8 rows
    bound = (height + 7 * (height // 8 + 1)) * (1 + width * channels)
    raw = _inflate(b"".join(body for kind, body in chunks if kind == b"IDAT"), bound)
    standard = (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 1))
        + _chunk(b"IEND", b"")
    )
    try:
        with Image.open(io.BytesIO(standard)) as image:
            image.load()
            pixels = np.asarray(image, dtype=np.uint8).copy()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise CgbiError(f"scanlines do not decode ({error})") from None
    if pixels.shape != (height, width, channels):
        raise CgbiError(f"decoded {pixels.shape}, expected {(height, width, channels)}")
    pixels[..., :3] = pixels[..., 2::-1].copy()  # BGR(A) -> RGB(A)
    if channels == 4:
        alpha = pixels[..., 3:4].astype(np.uint32)
        colour_values = pixels[..., :3].astype(np.uint32)
        # un-premultiply with rounding; fully transparent pixels keep colour 0
        restored = np.where(alpha > 0, (colour_values * 255 + alpha // 2) // np.maximum(alpha, 1), 0)
        pixels[..., :3] = np.minimum(restored, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGBA" if channels == 4 else "RGB").save(out, format="PNG")
    return out.getvalue()
