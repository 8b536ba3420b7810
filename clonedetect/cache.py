"""The caches of `compare`: an input analysed once, and a pair compared once, are read back instead of being
worked out again.

Analysis cache: the key is the scan cache's (store/cache.py: input SHA-256, tool version, hash of the
settings analysis depends on), plus a digest of clonedetect's own source files, so a changed checkout never
reads an analysis an older one made, and the input's file name, which warnings may quote.

Comparison cache: the key is both inputs' analysis keys, in order, plus a hash of every setting matching and
scoring read (thresholds with the clone threshold, weights, limits). A hit reads the whole Comparison but
for the thumbnails its report does not carry (see ComparisonCache.save): no analysis is loaded, nothing is
matched, and the pipeline (OpenCV, NumPy) is never imported. Only file-vs-file compares are cached: a
comparison against a registered baseline also depends on the store's catalogue and on its baseline.toml
labels, which a user may edit at any time, so that path always compares afresh.

Report cache: the report built from a cached comparison (report.model.build_report), under the comparison's
key and every setting (a report records them all, the number of jobs too). It is kept exactly when its
comparison is, and a hit reads neither the comparison nor builds the report again: it only takes this
run's command line and timestamp (report.model.invocation), the two parts of a report that belong to the
run, not to the comparison. On a 300 MB pair, 0.29 s of the second compare's stages instead of 0.78.

Nothing cut short by the time limit is kept (a TIME_LIMIT warning): it depends on how busy the machine was.

The cache is opt-in: it is used when $CLONEDETECT_CACHE names a folder (a CI job that compares the same
suspects again sets it once), so no run writes outside the paths it was given unasked. The folder is made
private (0700), files are written atomically (a reader never sees half a file) and the folder, every kind of
file together, is bounded to MAX_BYTES, least recently used files deleted first.

File format (one framing for every kind, each with its own magic line): the magic line, the 8-byte
big-endian length of a zlib stream of a JSON document, the stream, then binary thumbnails (PNG bytes) back
to back, whose lengths the document lists. An analysis's stream is stored uncompressed (zlib level 0: the
same reader, none of the 0.3 s compressing and inflating cost a 300 MB game's analysis per compare, for
14 MB more in an 83 MB file); a comparison's is compressed. Thumbnails stay out of the JSON (base64 would
add a third and cost more time than all the rest). An analysis document holds the package, facts and
warnings as store/serialise.py writes them, and per print its asset (serialise too), fingerprints, width,
height and thumbnail length. A comparison document holds serialise.comparison_to_dict() and [key, length] per
thumbnail; a report document is the report itself (its thumbnails are in it, as the JSON report has them),
stored uncompressed like an analysis's. The cache folder is data, never code: nothing is unpickled or
evaluated, and reading is checked like the store's: a damaged or foreign file is a miss, never an error and
never trusted half way.

Hash memo (git's index and ccache do the same): hashing two 300 MB inputs was most of a hit (0.5 s), so the
cache folder also remembers each input file's SHA-256 under its stat identity: device, inode, size, mtime
and ctime, to the nanosecond. Any write to a file changes its ctime, and ctime cannot be set back with
utime() (only by changing the system clock, as root), so a file whose identity is unchanged is taken to
hold the bytes it held when it was hashed; any difference, a folder input (its files are not one identity),
a file changed within the last filehash.RACY_SECONDS (a write in the same timestamp tick can leave the
identity unchanged: git's 'racily clean' rule) or --no-cache hashes afresh. The trade-off, accepted as git and
ccache accept it: a report read back through the memo states the SHA-256 computed from the bytes of the file
that had this identity when it was first analysed; only someone who can change a file and restore its
ctime (root, resetting the clock) could make that differ from the file's bytes now. The memo is kept only
when the cache is on, in the same private folder, and read by compare_cached (file against file).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import orjson

import clonedetect
from clonedetect.errors import InputError
from clonedetect.filehash import recalled, remember, stat_identity
from clonedetect.model import Analysis, AnalysisWarning, Comparison, Fingerprint, Print
from clonedetect.report.model import SCHEMA_VERSION, Report, build_report, invocation, reported_thumbnails
from clonedetect.settings import Limits, Settings
from clonedetect.store import serialise
from clonedetect.store.cache import cache_key, input_sha256

ENVIRONMENT = "CLONEDETECT_CACHE"
DISABLED = "off"
FORMAT = b"clonedetect-analysis-cache 1\n"
SUFFIX = ".cdac"
COMPARISON_FORMAT = b"clonedetect-comparison-cache 1\n"
COMPARISON_SUFFIX = ".cdcc"
HASH_FORMAT = b"clonedetect-hash-memo 1\n"
HASH_SUFFIX = ".cdhm"
REPORT_FORMAT = b"clonedetect-report-cache 1\n"
REPORT_SUFFIX = ".cdrc"
SUFFIXES = (SUFFIX, COMPARISON_SUFFIX, HASH_SUFFIX, REPORT_SUFFIX)
MAX_BYTES = 2 * 1024**3  # the whole folder
MAX_DOCUMENT_BYTES = 1024**3  # what one document may inflate to (a damaged file must not exhaust memory)
LENGTH_BYTES = 8
# --timings stages: hashing both inputs (hit or miss: most of a hit), reading the cached comparison (a hit),
# reading the cached report (a hit of `report_cached`, which then reads no comparison)
HASH_STAGE = "cache.hash"
COMPARISON_STAGE = "comparison.cache"
REPORT_CACHE_STAGE = "report.cache"
_SHA256_HEX = re.compile("[0-9a-f]{64}")
# What reading a damaged, truncated or foreign file can raise: each one means 'miss'.
MISS = (InputError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, zlib.error)

T = TypeVar("T")


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


def analysis_key(path: Path, settings: Settings, sha256: str) -> str:
    """The analysis cache file name of the input at `path` whose SHA-256 is `sha256`."""
    identity = "\n".join((cache_key(sha256, settings), code_digest(), path.name))
    return f"{sha256[:16]}-{_digest(identity)[:32]}"


def input_keys(
    paths: Sequence[Path], settings: Settings, memo_dir: Path | None = None
) -> tuple[str | None, ...]:
    """analysis_key() of every input (None: it cannot be hashed within the limits).

    With `memo_dir` (the cache folder), an input file whose stat identity is remembered there is not read
    at all (see HashMemo). The others are hashed concurrently: hashlib and file reads release the GIL, so
    one thread per input uses one core each."""
    memo = HashMemo(memo_dir) if memo_dir is not None else None
    hashes = [memo.recall(path, settings.limits) if memo is not None else None for path in paths]
    fresh = [path for path, sha256 in zip(paths, hashes, strict=True) if sha256 is None]

    def one(path: Path) -> str | None:
        return memo.hash(path, settings.limits) if memo is not None else input_sha256(path, settings.limits)

    if len(fresh) < 2:
        computed = dict(zip(fresh, map(one, fresh), strict=True))
    else:
        # imported here: a hit whose inputs are all remembered starts no thread (and skips logging's import)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=len(fresh), thread_name_prefix="clonedetect-hash") as pool:
            computed = dict(zip(fresh, pool.map(one, fresh), strict=True))
    return tuple(
        analysis_key(path, settings, sha256) if (sha256 := known or computed[path]) is not None else None
        for path, known in zip(paths, hashes, strict=True)
    )


def compare_settings_hash(settings: Settings) -> str:
    """Every setting the comparison may depend on: all but the number of jobs (which changes how fast, not
    what) and `reproducible` (which pins only the report's timestamp, not part of a Comparison)."""
    relevant = settings.as_dict()
    relevant.pop("jobs", None)
    relevant.pop("reproducible", None)
    return _digest(json.dumps(relevant, sort_keys=True))[:32]


# ---------------------------------------------------------------------------------------------------------
# The cache folder


@dataclass(frozen=True, slots=True)
class CacheFolder:
    """The files of one cache folder: reading (a missing file is a miss), atomic writing and pruning.

    Subclasses name their file suffix and encode and decode their own kind of file."""

    root: Path
    max_bytes: int = MAX_BYTES

    suffix: ClassVar[str] = ""

    def _load(self, key: str, decode: Callable[[bytes], T]) -> T | None:
        file = self.root / (key + self.suffix)
        try:
            data = file.read_bytes()
        except OSError:
            return None
        try:
            value = decode(data)
        except MISS:
            return None  # written by another version, damaged or truncated: work it out again
        with contextlib.suppress(OSError):
            os.utime(file)  # recently used: pruned last
        return value

    def _save(self, key: str, data: bytes) -> None:
        """Write atomically; a cache that cannot be written (read-only home, full disk) is skipped."""
        with contextlib.suppress(OSError):
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=self.suffix, dir=self.root)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.replace(temporary, self.root / (key + self.suffix))
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                return
            self.prune()

    def prune(self) -> None:
        """Delete the least recently used cache files (of every kind) until the folder is within max_bytes."""
        files = []
        for suffix in SUFFIXES:
            for path in self.root.glob("*" + suffix):
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


