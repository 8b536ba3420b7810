"""The plain reference pipeline benchmarks/perf.py measures clonedetect against.

    python benchmarks/naive.py ORIGINAL.apk SUSPECT.apk [--json FILE]

What anyone would write first, in one process: read every zip member with zipfile, sha256 it, decode every
image with Pillow and take imagehash.phash of it; collect every string of the JSON and CSV files; then match
(an image by equal sha256, else by the nearest pHash within 10 bits; a string by equal text, else by
rapidfuzz's best fuzz.ratio >= 90 over all suspect strings). It is plain, not deliberately slow: matching is
vectorised (NumPy popcount over all suspect hashes, rapidfuzz's C scorer), so its time is what decoding
and hashing cost. It prints one JSON line with the counts and its score.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
from PIL import Image
from rapidfuzz import fuzz, process

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
PHASH_DISTANCE = 10
FUZZY_CUTOFF = 90.0
Image.MAX_IMAGE_PIXELS = 64_000_000  # the same pixel limit clonedetect applies


@dataclass
class Side:
    """What the reference pipeline keeps of one package."""

    digests: dict[str, str] = field(default_factory=dict)  # image path -> sha256
    phashes: dict[str, int] = field(default_factory=dict)  # image path -> 64-bit pHash
    strings: list[str] = field(default_factory=list)
    undecodable: int = 0


def analyse(path: Path) -> Side:
    side = Side()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            data = archive.read(info)
            name = info.filename
            lower = name.lower()
            if lower.endswith(IMAGE_SUFFIXES):
                side.digests[name] = hashlib.sha256(data).hexdigest()
                try:
                    with Image.open(io.BytesIO(data)) as image:
                        side.phashes[name] = int(str(imagehash.phash(image)), 16)
                except (OSError, ValueError, Image.DecompressionBombError):
                    side.undecodable += 1
            elif lower.endswith(".json"):
                side.strings.extend(_json_strings(json.loads(data.decode("utf-8"))))
            elif lower.endswith(".csv"):
                rows = csv.reader(io.StringIO(data.decode("utf-8")))
                side.strings.extend(cell for row in rows for cell in row if cell)
    return side


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _json_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _json_strings(item)]
    return []


def match_images(baseline: Side, suspect: Side) -> tuple[int, int]:
    """(exact, near) matches of baseline images in the suspect."""
    suspect_digests = set(suspect.digests.values())
    hashes = np.array(list(suspect.phashes.values()), dtype=np.uint64)
    exact = near = 0
    for name, digest in baseline.digests.items():
        if digest in suspect_digests:
            exact += 1
            continue
        value = baseline.phashes.get(name)
        if value is None or hashes.size == 0:
            continue
        distances = np.bitwise_count(hashes ^ np.uint64(value))
        if int(distances.min()) <= PHASH_DISTANCE:
            near += 1
    return exact, near


def match_strings(baseline: Side, suspect: Side) -> tuple[int, int]:
    """(exact, fuzzy) matches of distinct baseline strings among the suspect's."""
    choices = sorted(set(suspect.strings))
    present = set(choices)
    exact = fuzzy = 0
    for text in sorted(set(baseline.strings)):
        if text in present:
            exact += 1
        elif process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF) is not None:
            fuzzy += 1
    return exact, fuzzy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("original", type=Path)
    parser.add_argument("suspect", type=Path)
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    baseline, suspect = analyse(args.original), analyse(args.suspect)
    analysed = time.perf_counter()
    image_exact, image_near = match_images(baseline, suspect)
    text_exact, text_fuzzy = match_strings(baseline, suspect)
    images = len(baseline.digests) or 1
    strings = len(set(baseline.strings)) or 1
    result = {
        "images": [len(baseline.digests), len(suspect.digests)],
        "image_matches": {"exact": image_exact, "near": image_near},
        "strings": [len(set(baseline.strings)), len(set(suspect.strings))],
        "string_matches": {"exact": text_exact, "fuzzy": text_fuzzy},
        "undecodable": baseline.undecodable + suspect.undecodable,
        "score": round(
            0.5 * (image_exact + image_near) / images + 0.5 * (text_exact + text_fuzzy) / strings, 4
        ),
        "seconds": {"analyse": round(analysed - start, 3), "match": round(time.perf_counter() - analysed, 3)},
    }
    text = json.dumps(result, sort_keys=True)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
