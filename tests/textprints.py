"""String assets built in memory, the way the string extractors would make them, for the tests of text
fingerprinting, text matching and print reuse (one builder, so they all test the same inputs)."""

from __future__ import annotations

from clonedetect.model import Asset, AssetKind, Category


def text_asset(path: str, value: str, key: str = "", locale: str = "") -> Asset:
    return Asset(
        path=path,
        entry=path.split("#")[0],
        kind=AssetKind.TEXT,
        category=Category.TEXT,
        media_type="text/plain",
        sha256="0" * 64,
        size=len(value.encode()),
        found_by="test",
        key=key,
        locale=locale,
        text=value,
    )