class AnalysisCache(CacheFolder):
    __slots__ = ()
    suffix = SUFFIX

    def key(self, path: Path, settings: Settings) -> str | None:
        """The cache file name for this input, or None when it cannot be hashed within the limits (hashed
        afresh: only compare_cached goes through the hash memo, see input_keys)."""
        sha256 = input_sha256(path, settings.limits)
        return None if sha256 is None else analysis_key(path, settings, sha256)

    def load(self, key: str) -> Analysis | None:
        return self._load(key, decode)

    def save(self, key: str, analysis: Analysis) -> None:
        self._save(key, encode(analysis))


class ComparisonCache(CacheFolder):
    __slots__ = ()
    suffix = COMPARISON_SUFFIX

    def key(self, baseline_key: str, suspect_key: str, settings: Settings) -> str:
        """The file name of the comparison of two inputs, from their analysis keys (order matters)."""
        identity = "\n".join(("comparison", baseline_key, suspect_key, compare_settings_hash(settings)))
        return f"{baseline_key[:16]}-{suspect_key[:16]}-{_digest(identity)[:32]}"

    def load(self, key: str) -> Comparison | None:
        return self._load(key, decode_comparison)

    def save(self, key: str, comparison: Comparison) -> None:
        """Keep `comparison` with only the thumbnails its report carries (report.model.reported_thumbnails):
        the rest are ~97% of the bytes of a big comparison and no report reads them."""
        try:
            data = encode_comparison(replace(comparison, thumbnails=reported_thumbnails(comparison)))
        except ValueError:
            return  # a non-finite score is a bug upstream; the report refuses it loudly, not the cache
        self._save(key, data)


