"""scan: many suspects against every registered baseline.

For each suspect: analyse it once (or take the cached analysis: same input SHA-256, tool version and
settings), rank all baselines through the store's indexes, then run the full per-category comparison against
each package of the `top` best-ranked baselines, with common assets weighted down. Suspects run in parallel
worker processes; whatever goes wrong with one suspect becomes that suspect's error and the others go on.

Exit codes (DESIGN.md): 1 when any suspect is a clone; otherwise 2 when any suspect could not be checked (a
suspect that was not checked has not been shown innocent); otherwise 0.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import clonedetect
from clonedetect.errors import ClonedetectError, InputError, UsageError
from clonedetect.model import Analysis, Comparison, Package, Verdict
from clonedetect.pipeline import analyse, compare
from clonedetect.report import SCHEMA_VERSION, build_report
from clonedetect.report.model import display_name, stable, tool_summary
from clonedetect.settings import Settings
from clonedetect.store.baselines import BaselineStore
from clonedetect.store.cache import cache_key, input_sha256, settings_hash
from clonedetect.store.common import common_weights
from clonedetect.store.rank import Candidate, rank_baselines

EXIT_NO_CLONE = 0
EXIT_CLONE = 1
EXIT_ERROR = 2
DEFAULT_TOP = 3
# Folders that are one package themselves (an unpacked game or a store listing), not a folder of suspects.
PACKAGE_MARKERS: tuple[str, ...] = (
    "AndroidManifest.xml",
    "META-INF",
    "Payload",
    "Info.plist",
    "res",
    "assets",
    "screenshots",
    "title.txt",
    "description.txt",
)
# Candidates after the first are compared in full only when the index estimate reaches this share of the clone
# threshold: a baseline that shares two generic strings with the suspect is not worth a full comparison.
FOLLOW_UP_SHARE = 0.2
LOADED_BASELINES = 32  # stored analyses kept in memory per process (many suspects meet the same baselines)


@dataclass(frozen=True, slots=True)
class BaselineComparison:
    """The full comparison with one ranked baseline (its best-scoring package)."""

    baseline: str
    candidate: Candidate
    comparison: Comparison


@dataclass(frozen=True, slots=True)
class SuspectResult:
    path: str  # as given
    sha256: str = ""
    package: Package | None = None
    cached: bool = False
    candidates: tuple[Candidate, ...] = ()  # every baseline with index evidence, best first
    comparisons: tuple[
        BaselineComparison, ...
    ] = ()  # the top candidates compared in full, best verdict first
    error: str = ""  # why the suspect could not be checked ('' when it was)
    seconds: float = 0.0  # wall time (console only; never in a report)

    @property
    def clone(self) -> bool:
        return any(c.comparison.verdict.clone for c in self.comparisons)

    @property
    def best(self) -> BaselineComparison | None:
        return self.comparisons[0] if self.comparisons else None


@dataclass(frozen=True, slots=True)
class ScanResult:
    results: tuple[SuspectResult, ...]  # in input order

    @property
    def clones(self) -> int:
        return sum(1 for r in self.results if r.clone)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.error)

    @property
    def exit_code(self) -> int:
        if self.clones:
            return EXIT_CLONE
        return EXIT_ERROR if self.errors else EXIT_NO_CLONE


@dataclass(frozen=True, slots=True)
class ScanOptions:
    store: Path
    top: int = DEFAULT_TOP
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)


Progress = Callable[[SuspectResult, int, int], None]  # (result, done, total)


# --------------------------------------------------------------------------------------------------------
# inputs


def collect_suspects(arguments: Sequence[Path], lists: Sequence[Path] = ()) -> list[Path]:
    """The suspects named by the command line: packages, folders of packages, and list files (one path
    per line, '#' comments, relative paths from the list file's folder). Duplicates are kept once."""
    suspects: list[Path] = []
    for list_file in lists:
        suspects.extend(_read_list(list_file))
    for argument in arguments:
        suspects.extend(_batch_members(argument) if argument.is_dir() else [argument])
    unique = list(dict.fromkeys(suspects))
    if not unique:
        raise UsageError("no suspects given")
    return unique


def _batch_members(folder: Path) -> list[Path]:
    """A folder of suspects yields its packages; any other folder (an unpacked game, a store listing, a
    pack of loose files) is one suspect itself."""
    if is_package_folder(folder):
        return [folder]
    members = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    packages = [p for p in members if _is_archive(p) or (p.is_dir() and is_package_folder(p))]
    return packages or [folder]


def is_package_folder(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in PACKAGE_MARKERS) or any(folder.glob("icon.*"))


def _is_archive(path: Path) -> bool:
    """APK, IPA, XAPK, APKS and OBB containers are zip files; a truncated one still starts like one."""
    try:
        with path.open("rb") as stream:
            return path.is_file() and stream.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _read_list(list_file: Path) -> list[Path]:
    try:
        text = list_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{list_file}: cannot read the list of suspects ({error})") from None
    paths = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            path = Path(line)
            paths.append(path if path.is_absolute() else list_file.parent / path)
    return paths


# --------------------------------------------------------------------------------------------------------
# one suspect


class ScanSession:
    """What one process keeps between suspects: the open store, its index and recently loaded baselines."""

    def __init__(self, store_root: Path, settings: Settings, top: int) -> None:
        self.store = BaselineStore(store_root)
        self.settings = settings
        self.top = top
        self._loaded: dict[tuple[int, int], tuple[Analysis, tuple[tuple[str, float], ...]]] = {}

    def close(self) -> None:
        self.store.close()

    def scan_one(self, path: Path) -> SuspectResult:
        """Never raises for a bad suspect: the problem becomes the result's `error`."""
        start = time.perf_counter()
        try:
            result = self._scan(path)
        except ClonedetectError as error:
            result = SuspectResult(path=str(path), error=str(error))
        except MemoryError:
            result = SuspectResult(path=str(path), error="out of memory while analysing")
        except Exception as error:  # one suspect's bug must not stop the batch; it is reported as such
            result = SuspectResult(path=str(path), error=f"internal error: {type(error).__name__}: {error}")
        return replace(result, seconds=time.perf_counter() - start)

    def _scan(self, path: Path) -> SuspectResult:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        suspect, sha256, cached = self.analysis(path)
        candidates = rank_baselines(self.store, suspect, self.settings)
        floor = FOLLOW_UP_SHARE * self.settings.thresholds.clone
        chosen = [c for rank, c in enumerate(candidates[: self.top]) if rank == 0 or c.estimate >= floor]
        comparisons = [self._compare(candidate, suspect) for candidate in chosen]
        comparisons.sort(key=lambda c: (-c.comparison.verdict.score, c.baseline))
        return SuspectResult(
            path=str(path),
            sha256=sha256,
            package=suspect.package,
            cached=cached,
            candidates=candidates,
            comparisons=tuple(comparisons),
        )

    def analysis(self, path: Path) -> tuple[Analysis, str, bool]:
        """The suspect's analysis from the cache, else analysed now and cached. (analysis, sha256, cached)"""
        sha256 = input_sha256(path, self.settings.limits)
        key = cache_key(sha256, self.settings) if sha256 else None
        if key is not None:
            cached = self.store.cached_analysis(key)
            if cached is not None:
                return cached, sha256 or "", True
        analysis = analyse(path, self.settings)
        if key is not None and sha256 is not None:
            self.store.cache_analysis(
                key, sha256, clonedetect.__version__, settings_hash(self.settings), analysis
            )
        return analysis, sha256 or analysis.package.sha256, False

    def _compare(self, candidate: Candidate, suspect: Analysis) -> BaselineComparison:
        baseline = self.store.package_baseline(candidate.package_row)
        comparisons = []
        for package in baseline.packages:
            analysis, weights = self._baseline(package.row_id)
            comparisons.append(compare(analysis, suspect, self.settings, weights))
        return BaselineComparison(baseline.name, candidate, best_comparison(baseline.name, comparisons))

    def _baseline(self, package_row: int) -> tuple[Analysis, tuple[tuple[str, float], ...]]:
        key = (self.store.generation(), package_row)
        if key not in self._loaded:
            if len(self._loaded) >= LOADED_BASELINES:
                self._loaded.pop(next(iter(self._loaded)))
            analysis = self.store.load_package(package_row)
            self._loaded[key] = (analysis, common_weights(self.store, package_row, self.settings))
        return self._loaded[key]


def best_comparison(name: str, comparisons: Sequence[Comparison]) -> Comparison:
    """The best of a baseline's per-package comparisons: an APK suspect against an APK + IPA + listing
    baseline is judged against the APK, not diluted by the listing."""
    if not comparisons:
        raise UsageError(f"baseline {name!r} has no packages")
    return max(comparisons, key=lambda c: c.verdict.score)  # the first of equals: packages are sorted


def compare_with_registered(store_root: Path, name: str, suspect: Analysis, settings: Settings) -> Comparison:
    """`compare NAME SUSPECT`: the suspect against every package of the registered baseline NAME, with the
    store's common-asset weights; the best comparison."""
    with BaselineStore(store_root) as store:
        info = store.get(name)
        comparisons = [
            compare(
                store.load_package(package.row_id),
                suspect,
                settings,
                common_weights(store, package.row_id, settings),
            )
            for package in info.packages
        ]
    return best_comparison(info.name, comparisons)


# --------------------------------------------------------------------------------------------------------
# many suspects

_SESSION: ScanSession | None = None  # one per worker process


def _worker_init(store_root: Path, settings: Settings, top: int) -> None:
    global _SESSION
    _SESSION = ScanSession(store_root, settings, top)


def _worker_scan(path: Path) -> SuspectResult:
    if _SESSION is None:
        raise RuntimeError("scan worker used before its initialiser ran")
    return _SESSION.scan_one(path)


def scan(
    suspects: Sequence[Path], settings: Settings, options: ScanOptions, progress: Progress | None = None
) -> ScanResult:
    """Scan every suspect; results come back in input order whatever order the workers finish in."""
    if options.top < 1:
        raise UsageError(f"--top must be at least 1, got {options.top}")
    if options.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {options.jobs}")
    with BaselineStore(options.store) as store:
        if not any(not b.common for b in store.baselines()):
            raise UsageError(f"the baseline store {options.store} has no games registered")
        store.hamming_index()  # build the index file once here, not in every worker
    if options.jobs == 1 or len(suspects) == 1:
        # one process: let fingerprinting use the cores instead
        return ScanResult(
            tuple(_scan_here(suspects, replace(settings, jobs=options.jobs), options, progress))
        )
    return ScanResult(tuple(_scan_parallel(suspects, replace(settings, jobs=1), options, progress)))


def _scan_here(
    suspects: Sequence[Path], settings: Settings, options: ScanOptions, progress: Progress | None
) -> list[SuspectResult]:
    session = ScanSession(options.store, settings, options.top)
    results = []
    try:
        for path in suspects:
            results.append(session.scan_one(path))
            if progress is not None:
                progress(results[-1], len(results), len(suspects))
    finally:
        session.close()
    return results


def _scan_parallel(
    suspects: Sequence[Path], settings: Settings, options: ScanOptions, progress: Progress | None
) -> list[SuspectResult]:
    results: dict[int, SuspectResult] = {}

    def report(position: int, result: SuspectResult) -> None:
        results[position] = result
        if progress is not None:
            progress(result, len(results), len(suspects))

    crashed = _run_pool(
        list(enumerate(suspects)), settings, options, min(options.jobs, len(suspects)), report
    )
    # A worker that died (killed for memory, a crash in a native decoder) breaks the whole pool, so every
    # suspect in flight failed with it. Run those again one at a time: only the real culprit fails twice.
    for position, path in crashed:
        again = _run_pool([(position, path)], settings, options, 1, report)
        for _, lost in again:
            report(position, SuspectResult(path=str(lost), error="the worker process analysing it died"))
    return [results[i] for i in range(len(suspects))]


def _run_pool(
    work: Sequence[tuple[int, Path]],
    settings: Settings,
    options: ScanOptions,
    workers: int,
    report: Callable[[int, SuspectResult], None],
) -> list[tuple[int, Path]]:
    """Run `work` in a pool; report each result; return what was lost to a broken pool."""
    crashed: list[tuple[int, Path]] = []
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=(options.store, settings, options.top)
    ) as pool:
        futures: list[tuple[int, Path, Future[SuspectResult]]] = [
            (position, path, pool.submit(_worker_scan, path)) for position, path in work
        ]
        for position, path, future in _as_completed(futures):
            try:
                report(position, future.result())
            except BrokenProcessPool:
                crashed.append((position, path))
            except Exception as error:  # pickling trouble and the like: still only this suspect's problem
                report(position, SuspectResult(path=str(path), error=f"internal error: {error}"))
    return crashed


