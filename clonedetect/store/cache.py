"""Keys of the suspect cache: input SHA-256 + tool version + a hash of the settings analysis depends on.

A cached analysis is reused only when all three agree, so upgrading clonedetect or changing a safety limit
re-analyses, while changing the clone threshold or the number of jobs (which do not change what analysis
finds) does not.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict
from pathlib import Path

import clonedetect
from clonedetect.filehash import bounded_file_sha256
from clonedetect.settings import Limits, Settings


def settings_hash(settings: Settings) -> str:
    """Limits and the thresholds other than the verdict's: what unpack, extract and fingerprint may read."""
    thresholds = asdict(settings.thresholds)
    thresholds.pop("clone", None)
    relevant = {"limits": asdict(settings.limits), "thresholds": thresholds}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def cache_key(sha256: str, settings: Settings) -> str:
    return f"{sha256}:{clonedetect.__version__}:{settings_hash(settings)}"


def input_sha256(path: Path, limits: Limits) -> str | None:
    """SHA-256 of a file, or of a folder's sorted (relative name, size, sha256) listing.

    None when the input cannot be hashed within the limits (then it is analysed without the cache, and
    analysis reports what is wrong with it). Symbolic links are never followed: a hostile folder could point
    one at /dev/zero or outside itself.
    """
    try:
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode):
            return bounded_file_sha256(path, limits.max_total_bytes)
        if stat.S_ISDIR(mode):
            return _folder_sha256(path, limits)
    except OSError:
        return None
    return None


def _folder_sha256(root: Path, limits: Limits) -> str | None:
    listing: list[tuple[str, int, str]] = []
    total = 0
    for directory, folders, files in os.walk(root, followlinks=False):
        folders.sort()
        for name in sorted(files):
            path = Path(directory, name)
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            total += info.st_size
            if len(listing) >= limits.max_entries or total > limits.max_total_bytes:
                return None
            file_hash = bounded_file_sha256(path, limits.max_entry_bytes)
            if file_hash is None:
                return None
            listing.append((path.relative_to(root).as_posix(), info.st_size, file_hash))
    text = "\n".join(f"{name}\t{size}\t{sha}" for name, size, sha in sorted(listing))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
