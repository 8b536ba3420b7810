"""Image assets and prints built in memory, the way the extractor and the fingerprinter would make them, for
the tests of fingerprinting, matching and the fast paths (one builder, so they all test the same inputs)."""

from __future__ import annotations

import hashlib

from clonedetect.fingerprint.image import ImageFingerprinter
from clonedetect.model import Asset, AssetKind, Category, Frame, Print
from clonedetect.settings import Settings
from clonedetect.unpack.memory import MemorySource


def image_asset(
    path: str,
    data: bytes,
    entry: str | None = None,
    frame: Frame | None = None,
    category: Category = Category.CHARACTERS,
) -> Asset:
    """An image asset over `data` (an atlas frame when `frame` is given, cut from `entry`)."""
    return Asset(
        path=path,
        entry=entry or path,
        kind=AssetKind.IMAGE,
        category=category,
        media_type="image/png",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        found_by="test",
        frame=frame,
    )


def prints_of(files: dict[str, bytes], category: Category = Category.CHARACTERS) -> list[Print]:
    """Fingerprints of every file (name -> bytes), which must all decode."""
    assets = [image_asset(name, data, category=category) for name, data in sorted(files.items())]
    prints, warnings = ImageFingerprinter().fingerprint(assets, MemorySource(files), Settings())
    assert not warnings
    return prints
