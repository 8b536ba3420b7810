"""The perf benchmark's decode floor counts every image, and its distinct-content part each content once:
the clone's byte-identical images and an image shipped at two paths cost a pipeline no second decode. Only
counts are asserted: timings are what benchmarks/perf.py measures, not what a test can pin."""

from __future__ import annotations

import zipfile
from pathlib import Path

import cv2
import numpy as np

from benchmarks.perf import decode_floor


def _png(level: int) -> bytes:
    ok, encoded = cv2.imencode(".png", np.full((24, 24, 3), level, dtype=np.uint8))
    assert ok
    return encoded.tobytes()


def _package(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_distinct_contents_are_decoded_once_in_the_floor(tmp_path: Path) -> None:
    shared, own, changed, again = _png(10), _png(20), _png(30), _png(40)
    original = _package(
        tmp_path / "original.apk",
        {"res/a.png": shared, "res/b.png": own, "assets/b-copy.png": own, "strings.json": b"{}"},
    )
    clone = _package(tmp_path / "clone.apk", {"res/a.png": shared, "res/b.png": changed, "res/c.png": again})
    floor = decode_floor([original, clone])
    assert floor["images"] == 6
    assert floor["by_format"][".png"]["images"] == 6
    assert floor["distinct_images"] == 4  # shared, own, changed, again
    assert 0.0 < floor["distinct_one_core_seconds"] <= floor["one_core_seconds"]