class ReportCache(CacheFolder):
    """Reports of cached comparisons, as built (report.model.build_report): a hit neither reads the
    comparison nor builds its report (a 300 MB pair's second compare: 0.29 s of stages instead of 0.78)."""

    __slots__ = ()
    suffix = REPORT_SUFFIX

    def key(self, comparison_key: str, settings: Settings) -> str:
        """The file name of the report of a comparison: a report records every setting, the number of jobs
        and `reproducible` too, so all of them are in the key."""
        identity = "\n".join(("report", comparison_key, json.dumps(settings.as_dict(), sort_keys=True)))
        return f"{comparison_key[:33]}-{_digest(identity)[:32]}"

    def load(self, key: str) -> Report | None:
        return self._load(key, decode_report)

    def save(self, key: str, report: Report) -> None:
        # stored uncompressed, like an analysis: zlib level 1 would shrink a 300 MB pair's 10 MB file to
        # ~3 MB for ~0.13 s more on the compare that writes it and ~0.04 s on every read
        try:
            data = frame(REPORT_FORMAT, report, level=0)
        except ValueError:
            return  # a non-finite score: the report refuses to render it, the cache must not keep it
        self._save(key, data)


class HashMemo(CacheFolder):
    """Input files' SHA-256 by stat identity (see the module docstring): a remembered file is not read."""

    __slots__ = ()
    suffix = HASH_SUFFIX

    def recall(self, path: Path, limits: Limits) -> str | None:
        """The SHA-256 remembered for the file at `path`, or None: not a regular file, over the limits, not
        remembered, or its identity changed since."""
        identity = stat_identity(path)
        if identity is None or identity[2] > limits.max_total_bytes:
            return None
        sha256 = self._load(_memo_key(identity), lambda data: decode_hash(data, identity))
        if sha256 is not None:
            remember(identity, sha256)  # unpack, on an analysis cache miss, takes it instead of reading
        return sha256

    def hash(self, path: Path, limits: Limits) -> str | None:
        """input_sha256() of `path`, remembered when it is a regular file that did not change while it was
        read and was not changed too recently to trust its identity."""
        before = stat_identity(path)
        sha256 = input_sha256(path, limits)
        # filehash trusts a file's hash under the same rule (read while its identity held, not racy)
        if sha256 is not None and before is not None and recalled(before) == sha256:
            self._save(_memo_key(before), frame(HASH_FORMAT, {"identity": list(before), "sha256": sha256}))
        return sha256


