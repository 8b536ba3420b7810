"""The version of each kind's fingerprints, and which stored prints were made by other versions.

A fingerprint carries the version of the algorithm that computed it. Raise a kind's version whenever a change
can alter a value it stores (tests pin known values to catch that); a baseline store written before then holds
values the matcher must not compare with fresh ones as if they were alike. It lives outside fingerprint/,
whose package imports OpenCV: the store reads it on every load, and listing baselines needs no OpenCV.
"""

from __future__ import annotations

from collections.abc import Iterable

from clonedetect.model import AssetKind, Print

# 2: edge hashes from NumPy's gradient magnitude; cv2.magnitude's, one ulp apart from call to call, had
# flipped edge-hash bits of 0.2 % of images (27 of 14,628 prints of seven packages differ from version 1)
# 3: hashes from a <= 128 px work copy instead of <= 256 (half the hashing time; edge hashes differ most)
# 4: big images averaged by a whole factor first (decode.shrink, OpenCV's fast path): copies move a little
IMAGE = 4
TEXT = 1
TABLE = 1
OTHER = 1  # code, audio: the entry's sha256 only
CURRENT: dict[AssetKind, int] = {AssetKind.IMAGE: IMAGE, AssetKind.TEXT: TEXT, AssetKind.TABLE: TABLE}


def outdated(prints: Iterable[Print]) -> dict[AssetKind, tuple[int, ...]]:
    """Per asset kind, the fingerprint versions among `prints` that this code does not write (sorted)."""
    found: dict[AssetKind, set[int]] = {}
    for item in prints:
        current = CURRENT.get(item.asset.kind, OTHER)
        for fingerprint in item.fingerprints:
            if fingerprint.version != current:
                found.setdefault(item.asset.kind, set()).add(fingerprint.version)
    return {kind: tuple(sorted(found[kind])) for kind in sorted(found, key=lambda kind: kind.value)}
