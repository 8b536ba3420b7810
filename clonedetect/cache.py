"""The analysis cache of `compare`: an input analysed once is read back instead of being analysed again.

The key is the scan cache's (store/cache.py: input SHA-256, tool version, hash of the settings analysis
depends on), plus a digest of clonedetect's own source files, so a changed checkout never reads an analysis
an older one made, and the input's file name, which warnings may quote. An analysis cut short by the time
limit is not kept: it depends on how busy the machine was.

The cache is opt-in: it is used when $CLONEDETECT_CACHE names a folder (a CI job that compares the same
suspects again sets it once), so no run writes outside the paths it was given unasked. The folder is made
private (0700), files are written atomically (a reader never sees half a file) and the folder is bounded to
MAX_BYTES, least recently used files deleted first.

File format (FORMAT): the magic line, the 8-byte big-endian length of a zlib-compressed JSON document, the
document, then every thumbnail's PNG bytes back to back. The document holds the package, facts and
warnings as store/serialise.py writes them, and per print its asset (serialise too), fingerprints
[[algorithm, version, value], ...], width, height and thumbnail length. Thumbnails stay out of the JSON
(base64 would add a third and cost more time than all the rest), and reading is checked like the store's:
a damaged or foreign file is a miss, never an error and never trusted half way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import clonedetect
from clonedetect.errors import InputError
from clonedetect.extract.deadline import TIME_LIMIT
from clonedetect.model import Analysis, Fingerprint, Print
from clonedetect.settings import Settings
from clonedetect.store import serialise
from clonedetect.store.cache import cache_key, input_sha256

ENVIRONMENT = "CLONEDETECT_CACHE"
DISABLED = "off"
FORMAT = b"clonedetect-analysis-cache 1\n"
SUFFIX = ".cdac"
MAX_BYTES = 2 * 1024**3  # the whole folder
MAX_DOCUMENT_BYTES = 1024**3  # what one document may inflate to (a damaged file must not exhaust memory)
LENGTH_BYTES = 8


def default_cache_dir(environ: dict[str, str] | None = None) -> Path | None:
    """The folder $CLONEDETECT_CACHE names, or None (no cache) when it is unset, empty or 'off'."""
    environ = dict(os.environ) if environ is None else environ
    chosen = environ.get(ENVIRONMENT, "").strip()
    return None if not chosen or chosen.lower() == DISABLED else Path(chosen)


@cache
def code_digest() -> str:
    """sha256 of clonedetect's Python sources (relative path and bytes): changes with any code change."""
    root = Path(clonedetect.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class AnalysisCache:
    root: Path
    max_bytes: int = MAX_BYTES

    def key(self, path: Path, settings: Settings) -> str | None:
        """The cache file name for this input, or None when it cannot be hashed within the limits."""
        sha256 = input_sha256(path, settings.limits)
        if sha256 is None:
            return None
        identity = "\n".join((cache_key(sha256, settings), code_digest(), path.name))
        return f"{sha256[:16]}-{hashlib.sha256(identity.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}"

    def load(self, key: str) -> Analysis | None:
        file = self.root / (key + SUFFIX)
        try:
            data = file.read_bytes()
        except OSError:
            return None
        try:
            analysis = decode(data)
        except (InputError, ValueError, TypeError, KeyError, IndexError, RecursionError, zlib.error):
            return None  # written by another version, damaged or truncated: analyse again
        with contextlib.suppress(OSError):
            os.utime(file)  # recently used: pruned last
        return analysis

    def save(self, key: str, analysis: Analysis) -> None:
        """Write atomically; a cache that cannot be written (read-only home, full disk) is skipped."""
        with contextlib.suppress(OSError):
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=SUFFIX, dir=self.root)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(encode(analysis))
                os.replace(temporary, self.root / (key + SUFFIX))
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                return
            self.prune()

    def prune(self) -> None:
        """Delete the least recently used files until the folder is within max_bytes."""
        files = []
        for path in self.root.glob("*" + SUFFIX):
            with contextlib.suppress(OSError):
                info = path.stat()
                files.append((info.st_mtime, path.name, info.st_size, path))
        total = sum(size for _, _, size, _ in files)
        for _, _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size