def decode_hash(data: bytes, identity: tuple[int, ...]) -> str:
    """The SHA-256 in a hash memo file, which must be for `identity`; ValueError when it is not."""
    document, tail = unframe(HASH_FORMAT, data)
    sha256 = document["sha256"]
    if len(tail) or document["identity"] != list(identity) or not _is_sha256(sha256):
        raise ValueError("not the hash memo of this file")
    return str(sha256)


def _memo_key(identity: tuple[int, ...]) -> str:
    return _digest(json.dumps(list(identity)))[:32]


def _is_sha256(value: Any) -> bool:
    return type(value) is str and _SHA256_HEX.fullmatch(value) is not None


# ---------------------------------------------------------------------------------------------------------
# Analysing and comparing through the caches


def analyse_cached(
    path: Path, settings: Settings, cache_dir: Path | None, reuse: Sequence[Print] = ()
) -> Analysis:
    """pipeline.analyse(path, settings, reuse) through the cache in `cache_dir` (None: no cache).

    A hit says so in its timings ('cache': the seconds it took to hash the input and read the analysis)."""
    if cache_dir is None:
        return _analyse(path, settings, reuse)
    start = time.perf_counter()
    store = AnalysisCache(cache_dir)
    return _analyse_through(store, path, settings, store.key(path, settings), reuse, start)


def compare_cached(original: Path, suspect: Path, settings: Settings, cache_dir: Path | None) -> Comparison:
    """pipeline.compare() of two inputs' analyses, through both caches in `cache_dir` (None: no cache).

    A hit reads the whole comparison; its timings are HASH_STAGE and COMPARISON_STAGE (reading it), and say
    so. A miss analyses (through the analysis cache), matches, scores and keeps the result; its timings are
    HASH_STAGE and the pipeline's."""
    if cache_dir is None:
        baseline = _analyse(original, settings)
        # the suspect's images with the baseline's bytes take the baseline's prints: not decoded twice
        return _pipeline_compare(baseline, _analyse(suspect, settings, baseline.prints), settings)
    keys = _keys(original, suspect, settings, cache_dir)
    return _compare_through(original, suspect, settings, cache_dir, keys)[0]


@dataclass(frozen=True, slots=True)
class ReportRun:
    """A compare's report and how long its stages took (`timings`: up to the comparison, or reading the
    cached report; `built`: building the report, 0 when it was read)."""

    report: Report
    timings: tuple[tuple[str, float], ...]
    built: float


