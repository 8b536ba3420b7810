"""The fast paths give the answers of the plain ones: worker processes = one process, a shared decode of
duplicate bytes = separate decodes, prints reused from the baseline = prints computed again, an analysis read
from the cache = a fresh analysis, hashes of streamed zip members = hashes of whole members, OpenCV's
(un)premultiplication = the integer formulas. No timing is asserted here: benchmarks/perf.py measures."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import shutil
import zipfile
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import orjson
import pytest
from imageprints import image_asset
from textprints import text_asset

from clonedetect import cache as cache_module
from clonedetect import model
from clonedetect.fingerprint import decode
from clonedetect.fingerprint import image as image_module
from clonedetect.fingerprint.image import EntryWork, ImageFingerprinter, fingerprint_entry
from clonedetect.fingerprint.known import KnownPrints
from clonedetect.fingerprint.text import text_fingerprints
from clonedetect.match import images as images_module
from clonedetect.model import Asset, AssetKind, Frame, Print
from clonedetect.pipeline import analyse
from clonedetect.settings import Limits, Settings
from clonedetect.unpack.memory import MemorySource
from clonedetect.unpack.safezip import CHUNK, SafeZip
from clonedetect.unpack.zipsource import list_zip

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LIMITS = Limits()


def painted(width: int, height: int, seed: int, alpha: bool = True) -> np.ndarray:
    """A small RGBA picture: smooth colour, a few shapes, a soft-edged silhouette (partial alpha)."""
    rng = np.random.default_rng(seed)
    field = rng.integers(0, 256, (3, 3, 3), dtype=np.uint8)
    rgb = cv2.resize(field, (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(4):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.circle(rgb, centre, int(rng.integers(2, max(3, width // 3))), colour, -1, cv2.LINE_AA)
    mask = np.full((height, width), 255, np.uint8)
    if alpha:
        mask[:] = 0
        cv2.ellipse(
            mask, (width // 2, height // 2), (width // 3, height // 3), 0, 0, 360, 255, -1, cv2.LINE_AA
        )
    return np.dstack([rgb, mask])


def png(rgba: np.ndarray, level: int = 3) -> bytes:
    ok, data = cv2.imencode(
        ".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA), [cv2.IMWRITE_PNG_COMPRESSION, level]
    )
    assert ok
    return data.tobytes()


def jpeg(rgba: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return data.tobytes()


def game_files() -> tuple[dict[str, bytes], list[Asset]]:
    """48 images (PNG with alpha, opaque JPEG), duplicates at other paths, an atlas page with frames (one
    outside the page), a corrupt file duplicated twice and an empty file."""
    files: dict[str, bytes] = {}
    assets: list[Asset] = []
    for number in range(40):
        data = (
            png(painted(24 + number * 3, 20 + number * 2, number))
            if number % 4
            else jpeg(painted(64 + number, 48, number, alpha=False))
        )
        files[f"art/{number:02d}.{'png' if number % 4 else 'jpg'}"] = data
    files["copies/a.png"] = files["art/01.png"]
    files["copies/b.png"] = files["art/01.png"]
    page = np.zeros((96, 128, 4), np.uint8)
    page[0:40, 0:40] = painted(40, 40, 100)
    page[40:90, 50:110] = painted(60, 50, 101)
    files["atlas/page.png"] = png(page)
    files["atlas/copy.png"] = files["atlas/page.png"]  # the same page shipped twice
    files["bad/corrupt.png"] = png(painted(30, 30, 7))[:60]
    files["bad/corrupt-copy.png"] = files["bad/corrupt.png"]
    files["bad/empty.png"] = b""
    for name, data in sorted(files.items()):
        assets.append(image_asset(name, data))
    frames = {
        "hero": Frame(0, 0, 40, 40),
        "boss": Frame(50, 40, 60, 50, offset_x=3, offset_y=2, source_width=66, source_height=54),
        "lost": Frame(120, 90, 30, 30),
    }
    for page_name in ("atlas/page.png", "atlas/copy.png"):
        for name, frame in frames.items():
            assets.append(image_asset(f"{page_name}#{name}", files[page_name], page_name, frame))
    return files, assets


def run(assets: list[Asset], files: dict[str, bytes], jobs: int) -> tuple[list[Print], list]:
    return ImageFingerprinter().fingerprint(assets, MemorySource(files), Settings(jobs=jobs))


# --- worker processes and shared decodes -----------------------------------------------------------------


def test_worker_processes_give_the_serial_prints_and_warnings() -> None:
    files, assets = game_files()
    assert len(image_module.group_by_content(assets)) >= image_module.MIN_PARALLEL_ENTRIES
    serial = run(assets, files, jobs=1)
    parallel = run(list(reversed(assets)), files, jobs=2)
    assert serial == parallel
    prints, warnings = serial
    assert [p.asset.path for p in prints] == sorted(p.asset.path for p in prints)
    by_path = {w.path: w.message for w in warnings}
    # every entry holding the corrupt bytes is reported, though they were decoded once
    assert (
        "image not decoded" in by_path["bad/corrupt.png"]
        and "image not decoded" in by_path["bad/corrupt-copy.png"]
    )
    assert "0 bytes" in by_path["bad/empty.png"]
    assert "outside" in by_path["atlas/page.png#lost"] and "outside" in by_path["atlas/copy.png#lost"]


def game_folder(root: Path) -> tuple[Path, dict[str, bytes]]:
    """game_files() written out as a folder package under root/game."""
    files, _ = game_files()
    for name, data in files.items():
        target = root / "game" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root / "game", files


def test_a_whole_analysis_is_the_same_with_one_process_and_with_workers(tmp_path: Path) -> None:
    game, _ = game_folder(tmp_path)
    serial = analyse(game, Settings(jobs=1))
    parallel = analyse(game, Settings(jobs=2))
    assert len(serial.prints) >= image_module.MIN_PARALLEL_ENTRIES
    assert replace(serial, timings=()) == replace(parallel, timings=())


def test_no_worker_starts_when_every_image_is_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A repack of the baseline reuses every print: nothing is decoded, so no pool is spawned for it (the
    pool is started early only when some image still has to be fingerprinted)."""
    game, _ = game_folder(tmp_path)
    first = analyse(game, Settings(jobs=2))
    started: list[int] = []
    monkeypatch.setattr(image_module.WORKERS, "start", started.append)
    decodable = [p for p in first.prints if p.value("pixels") is not None]
    (game / "bad" / "corrupt.png").unlink()  # not decodable: it would be tried again
    (game / "bad" / "corrupt-copy.png").unlink()
    again = analyse(game, Settings(jobs=2), reuse=decodable)
    assert started == []
    assert {p.asset.path for p in again.prints} >= {p.asset.path for p in decodable}
    analyse(game, Settings(jobs=2))
    assert started == [2]  # nothing known: the pool is started early, while extract runs