def _as_completed(
    futures: Iterable[tuple[int, Path, Future[SuspectResult]]],
) -> Iterable[tuple[int, Path, Future[SuspectResult]]]:
    by_future = {future: (position, path) for position, path, future in futures}
    for future in as_completed(by_future):
        position, path = by_future[future]
        yield position, path, future


# --------------------------------------------------------------------------------------------------------
# reports


def scan_reports(
    result: ScanResult, settings: Settings, *, command: list[str], generated_at: str
) -> list[dict[str, Any]]:
    """One schema_version 1 report per suspect, in input order (what `scan --json` writes).

    A checked suspect's report is the full report against its best baseline, plus a `scan` object (the input
    path, the baseline's registered name and every ranked candidate). A suspect no baseline shares anything
    with has `baseline: null` and a zero verdict; an unusable one has `error` instead of a verdict.
    """
    return [
        _suspect_report(item, settings, command=command, generated_at=generated_at) for item in result.results
    ]


def _suspect_report(
    item: SuspectResult, settings: Settings, *, command: list[str], generated_at: str
) -> dict[str, Any]:
    scan_info: dict[str, Any] = {"input": item.path, "candidates": _candidates(item)}
    if item.error or item.package is None:
        return stable(
            {
                "schema_version": SCHEMA_VERSION,
                "tool": tool_summary(),
                "suspect": {"path": display_name(item.path), "sha256": item.sha256},
                "error": item.error or "not analysed",
                "scan": scan_info,
            }
        )
    best = item.best
    if best is not None:
        report = build_report(best.comparison, settings, command=command, generated_at=generated_at)
        scan_info["baseline_name"] = best.baseline
        return stable({**report, "scan": scan_info})
    empty = Comparison(
        baseline=item.package,  # replaced by null below; build_report needs a Package
        suspect=item.package,
        categories=(),
        verdict=Verdict(0.0, False, settings.thresholds.clone, NO_CANDIDATE_REASON),
        differences=(),
        warnings=(),
    )
    report = build_report(empty, settings, command=command, generated_at=generated_at)
    return stable({**report, "baseline": None, "scan": scan_info})


NO_CANDIDATE_REASON = "No registered game shares an indexed asset with the suspect (common assets aside)."


def _candidates(item: SuspectResult) -> list[dict[str, Any]]:
    verdicts = {c.baseline: c.comparison.verdict for c in item.comparisons}
    entries = []
    for rank, candidate in enumerate(item.candidates, start=1):
        verdict = verdicts.get(candidate.baseline)
        entries.append(
            {
                "rank": rank,
                "baseline": candidate.baseline,
                "estimate": candidate.estimate,
                "index_score": candidate.score,
                "matched": candidate.matched,
                "assets": candidate.assets,
                "exact": candidate.exact,
                "near": candidate.near,
                "fuzzy": candidate.fuzzy,
                "verdict_score": None if verdict is None else verdict.score,
                "clone": None if verdict is None else verdict.clone,
            }
        )
    return entries