def report_cached(
    original: Path,
    suspect: Path,
    settings: Settings,
    cache_dir: Path | None,
    *,
    command: list[str],
    generated_at: str,
) -> ReportRun:
    """build_report() of compare_cached(), through the report cache as well: a report is kept exactly when
    its comparison is, under the comparison's key and every setting, and read back with this run's
    command line and timestamp (report.model.invocation)."""
    if cache_dir is None:
        comparison = compare_cached(original, suspect, settings, None)
        return report_of(comparison, settings, command, generated_at)
    keys = _keys(original, suspect, settings, cache_dir)
    reports = ReportCache(cache_dir)
    report_key = reports.key(keys.comparison, settings) if keys.comparison is not None else None
    if report_key is not None:
        start = time.perf_counter()
        cached = reports.load(report_key)
        if cached is not None:
            cached.update(invocation(settings, command=command, generated_at=generated_at))
            reading = time.perf_counter() - start
            return ReportRun(cached, ((HASH_STAGE, keys.hashed), (REPORT_CACHE_STAGE, reading)), 0.0)
    comparison, kept = _compare_through(original, suspect, settings, cache_dir, keys)
    run = report_of(comparison, settings, command, generated_at)
    if report_key is not None and kept:
        reports.save(report_key, run.report)
    return run


def report_of(comparison: Comparison, settings: Settings, command: list[str], generated_at: str) -> ReportRun:
    """build_report(), timed."""
    start = time.perf_counter()
    report = build_report(comparison, settings, command=command, generated_at=generated_at)
    return ReportRun(report, comparison.timings, time.perf_counter() - start)


@dataclass(frozen=True, slots=True)
class _Keys:
    """The cache keys of one pair of inputs (None: an input could not be hashed within the limits)."""

    baseline: str | None
    suspect: str | None
    comparison: str | None
    hashed: float  # seconds it took to hash (or recall) the inputs


def _keys(original: Path, suspect: Path, settings: Settings, cache_dir: Path) -> _Keys:
    start = time.perf_counter()
    baseline_key, suspect_key = input_keys((original, suspect), settings, cache_dir)
    comparison_key = None
    if baseline_key is not None and suspect_key is not None:
        comparison_key = ComparisonCache(cache_dir).key(baseline_key, suspect_key, settings)
    return _Keys(baseline_key, suspect_key, comparison_key, time.perf_counter() - start)


def _compare_through(
    original: Path, suspect: Path, settings: Settings, cache_dir: Path, keys: _Keys
) -> tuple[Comparison, bool]:
    """The comparison of two inputs from the comparison cache, or compared afresh (their analyses through
    the analysis cache) and kept unless cut short; and whether the cache holds it now."""
    comparisons = ComparisonCache(cache_dir)
    if keys.comparison is not None:
        start = time.perf_counter()
        cached = comparisons.load(keys.comparison)
        if cached is not None:
            timings = ((HASH_STAGE, keys.hashed), (COMPARISON_STAGE, time.perf_counter() - start))
            return replace(
                cached,
                baseline=replace(cached.baseline, source=str(original)),
                suspect=replace(cached.suspect, source=str(suspect)),
                timings=timings,
            ), True
    analyses = AnalysisCache(cache_dir)
    baseline = _analyse_through(analyses, original, settings, keys.baseline, (), time.perf_counter())
    suspect_analysis = _analyse_through(
        analyses, suspect, settings, keys.suspect, baseline.prints, time.perf_counter()
    )
    comparison = _pipeline_compare(baseline, suspect_analysis, settings)
    timed = replace(comparison, timings=((HASH_STAGE, keys.hashed), *comparison.timings))
    if keys.comparison is None or _timed_out(comparison.warnings):
        return timed, False
    comparisons.save(keys.comparison, comparison)
    return timed, True


