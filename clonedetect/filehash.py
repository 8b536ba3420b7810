"""SHA-256 of an input file, read once per process.

A cold compare used to read each 300 MB input three times: for the cache key, to list its entries, and for
the package's SHA-256 (0.25 s a read). The listing has to read every entry; the two whole-file hashes are one:
a file whose stat identity (device, inode, size, mtime and ctime, to the nanosecond) is unchanged since this
process hashed it is taken to hold the same bytes - the rule and the trade-off of the cache's hash memo
(clonedetect/cache.py), kept here only in memory, for the life of the process. A file changed within the
last RACY_SECONDS is never remembered: a write in the same timestamp tick could leave its identity unchanged.
A hash the cache folder's memo recalls is remembered here too, so a compare that misses the analysis cache
does not read the file again for the package's SHA-256.
"""

from __future__ import annotations

import hashlib
import stat
import time
from pathlib import Path

CHUNK = 1 << 20
RACY_SECONDS = 2

Identity = tuple[int, int, int, int, int]

_hashed: dict[Identity, str] = {}


def file_sha256(path: Path) -> str:
    """SHA-256 of the file at `path` (following a symbolic link, as opening it does)."""
    sha256 = _sha256(path, None)
    if sha256 is None:
        raise AssertionError("a hash without a limit is never refused")
    return sha256


def bounded_file_sha256(path: Path, limit: int) -> str | None:
    """file_sha256(), or None when the file holds more than `limit` bytes."""
    return _sha256(path, limit)


def _sha256(path: Path, limit: int | None) -> str | None:
    before = stat_identity(path)
    if before is not None and limit is not None and before[2] > limit:
        return None
    known = recalled(before) if before is not None else None
    if known is not None:
        return known
    digest = hashlib.sha256()
    total = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if limit is not None and total > limit:
                return None
            digest.update(chunk)
    sha256 = digest.hexdigest()
    if before is not None and not racy(before) and stat_identity(path) == before:
        _hashed[before] = sha256
    return sha256


def recalled(identity: Identity) -> str | None:
    """The SHA-256 this process trusts for the file with this identity (read whole while the identity held,
    and not changed too recently), or None."""
    return _hashed.get(identity)


def remember(identity: Identity, sha256: str) -> None:
    """Take `sha256` as the hash of the file with this identity for the rest of the process (the cache's
    hash memo vouches for it under the same rule)."""
    if not racy(identity):
        _hashed[identity] = sha256


def stat_identity(path: Path) -> Identity | None:
    """(st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns) of a regular file, never through a symbolic link;
    None for anything else (a link is hashed afresh each time)."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def racy(identity: Identity) -> bool:
    """Changed within RACY_SECONDS of now (mtime or ctime): a write in the same tick could go unseen."""
    return time.time_ns() - max(identity[3], identity[4]) < RACY_SECONDS * 1_000_000_000
