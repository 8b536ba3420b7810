"""Image assets -> Prints: exact hashes, perceptual hashes and a small thumbnail per image or atlas frame.

Work is grouped by content: every asset whose entry holds the same bytes (the same sha256) - an atlas page
and its 200 frames, one sprite shipped at three paths - is read and decoded once, and each distinct frame
of it fingerprinted once. A print depends on nothing but the bytes and the frame, so prints another
analysis already made (fingerprint/known.py: the baseline's, when the suspect is analysed next to it) are
reused for the same (bytes, frame) without reading or decoding anything.

With Settings.jobs > 1 the groups are fingerprinted in worker processes (clonedetect/workers.py), a few
per task, biggest first so that no worker is left with a 4096 px page at the end. The pool outlives one call
(both analyses of a compare and their matching share it, and `start_workers` can spawn it while the main
process is still unpacking), and the results are sorted by asset path, so the output does not depend on
the number of workers.

An image that cannot be decoded (corrupt, truncated, unsupported, over the pixel limit) becomes a warning;
if it has bytes, its Print keeps the entry sha256 alone, so a byte-for-byte copy of it is still found.
A worker that dies (a decoder crash on hostile bytes) costs only the entries of its task, as warnings.
"""

from __future__ import annotations

# decode.py sets OpenCV's pixel limit, which OpenCV reads only when cv2 is first imported: load it first
import clonedetect.fingerprint.decode  # noqa: F401

# isort: split

from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial

import cv2
import numpy as np

from clonedetect import fingerprint_versions as versions
from clonedetect.errors import EntryError
from clonedetect.fingerprint import hashes
from clonedetect.fingerprint.decode import DecodedImage, DecodeError, decode_frame, read_page, shrink
from clonedetect.model import (
    AnalysisWarning,
    Asset,
    AssetKind,
    Entry,
    EntrySource,
    Fingerprint,
    Frame,
    Print,
)
from clonedetect.settings import Limits, Settings
from clonedetect.workers import WORKERS, context, init_worker, run_tasks

THUMBNAIL_SIDE = 128
# Fixed options, so the same pixels give the same PNG bytes. At level 6 with adaptive filters a thumbnail
# took 2-3.6 ms to encode, a fifth of all fingerprinting time on a 300 MB game; level 1 with the 'up' filter
# takes 0.54 ms for 7 % more bytes (OpenCV < 4.11 has no filter option and keeps its adaptive one).
PNG_OPTIONS = [cv2.IMWRITE_PNG_COMPRESSION, 1]
if hasattr(cv2, "IMWRITE_PNG_FILTER"):
    PNG_OPTIONS += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP]
TASK_ENTRIES = 8  # groups per worker task: amortises pickling, still balances the workers
# ... and a bound on the bytes of one task: the main process holds at most 2 x jobs tasks (read, pickled,
# queued), so this and the biggest entry, not the package, bound its memory while fingerprinting
TASK_BYTES = 8 * 1024 * 1024
MIN_PARALLEL_ENTRIES = 32  # fewer entries are not worth starting worker processes (~1 s)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".ico")

Result = tuple[list[Print], list[AnalysisWarning]]


@dataclass(frozen=True, slots=True)
class EntryWork:
    """The assets of one content group and its bytes (None when they could not be read).

    `entry` is the entry that was read; `entries` all entries with these bytes (duplicates share the work
    and each gets the warnings)."""

    entry: str
    assets: tuple[Asset, ...]
    data: bytes | None
    read_error: str = ""
    entries: tuple[str, ...] = ()

    @property
    def all_entries(self) -> tuple[str, ...]:
        return self.entries or (self.entry,)


@dataclass(frozen=True, slots=True)
class ContentGroup:
    """Assets whose entries hold the same bytes; `entries` sorted, the first is the one read."""

    entries: tuple[str, ...]
    assets: tuple[Asset, ...]
    size: int