def _analyse_through(
    store: AnalysisCache,
    path: Path,
    settings: Settings,
    key: str | None,
    reuse: Sequence[Print],
    start: float,
) -> Analysis:
    """The cached analysis under `key`, or a fresh one, kept when it was not cut short. `start`: when the
    work of this lookup began (a hit's 'cache' timing counts from there)."""
    cached = store.load(key) if key is not None else None
    if cached is not None:
        return replace(
            cached,
            package=replace(cached.package, source=str(path)),
            timings=(("cache", time.perf_counter() - start),),
        )
    analysis = _analyse(path, settings, reuse)
    if key is not None and not _timed_out(analysis.warnings):
        store.save(key, analysis)
    return analysis


def _analyse(path: Path, settings: Settings, reuse: Sequence[Print] = ()) -> Analysis:
    from clonedetect import pipeline  # OpenCV and NumPy: imported when analysis is near, never on a hit

    # without prints to reuse, the plain call: tests stand in a pipeline whose analyse() takes no `reuse`
    return pipeline.analyse(path, settings, reuse=reuse) if reuse else pipeline.analyse(path, settings)


def _pipeline_compare(baseline: Analysis, suspect: Analysis, settings: Settings) -> Comparison:
    from clonedetect import pipeline  # as above: a comparison cache hit never imports it

    return pipeline.compare(baseline, suspect, settings)


def _timed_out(warnings: Iterable[AnalysisWarning]) -> bool:
    # extract (where the marker lives) imports every extractor: only a miss, which analysed, pays for it
    from clonedetect.extract.deadline import TIME_LIMIT

    return any(TIME_LIMIT in warning.message for warning in warnings)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


# ---------------------------------------------------------------------------------------------------------
# The file formats


