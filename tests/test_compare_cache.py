"""The comparison cache: a comparison read back is the fresh one (the report is byte for byte the same), its
key changes with everything the comparison depends on and nothing else, damaged or foreign files are misses,
nothing timed out is kept, and a hit neither analyses, matches nor imports the heavy modules.

Real packages from samples/ throughout: the cache must hold what the real pipeline produces."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

import clonedetect
from clonedetect import cache as cache_module
from clonedetect import cli, filehash
from clonedetect import pipeline as pipeline_module
from clonedetect.model import (
    AnalysisWarning,
    Category,
    CategoryScore,
    Comparison,
    Match,
    Verdict,
)
from clonedetect.report import build_report, render_json
from clonedetect.report.model import reported_thumbnails
from clonedetect.settings import Settings, Weights
from clonedetect.store import serialise

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ORIGINAL = SAMPLES / "original.apk"
SUSPECT = SAMPLES / "repack-ec.apk"
UNRELATED = SAMPLES / "unrelated.apk"
REPRODUCIBLE = Settings(reproducible=True)
COMMAND = ["clonedetect", "compare", "original.apk", "suspect.apk"]


def report_bytes(comparison: Comparison, settings: Settings = REPRODUCIBLE) -> str:
    return render_json(build_report(comparison, settings, command=COMMAND, generated_at="now"))


@pytest.fixture(scope="module")
def fresh() -> Comparison:
    """original.apk against repack-ec.apk through the real pipeline, no cache."""
    return cache_module.compare_cached(ORIGINAL, SUSPECT, REPRODUCIBLE, None)


class NoPipeline:
    """Stands in for pipeline.analyse/compare where a cache hit must not reach them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        for name in ("analyse", "compare"):
            monkeypatch.setattr(pipeline_module, name, self._refuse(name))

    def _refuse(self, name: str) -> object:
        def refuse(*args: object, **kwargs: object) -> None:
            self.calls.append(name)
            raise AssertionError(f"pipeline.{name} called on a cache hit")

        return refuse


# --- what a hit returns ----------------------------------------------------------------------------------


