"""The comparison cache: a comparison read back is the fresh one (the report is byte for byte the same), its
key changes with everything the comparison depends on and nothing else, damaged or foreign files are misses,
nothing timed out is kept, and a hit neither analyses, matches nor imports the heavy modules.

Real packages from samples/ throughout: the cache must hold what the real pipeline produces."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

import clonedetect
from clonedetect import cache as cache_module
from clonedetect import cli
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
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".cdac", ".cdac", ".cdcc"]
    assert replace(first, timings=()) == replace(fresh, timings=())

    no_pipeline = NoPipeline(monkeypatch)
    hit = cache_module.compare_cached(ORIGINAL, SUSPECT, REPRODUCIBLE, tmp_path)
    assert no_pipeline.calls == []
    assert [stage for stage, _ in hit.timings] == [cache_module.HASH_STAGE, cache_module.COMPARISON_STAGE]
    assert replace(hit, timings=()) == replace(fresh, timings=())
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


def test_a_timed_out_comparison_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    timed_out = AnalysisWarning("suspect.apk", "time limit reached (max_seconds 600): 3 entries not analysed")
    real_compare = pipeline_module.compare

    def compare_timed_out(*args: object, **kwargs: object) -> Comparison:
        comparison = real_compare(*args, **kwargs)  # type: ignore[arg-type]
        return replace(comparison, warnings=(*comparison.warnings, timed_out))

    monkeypatch.setattr(pipeline_module, "compare", compare_timed_out)
    cache_module.compare_cached(ORIGINAL, UNRELATED, REPRODUCIBLE, tmp_path)
    assert not list(tmp_path.glob("*" + cache_module.COMPARISON_SUFFIX))


def test_an_analysis_cut_short_is_kept_by_neither_cache(tmp_path: Path) -> None:
    settings = REPRODUCIBLE.with_limits(max_seconds=1e-9)
    comparison = cache_module.compare_cached(ORIGINAL, UNRELATED, settings, tmp_path)
    assert any("time limit reached" in w.message for w in comparison.warnings)
    assert not list(tmp_path.iterdir())


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
    assert cache_module.COMPARISON_STAGE not in capsys.readouterr().out
    assert cli.run(args) == 1
    assert report.read_bytes() == first
    assert cache_module.COMPARISON_STAGE in capsys.readouterr().out
    # --no-cache compares afresh, with the same result
    assert cli.run([*args, "--no-cache"]) == 1
    assert cache_module.COMPARISON_STAGE not in capsys.readouterr().out


HIT_PROBE = """
import json, sys
from clonedetect import cli
code = cli.run(sys.argv[1:])
heavy = ["cv2", "numpy", "sqlite3", "clonedetect.pipeline", "clonedetect.match", "clonedetect.extract",
         "clonedetect.fingerprint", "clonedetect.store.baselines", "clonedetect.store.rank"]
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