def strict_json(document: Any) -> bytes:
    """Compact UTF-8 JSON; ValueError for NaN or Infinity (a comparison holding one is not kept)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", "surrogatepass")


def frame(
    magic: bytes,
    document: Any,
    tail: Iterable[bytes] = (),
    dumps: Callable[[Any], bytes] = strict_json,
    level: int = 1,
) -> bytes:
    """magic, length, zlib(JSON document), tail: the framing every kind of cache file shares. `dumps` writes
    the document, zlib stores it at `level` (0: uncompressed blocks, still read by the same inflater); the
    tail's pieces (thumbnails) are copied once, into the file's bytes (a 300 MB game's are 75 MB)."""
    packed = zlib.compress(dumps(document), level)
    return b"".join((magic, len(packed).to_bytes(LENGTH_BYTES, "big"), packed, *tail))


def analysis_json(document: Any) -> bytes:
    """strict_json() of an analysis document, by orjson: 0.03 s instead of 0.25 s for a 300 MB game's
    22 MB document. Its only floats are stage timings and table cells, which extract keeps finite
    (extract/tables.py: cell), so orjson's null for NaN never arises; what orjson refuses (a lone surrogate
    in a hostile file name, an integer beyond 64 bits) is written by json.dumps. Both read back the same."""
    try:
        return orjson.dumps(document)
    except orjson.JSONEncodeError:
        return strict_json(document)


def unframe(magic: bytes, data: bytes) -> tuple[Any, memoryview]:
    """The JSON document and the tail of a framed file; ValueError when it is not one with this magic."""
    if not data.startswith(magic):
        raise ValueError("not a clonedetect cache file of this kind and format")
    start = len(magic) + LENGTH_BYTES
    length = int.from_bytes(data[len(magic) : start], "big")
    if len(data) < start or start + length > len(data):
        raise ValueError("cache document truncated")
    inflater = zlib.decompressobj()
    text = inflater.decompress(data[start : start + length], MAX_DOCUMENT_BYTES)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("cache document truncated or too big")
    return read_json(text), memoryview(data)[start + length :]


def read_json(text: bytes) -> Any:
    """The document, by orjson (a 300 MB game's 23 MB analysis: 0.11 s instead of 0.24); what orjson
    refuses and json.loads reads (the lone surrogates and big integers analysis_json lets json.dumps write)
    is read by json.loads, so both read the same documents the same."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def split_tail(tail: memoryview, sizes: Iterable[int]) -> list[bytes]:
    """The tail cut into pieces of `sizes` bytes, which must use it exactly."""
    pieces = []
    offset = 0
    for size in sizes:
        if not _is_count(size):
            raise ValueError("a thumbnail length is not a count")
        piece = bytes(tail[offset : offset + size])
        if len(piece) != size:
            raise ValueError("thumbnails truncated")
        pieces.append(piece)
        offset += size
    if offset != len(tail):
        raise ValueError("bytes after the last thumbnail")
    return pieces


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
    # level 0: compressing a 300 MB game's 22 MB document took 0.23 s and inflating it 0.09 s of every
    # compare that writes or reads it, to save 14 MB of an 83 MB file (thumbnails are PNG already)
    return frame(FORMAT, document, (item.thumbnail for item in analysis.prints), analysis_json, level=0)


def decode(data: bytes) -> Analysis:
    """The analysis in a cache file; ValueError (or InputError from serialise) when it is not one."""
    document, tail = unframe(FORMAT, data)
    schemas = [_schema(schema) for schema in _list(document["schemas"])]
    rows = _list(document["prints"])
    if not all(type(row) is list and len(row) == 6 for row in rows):
        raise ValueError("a print should be [asset, schema, values, width, height, thumbnail length]")
    thumbnails = split_tail(tail, (row[5] for row in rows))
    prints: list[Print] = []
    for (asset, number, values, width, height, _), thumbnail in zip(rows, thumbnails, strict=True):
        if not (_is_count(number) and _is_count(width) and _is_count(height)):
            raise ValueError("a print's numbers are not counts")
        algorithms, versions = schemas[number]
        if (
            type(values) is not list
            or len(values) != len(algorithms)
            or not all(type(v) is str for v in values)
        ):
            raise ValueError("a print's fingerprint values do not fit its schema")
        prints.append(
            Print(
                asset=serialise.asset_from_dict(asset),
                fingerprints=tuple(map(Fingerprint, algorithms, versions, values)),
                width=width,
                height=height,
                thumbnail=thumbnail,
            )
        )
    return Analysis(
        package=serialise.package_from_dict(document["package"]),
        facts=serialise.facts_from_dict(document["facts"]),
        prints=tuple(prints),
        warnings=serialise.warnings_from_list(document["warnings"]),
        timings=tuple((str(stage), float(seconds)) for stage, seconds in _list(document["timings"])),
    )


def encode_comparison(comparison: Comparison) -> bytes:
    """The comparison without its timings (they describe one run, not the result)."""
    document = {
        "comparison": serialise.comparison_to_dict(comparison),
        "thumbnails": [[name, len(data)] for name, data in comparison.thumbnails],
    }
    return frame(COMPARISON_FORMAT, document, (data for _, data in comparison.thumbnails))


def decode_comparison(data: bytes) -> Comparison:
    """The comparison in a cache file (with no timings); ValueError or InputError when it is not one."""
    document, tail = unframe(COMPARISON_FORMAT, data)
    rows = _list(document["thumbnails"])
    if not all(type(row) is list and len(row) == 2 and type(row[0]) is str for row in rows):
        raise ValueError("a thumbnail should be [key, length]")
    pieces = split_tail(tail, (row[1] for row in rows))
    thumbnails = tuple((row[0], piece) for row, piece in zip(rows, pieces, strict=True))
    return serialise.comparison_from_dict(document["comparison"], thumbnails)


def decode_report(data: bytes) -> Report:
    """The report in a cache file; ValueError when it is not one this version wrote."""
    document, tail = unframe(REPORT_FORMAT, data)
    if len(tail) or type(document) is not dict or document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError("not a report of this schema")
    if type(document["verdict"]["clone"]) is not bool:
        raise ValueError("a report's verdict says clone or not")
    return document


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