def test_a_hit_is_the_fresh_comparison_and_gives_the_same_report_bytes(
    tmp_path: Path, fresh: Comparison, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cache_module.compare_cached(ORIGINAL, SUSPECT, REPRODUCIBLE, tmp_path)
    assert first.timings[0][0] == cache_module.HASH_STAGE
    assert "match" in dict(first.timings)  # a miss: analysed, matched, scored
    kept = sorted(p.suffix for p in tmp_path.iterdir() if p.suffix != cache_module.HASH_SUFFIX)
    assert kept == [".cdac", ".cdac", ".cdcc"]  # both analyses and the comparison (hash memos: below)
    assert replace(first, timings=()) == replace(fresh, timings=())

    no_pipeline = NoPipeline(monkeypatch)
    hit = cache_module.compare_cached(ORIGINAL, SUSPECT, REPRODUCIBLE, tmp_path)
    assert no_pipeline.calls == []
    assert [stage for stage, _ in hit.timings] == [cache_module.HASH_STAGE, cache_module.COMPARISON_STAGE]
    # the fresh comparison with the thumbnails its report carries (here: all of them)
    assert replace(hit, timings=()) == replace(fresh, timings=(), thumbnails=reported_thumbnails(fresh))
    assert hit.thumbnails and hit.verdict.clone  # the comparison carries evidence worth caching
    assert report_bytes(hit) == report_bytes(fresh)


def test_a_hit_takes_the_paths_given_now(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same bytes and names in another folder: a hit, and the packages' source is this run's path."""
    cache_module.compare_cached(ORIGINAL, UNRELATED, REPRODUCIBLE, tmp_path / "cache")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in (ORIGINAL, UNRELATED):
        (elsewhere / path.name).write_bytes(path.read_bytes())
    NoPipeline(monkeypatch)
    hit = cache_module.compare_cached(
        elsewhere / ORIGINAL.name, elsewhere / UNRELATED.name, REPRODUCIBLE, tmp_path / "cache"
    )
    assert hit.baseline.source == str(elsewhere / ORIGINAL.name)
    assert hit.suspect.source == str(elsewhere / UNRELATED.name)
    assert not hit.verdict.clone


def test_only_the_thumbnails_the_report_carries_are_kept(tmp_path: Path, fresh: Comparison) -> None:
    """A big comparison holds a thumbnail of every matched image (16,549, 140 MB, for two 300 MB games);
    its report carries those of the 24 most significant pairs per image category. The cache keeps those:
    the report of a hit is the same, byte for byte."""
    png = fresh.thumbnails[0][1]
    matches = tuple(
        Match(Category.UI, f"ui/{n:02}.png", f"copy/{n:02}.png", 0.5 + n / 100, "phash") for n in range(30)
    )
    pictures = dict(fresh.thumbnails)
    pictures["baseline:never-matched.png"] = png
    for match in matches:
        pictures[f"baseline:{match.baseline}"] = pictures[f"suspect:{match.suspect}"] = png
    others = [category for category in fresh.categories if category.category != Category.UI]
    big = replace(
        fresh,
        categories=(*others, CategoryScore(Category.UI, 0.75, 40, 30, matches)),
        thumbnails=tuple(sorted(pictures.items())),
    )
    store = cache_module.ComparisonCache(tmp_path)
    store.save("k", big)
    back = store.load("k")
    assert back is not None
    kept = dict(back.thumbnails)
    assert "baseline:never-matched.png" not in kept
    assert "baseline:ui/29.png" in kept and "baseline:ui/05.png" not in kept  # the 24 most similar pairs
    assert replace(back, thumbnails=()) == replace(big, timings=(), thumbnails=())
    assert report_bytes(back) == report_bytes(big)


def test_the_file_round_trips_and_keeps_int_and_float_apart(fresh: Comparison) -> None:
    assert cache_module.decode_comparison(cache_module.encode_comparison(fresh)) == replace(fresh, timings=())
    # 0 and 0.0 are equal in Python but print differently in the report: the type must survive
    ints = replace(
        fresh,
        categories=(CategoryScore(Category.ICON, 0, 1, 0), *fresh.categories[1:]),
        verdict=Verdict(1, True, 0.5, "int score"),
    )
    back = cache_module.decode_comparison(cache_module.encode_comparison(ints))
    assert type(back.categories[0].score) is int and type(back.verdict.score) is int
    assert report_bytes(back) == report_bytes(ints)


# --- keys ------------------------------------------------------------------------------------------------


def test_the_key_follows_what_the_comparison_depends_on() -> None:
    store = cache_module.ComparisonCache(Path("unused"))
    settings = Settings()
    a, b = cache_module.input_keys((ORIGINAL, SUSPECT), settings)
    assert (a, b) == (
        cache_module.AnalysisCache(Path("unused")).key(ORIGINAL, settings),
        cache_module.AnalysisCache(Path("unused")).key(SUSPECT, settings),
    )
    assert a is not None and b is not None
    key = store.key(a, b, settings)
    # what changes the result: which side is which, the verdict threshold, other thresholds, weights
    assert store.key(b, a, settings) != key
    changed = (
        replace(settings, thresholds=replace(settings.thresholds, clone=0.7)),
        replace(settings, thresholds=replace(settings.thresholds, phash_distance=6)),
        replace(settings, weights=Weights(icon=5.0)),
    )
    assert all(store.key(a, b, other) != key for other in changed)
    # what does not: the number of jobs, the report's pinned timestamp
    assert store.key(a, b, replace(settings, jobs=7, reproducible=True)) == key
    # a limit changes what analysis reads, so the analysis keys change with it
    limited = settings.with_limits(max_pixels=1000)
    assert cache_module.input_keys((ORIGINAL, SUSPECT), limited) != (a, b)


def test_an_input_too_big_to_hash_is_compared_but_not_cached(tmp_path: Path) -> None:
    settings = REPRODUCIBLE.with_limits(max_total_bytes=1000)  # both samples are bigger
    assert cache_module.input_keys((ORIGINAL, SUSPECT), settings) == (None, None)
    comparison = cache_module.compare_cached(ORIGINAL, SUSPECT, settings, tmp_path)
    assert comparison.categories and not list(tmp_path.glob("*"))


# --- the hash memo ---------------------------------------------------------------------------------------


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files copied by a test are seconds old: too recent to remember with the racy-file rule."""
    monkeypatch.setattr(filehash, "RACY_SECONDS", 0)


def copy_of(source: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / source.name
    target.write_bytes(source.read_bytes())
    return target


def record_hashing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """input_sha256 records what it is asked to read, and reads it."""
    hashed: list[Path] = []
    real = cache_module.input_sha256

    def recording(path: Path, limits: object) -> str | None:
        hashed.append(path)
        return real(path, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module, "input_sha256", recording)
    return hashed


@pytest.mark.usefixtures("trusting")
def test_a_remembered_input_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original, suspect = copy_of(ORIGINAL, tmp_path / "in"), copy_of(SUSPECT, tmp_path / "in")
    settings = Settings()
    first = cache_module.input_keys((original, suspect), settings, tmp_path / "cache")
    assert first == cache_module.input_keys((original, suspect), settings)  # the same keys as hashing
    assert len(list((tmp_path / "cache").glob("*" + cache_module.HASH_SUFFIX))) == 2
    hashed = record_hashing(monkeypatch)
    assert cache_module.input_keys((original, suspect), settings, tmp_path / "cache") == first
    assert hashed == []
    # a whole compare through the memo: a hit that reads neither input
    cache_module.compare_cached(original, suspect, REPRODUCIBLE, tmp_path / "cache")
    hashed.clear()
    NoPipeline(monkeypatch)
    hit = cache_module.compare_cached(original, suspect, REPRODUCIBLE, tmp_path / "cache")
    assert hashed == [] and hit.verdict.clone


@pytest.mark.usefixtures("trusting")
def test_any_change_of_identity_hashes_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_of(ORIGINAL, tmp_path / "in")
    limits = Settings().limits
    memo = cache_module.HashMemo(tmp_path / "cache")
    assert memo.hash(path, limits) == cache_module.input_sha256(path, limits)
    assert memo.recall(path, limits) is not None
    data = path.read_bytes()
    before = path.stat()

    # same size, same mtime put back with utime: the ctime still tells
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size
    assert memo.recall(path, limits) is None
    changed = cache_module.input_keys((path,), Settings(), tmp_path / "cache")
    assert changed == cache_module.input_keys((path,), Settings())  # hashed afresh: the new bytes' key

    # another file (new inode) with the old bytes under the same name
    replacement = tmp_path / "replacement"
    replacement.write_bytes(data)
    os.replace(replacement, path)
    assert memo.recall(path, limits) is None

    # a limit that the file is now over is honoured, whatever was remembered
    memo.hash(path, limits)
    assert memo.recall(path, limits) is not None
    assert memo.recall(path, replace(limits, max_total_bytes=100)) is None


def test_a_file_changed_just_now_is_not_remembered(tmp_path: Path) -> None:
    """A file written in this second could be written again in the same timestamp tick, unseen."""
    path = copy_of(ORIGINAL, tmp_path / "in")
    memo = cache_module.HashMemo(tmp_path / "cache")
    assert memo.hash(path, Settings().limits) is not None
    assert not list((tmp_path / "cache").glob("*" + cache_module.HASH_SUFFIX))


@pytest.mark.usefixtures("trusting")
def test_folders_links_and_damaged_memos_are_hashed_afresh(tmp_path: Path) -> None:
    path = copy_of(ORIGINAL, tmp_path / "in")
    limits = Settings().limits
    memo = cache_module.HashMemo(tmp_path / "cache")
    memo.hash(tmp_path / "in", limits)  # a folder: its files' identities are not one identity
    link = tmp_path / "link.apk"
    link.symlink_to(path)
    memo.hash(link, limits)  # never through a link (input_sha256 does not follow one either)
    assert not list((tmp_path / "cache").glob("*" + cache_module.HASH_SUFFIX))

    sha256 = memo.hash(path, limits)
    (file,) = (tmp_path / "cache").glob("*" + cache_module.HASH_SUFFIX)
    good = file.read_bytes()
    identity = filehash.stat_identity(path)
    assert identity is not None
    damaged = [
        good[:-3],
        good.replace(b"hash-memo 1", b"hash-memo 9"),
        cache_module.frame(cache_module.HASH_FORMAT, {"identity": [0, 0, 0, 0, 0], "sha256": sha256}),
        cache_module.frame(cache_module.HASH_FORMAT, {"identity": list(identity), "sha256": "0" * 63}),
        cache_module.frame(cache_module.HASH_FORMAT, {"identity": list(identity), "sha256": sha256}, (b"x",)),
        cache_module.frame(cache_module.COMPARISON_FORMAT, {"identity": list(identity), "sha256": sha256}),
    ]
    for bad in damaged:
        file.write_bytes(bad)
        assert memo.recall(path, limits) is None
    file.write_bytes(good)
    assert memo.recall(path, limits) == sha256


def test_no_cache_neither_reads_nor_writes_memos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filehash, "RACY_SECONDS", 0)
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(tmp_path / "cache"))
    original, suspect = copy_of(ORIGINAL, tmp_path / "in"), copy_of(UNRELATED, tmp_path / "in")
    args = ["compare", str(original), str(suspect), "-q", "--no-cache"]
    assert cli.run(args) == 0
    assert not (tmp_path / "cache").exists()


# --- what is never trusted or kept -----------------------------------------------------------------------


def test_damaged_and_foreign_files_are_misses(tmp_path: Path, fresh: Comparison) -> None:
    store = cache_module.ComparisonCache(tmp_path)
    data = cache_module.encode_comparison(fresh)
    magic = cache_module.COMPARISON_FORMAT
    header = len(magic) + cache_module.LENGTH_BYTES
    length = int.from_bytes(data[len(magic) : header], "big")
    document = json.loads(zlib.decompress(data[header : header + length]))
    tail = data[header + length :]

    def crafted(score: object) -> bytes:
        """The real file with the verdict's score replaced (json.dumps writes NaN and Infinity)."""
        edited = copy.deepcopy(document)
        edited["comparison"]["verdict"]["score"] = score
        packed = zlib.compress(json.dumps(edited).encode())
        return magic + len(packed).to_bytes(cache_module.LENGTH_BYTES, "big") + packed + tail

    assert store.load("absent") is None
    damaged = [
        data[:-10],  # thumbnails cut short
        data + b"x",  # bytes after the last thumbnail
        data[:100],  # document cut short
        b"not a cache file",
        data[:40] + b"\x00" * 8 + data[48:],  # corrupted zlib stream
        magic + (2**62).to_bytes(8, "big") + data[header:],  # a length past the end
        crafted("0.5"),  # a string where a number belongs
        crafted(float("nan")),  # json.loads accepts NaN; clonedetect never writes it
        crafted(float("inf")),
        cache_module.frame(cache_module.FORMAT, {"prints": []}),  # the other kind of cache file
        data.replace(b"comparison-cache 1", b"comparison-cache 9", 1),  # another format version
    ]
    for bad in damaged:
        (tmp_path / ("k" + cache_module.COMPARISON_SUFFIX)).write_bytes(bad)
        assert store.load("k") is None
    (tmp_path / ("k" + cache_module.COMPARISON_SUFFIX)).write_bytes(crafted(0.25))
    assert store.load("k") == replace(fresh, timings=(), verdict=replace(fresh.verdict, score=0.25))


def test_stored_matches_are_checked_column_by_column() -> None:
    matches = (
        Match(Category.UI, "a.png", "b.png", 0.5, "phash", ("scaled", "recoloured"), "distance 4", 0.25),
        Match(Category.TEXT, "k@en", "k@en", 1, "normalised-text"),
    )
    columns = serialise.matches_to_columns(matches)
    assert serialise.matches_from_columns(columns) == matches
    assert type(serialise.matches_from_columns(columns)[1].similarity) is int
    damaged = [
        {**columns, "similarity": [0.5, float("nan")]},
        {**columns, "weight": [1.0, float("inf")]},
        {**columns, "similarity": [0.5, True]},  # a bool is not a number here
        {**columns, "similarity": [0.5, "1"]},
        {**columns, "baseline": ["a.png"]},  # columns of different lengths
        {**columns, "category": ["ui", "sound"]},  # not a category
        {**columns, "transforms": [["scaled"], "recoloured"]},
        {**columns, "transforms": [[1], []]},
        {name: value for name, value in columns.items() if name != "evidence"},
        [list(row) for row in zip(*columns.values(), strict=True)],  # rows are not columns
    ]
    for bad in damaged:
        with pytest.raises(serialise.StoredDataError):
            serialise.matches_from_columns(bad)


# --- the report cache ------------------------------------------------------------------------------------


def test_a_report_hit_is_the_report_built_anew_with_this_runs_command_and_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report of a comparison is kept with it; read back, it is the report a fresh build gives, but for
    the command line and the timestamp, which are the run's own (also without --reproducible)."""
    settings = Settings()
    first = cache_module.report_cached(
        ORIGINAL, SUSPECT, settings, tmp_path, command=COMMAND, generated_at="2026-01-01T00:00:00Z"
    )
    assert first.built > 0.0 and "match" in dict(first.timings)
    assert sorted(p.suffix for p in tmp_path.iterdir() if p.suffix != cache_module.HASH_SUFFIX) == [
        ".cdac",
        ".cdac",
        ".cdcc",
        cache_module.REPORT_SUFFIX,
    ]
    no_pipeline = NoPipeline(monkeypatch)
    again = [*COMMAND, "--json", "other.json"]
    hit = cache_module.report_cached(
        ORIGINAL, SUSPECT, settings, tmp_path, command=again, generated_at="2026-02-02T00:00:00Z"
    )
    assert no_pipeline.calls == []
    assert [stage for stage, _ in hit.timings] == [cache_module.HASH_STAGE, cache_module.REPORT_CACHE_STAGE]
    assert hit.built == 0.0
    assert hit.report["command"] == again and hit.report["generated_at"] == "2026-02-02T00:00:00Z"
    comparison = cache_module.compare_cached(ORIGINAL, SUSPECT, settings, tmp_path)
    rebuilt = build_report(comparison, settings, command=again, generated_at="2026-02-02T00:00:00Z")
    assert render_json(hit.report) == render_json(rebuilt)


def test_a_damaged_report_is_a_miss_and_built_again_from_the_comparison(tmp_path: Path) -> None:
    first = cache_module.report_cached(
        ORIGINAL, SUSPECT, REPRODUCIBLE, tmp_path, command=COMMAND, generated_at="now"
    )
    (kept,) = tmp_path.glob("*" + cache_module.REPORT_SUFFIX)
    data = kept.read_bytes()
    document, _ = cache_module.unframe(cache_module.REPORT_FORMAT, data)
    foreign = {**document, "schema_version": 0}
    for damaged in (
        data[: len(data) // 2],  # truncated
        data.replace(b"clonedetect-report-cache 1", b"clonedetect-report-cache 9"),  # another format
        cache_module.frame(cache_module.REPORT_FORMAT, foreign, level=0),  # another schema
        cache_module.frame(cache_module.REPORT_FORMAT, {**document, "verdict": {}}, level=0),
    ):
        kept.write_bytes(damaged)
        again = cache_module.report_cached(
            ORIGINAL, SUSPECT, REPRODUCIBLE, tmp_path, command=COMMAND, generated_at="now"
        )
        assert [stage for stage, _ in again.timings] == [
            cache_module.HASH_STAGE,
            cache_module.COMPARISON_STAGE,
        ]
        assert render_json(again.report) == render_json(first.report)


def test_a_timed_out_comparison_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    timed_out = AnalysisWarning("suspect.apk", "time limit reached (max_seconds 600): 3 entries not analysed")
    real_compare = pipeline_module.compare

    def compare_timed_out(*args: object, **kwargs: object) -> Comparison:
        comparison = real_compare(*args, **kwargs)  # type: ignore[arg-type]
        return replace(comparison, warnings=(*comparison.warnings, timed_out))

    monkeypatch.setattr(pipeline_module, "compare", compare_timed_out)
    cache_module.report_cached(
        ORIGINAL, UNRELATED, REPRODUCIBLE, tmp_path, command=COMMAND, generated_at="now"
    )
    assert not list(tmp_path.glob("*" + cache_module.COMPARISON_SUFFIX))
    assert not list(tmp_path.glob("*" + cache_module.REPORT_SUFFIX))  # nor its report


def test_an_analysis_cut_short_is_kept_by_neither_cache(tmp_path: Path) -> None:
    settings = REPRODUCIBLE.with_limits(max_seconds=1e-9)
    comparison = cache_module.compare_cached(ORIGINAL, UNRELATED, settings, tmp_path)
    assert any("time limit reached" in w.message for w in comparison.warnings)
    # only the inputs' hash memos: what a file's bytes hash to does not depend on how busy the machine was
    assert {p.suffix for p in tmp_path.iterdir()} <= {cache_module.HASH_SUFFIX}


def test_the_folder_bound_covers_both_kinds(tmp_path: Path, fresh: Comparison) -> None:
    size = len(cache_module.encode_comparison(fresh))
    store = cache_module.ComparisonCache(tmp_path, max_bytes=int(size * 2.5))
    (tmp_path / ("old" + cache_module.SUFFIX)).write_bytes(b"x" * size)  # an analysis, used long ago
    for key in ("a", "b"):
        store.save(key, fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cdcc", "b.cdcc"]


# --- the command line ------------------------------------------------------------------------------------


def test_compare_twice_gives_the_same_report_and_says_it_was_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cache_module.ENVIRONMENT, str(tmp_path / "cache"))
    report = tmp_path / "r.json"
    args = ["compare", str(ORIGINAL), str(SUSPECT), "--json", str(report), "--reproducible", "--timings"]
    assert cli.run(args) == 1
    first = report.read_bytes()
    out = capsys.readouterr().out
    assert cache_module.COMPARISON_STAGE not in out and cache_module.REPORT_CACHE_STAGE not in out
    assert cli.run(args) == 1
    assert report.read_bytes() == first
    out = capsys.readouterr().out
    assert cache_module.REPORT_CACHE_STAGE in out  # the report itself was read back
    assert re.search(rf"{cli.REPORT_STAGE} +│ +[0-9]+\.[0-9]{{3}}", out)  # writing the report
    # another number of jobs is recorded in the report: its report is built anew, from the cached comparison
    jobs = json.loads(first)["settings"]["jobs"] + 1
    assert cli.run([*args, "--jobs", str(jobs)]) == 1
    out = capsys.readouterr().out
    assert cache_module.COMPARISON_STAGE in out and cache_module.REPORT_CACHE_STAGE not in out
    assert json.loads(report.read_bytes())["settings"]["jobs"] == jobs
    # --no-cache compares afresh, with the same result
    assert cli.run([*args, "--no-cache"]) == 1
    assert cache_module.COMPARISON_STAGE not in capsys.readouterr().out


HIT_PROBE = """
import json, sys
from clonedetect import cli
code = cli.run(sys.argv[1:])
heavy = ["cv2", "numpy", "sqlite3", "clonedetect.pipeline", "clonedetect.match", "clonedetect.extract",
         "clonedetect.fingerprint", "clonedetect.store.baselines", "clonedetect.store.rank", "jinja2",
         "concurrent.futures.thread"]
print(json.dumps({"code": code, "loaded": [name for name in heavy if name in sys.modules]}))
"""


def test_a_hit_imports_none_of_the_heavy_modules(tmp_path: Path) -> None:
    args = ["compare", str(ORIGINAL), str(UNRELATED), "--json", str(tmp_path / "r.json"), "-q"]
    environment = {"CLONEDETECT_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    root = Path(clonedetect.__file__).resolve().parent.parent
    for expected_hit in (False, True):
        done = subprocess.run(
            [sys.executable, "-c", HIT_PROBE, *args],
            capture_output=True,
            text=True,
            env=environment,
            cwd=root,
            timeout=120,
            check=True,
        )
        result = json.loads(done.stdout.splitlines()[-1])
        assert result["code"] == 0
        if expected_hit:
            assert result["loaded"] == []
        else:
            assert "clonedetect.pipeline" in result["loaded"]  # the probe does see what a miss needs