def analyse_cached(
    path: Path, settings: Settings, cache_dir: Path | None, reuse: Sequence[Print] = ()
) -> Analysis:
    """pipeline.analyse(path, settings, reuse) through the cache in `cache_dir` (None: no cache).

    A hit says so in its timings ('cache': the seconds it took to hash the input and read the analysis)."""
    from clonedetect import pipeline  # OpenCV and NumPy: imported when analysis is near

    def analyse() -> Analysis:
        return pipeline.analyse(path, settings, reuse=reuse) if reuse else pipeline.analyse(path, settings)

    if cache_dir is None:
        return analyse()
    start = time.perf_counter()
    store = AnalysisCache(cache_dir)
    key = store.key(path, settings)
    cached = store.load(key) if key is not None else None
    if cached is not None:
        return replace(
            cached,
            package=replace(cached.package, source=str(path)),
            timings=(("cache", time.perf_counter() - start),),
        )
    analysis = analyse()
    if key is not None and not any(TIME_LIMIT in warning.message for warning in analysis.warnings):
        store.save(key, analysis)
    return analysis


# ---------------------------------------------------------------------------------------------------------
# The file format


def encode(analysis: Analysis) -> bytes:
    schemas: dict[tuple[tuple[str, int], ...], int] = {}
    rows = []
    for item in analysis.prints:
        schema = tuple((f.algorithm, f.version) for f in item.fingerprints)
        number = schemas.setdefault(schema, len(schemas))
        values = [f.value for f in item.fingerprints]
        rows.append(
            [
                serialise.asset_to_dict(item.asset),
                number,
                values,
                item.width,
                item.height,
                len(item.thumbnail),
            ]
        )
    document = {
        "package": serialise.package_to_dict(analysis.package),
        "facts": serialise.facts_to_dict(analysis.facts),
        "warnings": serialise.warnings_to_list(analysis.warnings),
        # the (algorithm, version) list of a print's fingerprints is one of a few: stored once each
        "schemas": [[list(pair) for pair in schema] for schema in schemas],
        "prints": rows,
        "timings": [[stage, seconds] for stage, seconds in analysis.timings],
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    packed = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
    thumbnails = b"".join(item.thumbnail for item in analysis.prints)
    return b"".join((FORMAT, len(packed).to_bytes(LENGTH_BYTES, "big"), packed, thumbnails))


def decode(data: bytes) -> Analysis:
    """The analysis in a cache file; ValueError (or InputError from serialise) when it is not one."""
    if not data.startswith(FORMAT):
        raise ValueError("not a clonedetect analysis cache file of this format")
    start = len(FORMAT) + LENGTH_BYTES
    length = int.from_bytes(data[len(FORMAT) : start], "big")
    inflater = zlib.decompressobj()
    text = inflater.decompress(data[start : start + length], MAX_DOCUMENT_BYTES)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("cache document truncated or too big")
    document = json.loads(text)
    schemas = [_schema(schema) for schema in _list(document["schemas"])]
    thumbnails = memoryview(data)[start + length :]
    prints: list[Print] = []
    offset = 0
    for asset, number, values, width, height, size in _list(document["prints"]):
        if not (_is_count(number) and _is_count(width) and _is_count(height) and _is_count(size)):
            raise ValueError("a print's numbers are not counts")
        algorithms, versions = schemas[number]
        if (
            type(values) is not list
            or len(values) != len(algorithms)
            or not all(type(v) is str for v in values)
        ):
            raise ValueError("a print's fingerprint values do not fit its schema")
        thumbnail = bytes(thumbnails[offset : offset + size])
        if len(thumbnail) != size:
            raise ValueError("thumbnails truncated")
        offset += size
        prints.append(
            Print(
                asset=serialise.asset_from_dict(asset),
                fingerprints=tuple(map(Fingerprint, algorithms, versions, values)),
                width=width,
                height=height,
                thumbnail=thumbnail,
            )
        )
    if offset != len(thumbnails):
        raise ValueError("bytes after the last thumbnail")
    return Analysis(
        package=serialise.package_from_dict(document["package"]),
        facts=serialise.facts_from_dict(document["facts"]),
        prints=tuple(prints),
        warnings=serialise.warnings_from_list(document["warnings"]),
        timings=tuple((str(stage), float(seconds)) for stage, seconds in _list(document["timings"])),
    )


def _schema(pairs: Any) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(algorithms, versions) of one fingerprint list, checked."""
    checked = [pair for pair in _list(pairs) if type(pair) is list and len(pair) == 2]
    if len(checked) != len(pairs) or not all(type(a) is str and type(v) is int for a, v in checked):
        raise ValueError("a fingerprint schema should be [[algorithm, version], ...]")
    return tuple(a for a, _ in checked), tuple(v for _, v in checked)


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise ValueError("expected a list")
    return value


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0