class ImageFingerprinter:
    kind = AssetKind.IMAGE

    def fingerprint(
        self, assets: Sequence[Asset], source: EntrySource, settings: Settings
    ) -> tuple[list[Print], list[AnalysisWarning]]:
        groups = group_by_content(assets)
        prints: list[Print] = []
        warnings: list[AnalysisWarning] = []
        if settings.jobs > 1 and len(groups) >= MIN_PARALLEL_ENTRIES:
            results = _parallel(groups, source, settings.limits, settings.jobs)
        else:
            results = (fingerprint_entry(_read(group, source), settings.limits) for group in groups)
        for entry_prints, entry_warnings in results:
            prints.extend(entry_prints)
            warnings.extend(entry_warnings)
        prints.sort(key=lambda p: p.asset.path)
        warnings.sort(key=lambda w: (w.path, w.message))
        return prints, warnings


def group_by_content(assets: Sequence[Asset]) -> list[ContentGroup]:
    """Assets grouped by the sha256 of their entry's bytes (by entry name when an asset has none), biggest
    group first, then by first entry name: a deterministic order that keeps the workers evenly loaded."""
    grouped: dict[str, list[Asset]] = defaultdict(list)
    for asset in assets:
        grouped[asset.sha256 or "entry:" + asset.entry].append(asset)
    groups = [
        ContentGroup(
            entries=tuple(sorted({a.entry for a in own})),
            assets=tuple(sorted(own, key=lambda a: a.path)),
            size=max(a.size for a in own),
        )
        for own in grouped.values()
    ]
    groups.sort(key=lambda g: (-g.size, g.entries[0]))
    return groups


def _read(group: ContentGroup, source: EntrySource) -> EntryWork:
    entry = group.entries[0]
    try:
        return EntryWork(entry, group.assets, source.read(entry), entries=group.entries)
    except EntryError as error:
        return EntryWork(entry, group.assets, None, error.reason, entries=group.entries)


# ---------------------------------------------------------------------------------------------------------
# Worker processes


def start_workers(settings: Settings, entries: Sequence[Entry]) -> None:
    """Start the worker pool now when fingerprinting these entries will likely use it, so the workers'
    start-up (about a second) overlaps with unpacking and extraction in the main process. Only a hint:
    images are counted by name here (a wrong guess costs one idle pool or a later start), by content later."""
    images = sum(1 for entry in entries if entry.name.lower().endswith(IMAGE_SUFFIXES))
    if settings.jobs > 1 and images >= MIN_PARALLEL_ENTRIES:
        WORKERS.start(settings.jobs)


def _parallel(groups: list[ContentGroup], source: EntrySource, limits: Limits, jobs: int) -> Iterator[Result]:
    """Fingerprint groups in worker processes; at most 2 x jobs tasks' bytes are held in memory at once. A
    task whose worker died (a decoder crash, the kernel's OOM killer) is run again alone in a fresh process,
    so only the entries that kill a worker are lost."""
    fingerprint = partial(_fingerprint_task, limits=limits)
    for results in run_tasks(fingerprint, _tasks(groups, source), jobs, partial(_isolated, limits=limits)):
        yield from results


def _isolated(task: list[EntryWork], limits: Limits) -> list[Result]:
    with ProcessPoolExecutor(max_workers=1, mp_context=context(), initializer=init_worker) as lone:
        try:
            return lone.submit(_fingerprint_task, task, limits).result()
        except BrokenProcessPool:
            return [_crashed(work) for work in task]


def _crashed(work: EntryWork) -> Result:
    message = "image not fingerprinted: the decoder process crashed on it"
    return [], [AnalysisWarning(entry, message) for entry in work.all_entries]


def _tasks(groups: list[ContentGroup], source: EntrySource) -> Iterator[list[EntryWork]]:
    task: list[EntryWork] = []
    size = 0
    for group in groups:
        work = _read(group, source)
        task.append(work)
        size += len(work.data or b"")
        if len(task) >= TASK_ENTRIES or size >= TASK_BYTES:
            yield task
            task, size = [], 0
    if task:
        yield task