def test_near_matches_judged_in_workers_are_those_judged_in_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows judged in chunks by worker processes (here chunks of 3 rows, to have many) give the matches,
    in the order, of one Judge over all rows: against a repack (near copies) and an unrelated game (none)."""
    monkeypatch.setattr(images_module, "MIN_PARALLEL_ROWS", 1)
    monkeypatch.setattr(images_module, "MAX_CHUNK_ROWS", 3)
    monkeypatch.setattr(images_module, "MIN_CHUNK_ROWS", 1)
    original = analyse(SAMPLES / "original.apk", Settings(jobs=1))
    for other in ("repack-ec.apk", "unrelated.apk"):
        suspect = analyse(SAMPLES / other, Settings(jobs=1))
        base = [
            p for p in original.prints if p.asset.kind is AssetKind.IMAGE and images_module.informative(p)
        ]
        rows = [p for p in suspect.prints if p.asset.kind is AssetKind.IMAGE and images_module.informative(p)]
        assert len(base) > 3 * images_module.MAX_CHUNK_ROWS
        serial = images_module.near_matches(base, rows, Settings(jobs=1))
        parallel = images_module.near_matches(base, rows, Settings(jobs=2))
        assert serial == parallel
        if other == "repack-ec.apk":
            assert len(serial) >= len(base) // 2


@pytest.mark.parametrize(("rows", "jobs"), [(1, 2), (64, 2), (700, 2), (6_000, 2), (6_000, 8)])
def test_rows_are_judged_in_chunks_that_shrink_towards_the_end(rows: int, jobs: int) -> None:
    """Every row in exactly one chunk, in order; chunk sizes within bounds and never growing, so the last
    tasks are small and the workers finish together."""
    chunks = images_module._chunks(rows, jobs)
    assert [row for chunk in chunks for row in chunk] == list(range(rows))
    sizes = [len(chunk) for chunk in chunks]
    assert all(size <= images_module.MAX_CHUNK_ROWS for size in sizes)
    assert all(size >= images_module.MIN_CHUNK_ROWS for size in sizes[:-1])
    assert sizes == sorted(sizes, reverse=True)
    if rows >= 6_000:  # many rows: the first chunks are about a share of them, the last ones the smallest
        share = -(-rows // (images_module.CHUNKS_PER_JOB * jobs))
        assert sizes[0] == min(images_module.MAX_CHUNK_ROWS, share)
        assert sizes[-2] == images_module.MIN_CHUNK_ROWS


def test_records_pickle_as_their_constructor_call() -> None:
    """Every record of the data model crosses processes as the call that makes it (model._reduce_to_call,
    not dataclasses' per-object fields() walk), and comes back equal."""
    analysis = analyse(SAMPLES / "original.apk", Settings(jobs=1))
    records = [analysis, *analysis.prints, *analysis.package.entries, analysis.prints[0].fingerprints[0]]
    for record in records:
        assert type(record).__reduce__ is model._reduce_to_call
        assert pickle.loads(pickle.dumps(record)) == record
    every = {
        value
        for value in vars(model).values()
        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == model.__name__
    }
    assert every == set(model._RECORDS)


def test_duplicate_bytes_are_decoded_once_and_give_equal_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    files, assets = game_files()
    decoded: list[int] = []
    real = image_module.read_page
    monkeypatch.setattr(
        image_module, "read_page", lambda data, limits: decoded.append(1) or real(data, limits)
    )
    prints, _ = run(assets, files, jobs=1)
    distinct = {hashlib.sha256(data).digest() for data in files.values() if data}
    assert len(decoded) == len(distinct)
    by_path = {p.asset.path: p for p in prints}
    for copy in ("copies/a.png", "copies/b.png"):
        assert replace(by_path[copy], asset=by_path["art/01.png"].asset) == by_path["art/01.png"]
    for frame in ("hero", "boss"):
        page, copy = by_path[f"atlas/page.png#{frame}"], by_path[f"atlas/copy.png#{frame}"]
        assert replace(copy, asset=page.asset) == page
    # and sharing changes nothing: each entry fingerprinted on its own gives the same print
    for path in ("copies/b.png", "atlas/copy.png#boss"):
        alone, _ = run([a for a in assets if a.path == path], files, jobs=1)
        assert alone == [by_path[path]]


class _DeadPool:
    """A pool whose worker has died: every task submitted to it fails as the pool's tasks then do."""

    def submit(self, *_: object) -> Future[list]:
        broken: Future[list] = Future()
        broken.set_exception(BrokenProcessPool("a worker died"))
        return broken


def test_a_task_whose_worker_died_is_run_again_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    files, assets = game_files()
    group = next(g for g in image_module.group_by_content(assets) if g.entries[0] == "art/05.png")
    work = EntryWork(group.entries[0], group.assets, files["art/05.png"], entries=group.entries)
    monkeypatch.setattr(image_module.WORKERS, "pool", lambda jobs: _DeadPool())
    results = image_module._parallel([group], MemorySource(files), LIMITS, jobs=2)
    assert list(results) == [fingerprint_entry(work, LIMITS)]


# --- prints reused from the baseline ---------------------------------------------------------------------


def test_known_prints_are_what_fingerprinting_again_gives() -> None:
    files, assets = game_files()
    baseline, _ = run(assets, files, jobs=1)
    # the suspect: renamed copies of some images, re-encoded others, new ones, and the same atlas page
    suspect_files = {
        "x/renamed.png": files["art/01.png"],
        "x/reencoded.png": png(
            cv2.cvtColor(cv2.imdecode(np.frombuffer(files["art/02.png"], np.uint8), -1), cv2.COLOR_BGRA2RGBA),
            9,
        ),
        "x/new.png": png(painted(33, 33, 999)),
        "x/page.png": files["atlas/page.png"],
        "x/corrupt.png": files["bad/corrupt.png"],
    }
    suspect = [image_asset(name, data) for name, data in sorted(suspect_files.items())]
    suspect.append(image_asset("x/page.png#hero", files["atlas/page.png"], "x/page.png", Frame(0, 0, 40, 40)))
    suspect.append(
        image_asset("x/page.png#other", files["atlas/page.png"], "x/page.png", Frame(1, 1, 30, 30))
    )
    reused, rest = KnownPrints(baseline, Settings().limits.max_text_bytes).split(suspect)
    assert sorted(p.asset.path for p in reused) == ["x/page.png", "x/page.png#hero", "x/renamed.png"]
    assert "x/corrupt.png" in {
        a.path for a in rest
    }  # failed in the baseline: fingerprinted (and warned) again
    fresh, fresh_warnings = run(suspect, suspect_files, jobs=1)
    computed, warnings = run(rest, suspect_files, jobs=1)
    assert sorted([*reused, *computed], key=lambda p: p.asset.path) == fresh
    assert warnings == fresh_warnings


def test_analysing_the_suspect_with_the_baseline_prints_changes_nothing() -> None:
    settings = Settings()
    baseline = analyse(SAMPLES / "original.apk", settings)
    alone = analyse(SAMPLES / "repack.apk", settings)
    helped = analyse(SAMPLES / "repack.apk", settings, reuse=baseline.prints)
    assert replace(helped, timings=()) == replace(alone, timings=())
    known = KnownPrints(baseline.prints, settings.limits.max_text_bytes)
    shared, _ = known.split(p.asset for p in alone.prints)
    # the repack ships the original's art and strings: the test exercises both kinds of reuse
    assert {p.asset.kind for p in shared} == {AssetKind.IMAGE, AssetKind.TEXT}


def test_a_string_is_reused_by_value_unless_it_was_truncated() -> None:
    limit = 40
    baseline = [
        Print(text_asset(f"base/{n}", value), text_fingerprints(value))
        for n, value in enumerate(("Dragon Gate", "龍門客棧", "x" * (limit + 1)))
    ]
    suspect = [
        text_asset("clone/a", "龍門客棧"),
        text_asset("clone/b", "x" * (limit + 1)),
        text_asset("c", "new"),
    ]
    reused, rest = KnownPrints(baseline, limit).split(suspect)
    assert reused == [Print(suspect[0], text_fingerprints("龍門客棧"))]
    # the long one is fingerprinted again: its truncation warning belongs to this package too
    assert rest == suspect[1:]


# --- the analysis cache ----------------------------------------------------------------------------------


def test_a_cached_analysis_is_the_fresh_analysis(tmp_path: Path) -> None:
    settings = Settings()
    folder = tmp_path / "cache"
    fresh = cache_module.analyse_cached(SAMPLES / "repack.apk", settings, folder)
    assert [f.suffix for f in folder.iterdir()] == [cache_module.SUFFIX]
    again = cache_module.analyse_cached(SAMPLES / "repack.apk", settings, folder)
    assert [stage for stage, _ in again.timings] == ["cache"]
    assert replace(again, timings=()) == replace(fresh, timings=())
    # the same bytes under another name: analysed again (warnings may name the file), source is the new path
    renamed = tmp_path / "suspect-copy.apk"
    shutil.copyfile(SAMPLES / "repack.apk", renamed)
    copy = cache_module.analyse_cached(renamed, settings, folder)
    assert copy.package.source == str(renamed) and [s for s, _ in copy.timings] != ["cache"]


def test_cache_files_round_trip_and_damaged_ones_are_misses(tmp_path: Path) -> None:
    analysis = analyse(SAMPLES / "original.apk", Settings())
    data = cache_module.encode(analysis)
    assert cache_module.decode(data) == analysis
    # what orjson refuses (a lone surrogate from a hostile file name) is written by json.dumps instead,
    # and read back by json.loads
    hostile = replace(
        analysis,
        prints=(replace(analysis.prints[0], asset=replace(analysis.prints[0].asset, path="a\udcff")),),
    )
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps("a\udcff")
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(cache_module.strict_json("a\udcff"))
    assert cache_module.decode(cache_module.encode(hostile)) == hostile
    store = cache_module.AnalysisCache(tmp_path)
    for damaged in (data[:-10], data[:100], b"not a cache file", data[:40] + b"\x00" * 8 + data[48:]):
        (tmp_path / ("k" + cache_module.SUFFIX)).write_bytes(damaged)
        assert store.load("k") is None
    # a limit that changes what analysis may read is another key
    settings = Settings()
    path = SAMPLES / "original.apk"
    assert store.key(path, settings) != store.key(path, settings.with_limits(max_pixels=1000))
    assert store.key(path, settings) == store.key(path, replace(settings, jobs=7))


def test_the_cache_folder_is_bounded(tmp_path: Path) -> None:
    analysis = analyse(SAMPLES / "original.apk", Settings())
    size = len(cache_module.encode(analysis))
    store = cache_module.AnalysisCache(tmp_path, max_bytes=int(size * 2.5))
    for key in ("a", "b", "c", "d"):
        store.save(key, analysis)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.cdac", "d.cdac"]


def test_the_cache_is_opt_in() -> None:
    assert cache_module.default_cache_dir({}) is None
    assert cache_module.default_cache_dir({"CLONEDETECT_CACHE": "off"}) is None
    assert cache_module.default_cache_dir({"CLONEDETECT_CACHE": "/x/y"}) == Path("/x/y")


# --- streamed zip members --------------------------------------------------------------------------------


def test_streamed_member_hashes_are_whole_member_hashes(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    big_text = b"".join(b"row %d,%d\n" % (i, i * i) for i in range(400_000))  # deflated, > 1 chunk
    assert len(big_text) > 2 * CHUNK
    members = {
        "assets/big.csv": (big_text, zipfile.ZIP_DEFLATED),
        "assets/noise.bin": (rng.bytes(3 * CHUNK + 17), zipfile.ZIP_STORED),
        "assets/small.png": (png(painted(40, 30, 1)), zipfile.ZIP_STORED),
        "assets/empty.txt": (b"", zipfile.ZIP_DEFLATED),
    }
    path = tmp_path / "game.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, (data, method) in members.items():
            archive.writestr(name, data, compress_type=method)
    listing = list_zip(path, LIMITS)
    try:
        for entry in listing.entries:
            data, _ = members[entry.name]
            assert entry.sha256 == hashlib.sha256(data).hexdigest()
            assert listing.source.read(entry.name) == data
    finally:
        listing.source.close()
    with path.open("rb") as handle:
        archive = SafeZip(handle, LIMITS, path.name)
        for name, (data, _) in members.items():
            chunks = list(archive.stream(name))
            assert all(len(chunk) <= CHUNK for chunk in chunks)
            assert b"".join(chunks) == archive.read(name) == data
            assert archive.entry(name).sha256 == hashlib.sha256(data).hexdigest()


def test_sample_apk_members_stream_to_the_bytes_zipfile_reads() -> None:
    path = SAMPLES / "original.apk"
    with path.open("rb") as handle, zipfile.ZipFile(path) as reference:
        archive = SafeZip(handle, LIMITS, path.name)
        for member in archive.files():
            digest = hashlib.sha256()
            for chunk in archive.stream(member.name):
                digest.update(chunk)
            assert digest.hexdigest() == hashlib.sha256(reference.read(member.raw_name)).hexdigest()


# --- OpenCV's alpha arithmetic ---------------------------------------------------------------------------


def every_colour_alpha_pair() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    colour, alpha = (a.astype(np.uint32) for a in np.meshgrid(np.arange(256), np.arange(256)))
    rgba = np.stack([colour, colour, colour, alpha], axis=-1).astype(np.uint8)
    return rgba, colour, alpha


def test_premultiplying_is_the_rounded_integer_formula_for_every_pair() -> None:
    rgba, colour, alpha = every_colour_alpha_pair()
    decode._premultiply_in_place(rgba)
    expected = (colour * alpha + 127) // 255
    assert (rgba[..., :3] == expected[..., None]).all() and (rgba[..., 3] == alpha).all()
    view = np.zeros((256, 512, 4), np.uint8)[:, ::2]  # a non-contiguous array takes the other path
    view[...] = every_colour_alpha_pair()[0]
    decode._premultiply_in_place(view)
    assert (view == rgba).all()


def test_unpremultiplying_is_the_rounded_integer_formula_for_every_pair() -> None:
    rgba, colour, alpha = every_colour_alpha_pair()
    straight = image_module.unpremultiply(rgba)
    expected = np.where(alpha > 0, np.minimum(255, (colour * 255 + alpha // 2) // np.maximum(alpha, 1)), 0)
    assert (straight[..., :3] == expected[..., None]).all() and (straight[..., 3] == alpha).all()


def test_an_analysis_round_trips_through_the_cache_with_reused_prints(tmp_path: Path) -> None:
    """The suspect analysed with the baseline's prints, cached and read back: still the fresh analysis."""
    settings = Settings()
    baseline = analyse(SAMPLES / "original.apk", settings)
    stored = cache_module.analyse_cached(SAMPLES / "repack.apk", settings, tmp_path, reuse=baseline.prints)
    read = cache_module.analyse_cached(SAMPLES / "repack.apk", settings, tmp_path, reuse=baseline.prints)
    fresh = analyse(SAMPLES / "repack.apk", settings)
    for item in (stored, read):
        assert replace(item, timings=()) == replace(fresh, timings=())
