"""Prints another analysis already made, reused instead of being computed again (`KnownPrints`).

A print depends on nothing but its input and the settings: an image print on the entry's bytes and the frame
cut from them, a string's on its value. So when the suspect is analysed next to the baseline (made with the
same settings), each image with the baseline's bytes and frame, and each string with a baseline string's
value, takes the baseline's fingerprints without reading, decoding or normalising anything; the result is
what computing them again would give. A private server's repack ships most of both unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from clonedetect.model import Asset, AssetKind, Fingerprint, Frame, Print


class KnownPrints:
    """The reusable prints of another analysis: images by (entry sha256, frame), strings by value.

    Only image prints whose image was decoded (they have a `pixels` fingerprint) are kept: an image that
    failed is fingerprinted again, so its warning is reported for this package too. Likewise a string longer
    than `max_text_bytes` (fingerprinted truncated, with a warning) is not reused."""

    def __init__(self, prints: Iterable[Print], max_text_bytes: int) -> None:
        self._images: dict[tuple[str, Frame | None], Print] = {}
        self._texts: dict[str, tuple[Fingerprint, ...]] = {}
        self._max_text_bytes = max_text_bytes
        for item in prints:
            asset = item.asset
            if asset.kind is AssetKind.IMAGE and asset.sha256 and item.value("pixels") is not None:
                self._images.setdefault((asset.sha256, asset.frame), item)
            elif asset.kind is AssetKind.TEXT and self._reusable_text(asset):
                self._texts.setdefault(asset.text, item.fingerprints)
        self._contents = {sha256 for sha256, _ in self._images}

    def knows_image(self, sha256: str) -> bool:
        """Whether an image file with these bytes (or a frame of it) was fingerprinted already."""
        return sha256 in self._contents

    def split(self, assets: Iterable[Asset]) -> tuple[list[Print], list[Asset]]:
        """(prints reused for the assets whose input is known, every other asset)."""
        reused: list[Print] = []
        rest: list[Asset] = []
        for asset in assets:
            found = self._known(asset)
            if found is None:
                rest.append(asset)
            else:
                reused.append(found)
        return reused, rest

    def _known(self, asset: Asset) -> Print | None:
        if asset.kind is AssetKind.IMAGE:
            image = self._images.get((asset.sha256, asset.frame))
            return None if image is None else replace(image, asset=asset)
        if asset.kind is AssetKind.TEXT and self._reusable_text(asset):
            fingerprints = self._texts.get(asset.text)
            return None if fingerprints is None else Print(asset, fingerprints)
        return None

    def _reusable_text(self, asset: Asset) -> bool:
        return len(asset.text) <= self._max_text_bytes