def _fingerprint_task(task: list[EntryWork], limits: Limits) -> list[Result]:
    return [fingerprint_entry(work, limits) for work in task]


# ---------------------------------------------------------------------------------------------------------
# One content group


def fingerprint_entry(work: EntryWork, limits: Limits) -> Result:
    """Prints for all assets of one content group, decoding its bytes once and each frame once."""
    if work.data is None:
        return [], [AnalysisWarning(e, f"image not read: {work.read_error}") for e in work.all_entries]
    if not work.data:
        message = "image not fingerprinted: empty file (0 bytes)"
        return [], [AnalysisWarning(entry, message) for entry in work.all_entries]
    try:
        page = read_page(work.data, limits)
    except (DecodeError, MemoryError, cv2.error) as error:
        message = f"image not decoded: {_reason(error)}"
        # whole files keep their byte hash, so a copy of even an undecodable image is found
        prints = [
            Print(a, (Fingerprint("sha256", versions.IMAGE, a.sha256),))
            for a in work.assets
            if a.frame is None
        ]
        return prints, [AnalysisWarning(entry, message) for entry in work.all_entries]
    prints: list[Print] = []
    warnings: list[AnalysisWarning] = []
    done: dict[Frame | None, Print | str] = {}  # frame -> its print, or why it failed
    for asset in work.assets:
        if asset.frame not in done:
            try:
                done[asset.frame] = image_print(asset, decode_frame(page, asset.frame, limits))
            except (DecodeError, MemoryError, cv2.error) as error:
                what = "frame not cut" if asset.frame is not None else "image not fingerprinted"
                done[asset.frame] = f"{what}: {_reason(error)}"
        outcome = done[asset.frame]
        if isinstance(outcome, str):
            warnings.append(AnalysisWarning(asset.path, outcome))
        else:
            prints.append(outcome if outcome.asset is asset else replace(outcome, asset=asset))
    return prints, warnings


def _reason(error: BaseException) -> str:
    return str(error) if not isinstance(error, MemoryError) else "out of memory"


def image_print(asset: Asset, decoded: DecodedImage) -> Print:
    """All fingerprints of one decoded image, from its small copies."""
    small = hashes.work_copy(decoded.rgba)  # what the hashes and the thumbnail are made from
    work = hashes.prepare(small)
    screen = hashes.screen_hex(decoded.rgba)
    # a frame shares its page's bytes, so its own exact identity is its pixels
    exact = asset.sha256 if asset.frame is None else decoded.pixels_sha256
    values = [
        ("sha256", exact),
        ("pixels", decoded.pixels_sha256),
        ("format", decoded.format),
        *hashes.perceptual_hashes(work),
        *([("screen", screen)] if screen is not None else []),
    ]
    return Print(
        asset=asset,
        fingerprints=tuple(Fingerprint(name, versions.IMAGE, value) for name, value in values),
        width=decoded.width,
        height=decoded.height,
        thumbnail=thumbnail_png(small),
    )


def thumbnail_png(premultiplied: np.ndarray) -> bytes:
    """A <= 128 px straight-alpha RGBA PNG of the image, encoded with fixed options (deterministic bytes)."""
    small = shrink(premultiplied, THUMBNAIL_SIDE)
    straight = unpremultiply(small)
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(straight, cv2.COLOR_RGBA2BGRA), PNG_OPTIONS)
    if not ok:
        raise RuntimeError("OpenCV could not encode a thumbnail PNG")
    return encoded.tobytes()


def unpremultiply(premultiplied: np.ndarray) -> np.ndarray:
    """Straight alpha again, for the thumbnail: viewers expect straight-alpha PNGs.

    OpenCV's mRGBA2RGBA computes exactly min(255, (colour * 255 + alpha // 2) // alpha), and 0 where alpha
    is 0, in one pass without temporaries (tests check every colour/alpha pair against that formula)."""
    return cv2.cvtColor(np.ascontiguousarray(premultiplied), cv2.COLOR_mRGBA2RGBA)
