"""Image entries: their assets, and their pixel size read from the header alone (for atlas bounds checks).

Decoding pixels is the fingerprint stage's job; here only headers are read, so a decompression bomb costs
nothing.
"""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image

from clonedetect.extract.roles import Role
from clonedetect.extract.sniff import PNG_MAGIC
from clonedetect.model import Asset, AssetKind, Entry, Frame

PNG_CHUNK = struct.Struct(">I4s")
MAX_PNG_CHUNKS_BEFORE_IHDR = 8  # CgBI comes first in Apple's PNGs; anything more is not a real PNG


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header, or None when the header is unreadable."""
    if data.startswith(PNG_MAGIC):
        return _png_size(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about large images; size is all we ask for
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Exception:  # Pillow raises many types on hostile headers; any of them means "no size"
        return None
    return (width, height) if width > 0 and height > 0 else None


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Walk chunks to IHDR: CgBI PNGs put Apple's chunk first, which Pillow refuses."""
    offset = len(PNG_MAGIC)
    for _ in range(MAX_PNG_CHUNKS_BEFORE_IHDR):
        if offset + PNG_CHUNK.size + 8 > len(data):
            return None
        length, chunk_type = PNG_CHUNK.unpack_from(data, offset)
        if chunk_type == b"IHDR":
            width, height = struct.unpack_from(">II", data, offset + PNG_CHUNK.size)
            return (width, height) if width > 0 and height > 0 else None
        offset += PNG_CHUNK.size + length + 4  # chunk data and CRC
    return None


def image_asset(entry: Entry, media_type: str, role: Role) -> Asset:
    return Asset(
        path=entry.name,
        entry=entry.name,
        kind=AssetKind.IMAGE,
        category=role.category,
        media_type=media_type,
        sha256=entry.sha256,
        size=entry.size,
        found_by=role.found_by,
    )


def frame_asset(page: Entry, media_type: str, name: str, frame: Frame, role: Role, found_by: str) -> Asset:
    return Asset(
        path=f"{page.name}#{name}",
        entry=page.name,
        kind=AssetKind.IMAGE,
        category=role.category,
        media_type=media_type,
        sha256=page.sha256,
        size=page.size,
        found_by=f"{found_by}/{role.found_by}",
        frame=frame,
    )
