"""Image assets -> Prints: exact hashes, perceptual hashes and a small thumbnail per image or atlas frame.

Assets are grouped by the entry that holds their bytes, so an atlas page with 200 frames is read and decoded
once. With Settings.jobs > 1 the entries are fingerprinted in worker processes, a few entries per task, and
the results are put back in asset-path order, so the output does not depend on the number of workers.

An image that cannot be decoded (corrupt, truncated, unsupported, over the pixel limit) becomes a warning;
if it has bytes, its Print keeps the entry sha256 alone, so a byte-for-byte copy of it is still found.
"""

from __future__ import annotations

# decode.py sets OpenCV's pixel limit, which OpenCV reads only when cv2 is first imported: load it first
import clonedetect.fingerprint.decode  # noqa: F401

# isort: split

import multiprocessing
import multiprocessing.context
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from clonedetect.errors import EntryError
from clonedetect.fingerprint import hashes
from clonedetect.fingerprint.decode import DecodedImage, DecodeError, decode_frame, read_page, shrink
from clonedetect.model import AnalysisWarning, Asset, AssetKind, EntrySource, Fingerprint, Print
from clonedetect.settings import Limits, Settings

THUMBNAIL_SIDE = 128
# fixed options, so the same pixels give the same PNG bytes; level 6 is 6x faster than 9 for 5 % more bytes
PNG_OPTIONS = [cv2.IMWRITE_PNG_COMPRESSION, 6]
TASK_ENTRIES = 8  # entries per worker task: amortises pickling, still balances the workers
TASK_BYTES = 32 * 1024 * 1024  # ... and a bound on the bytes shipped to a worker at once
MIN_PARALLEL_ENTRIES = 32  # fewer entries are not worth starting worker processes (~1 s)
VERSION = 1


@dataclass(frozen=True, slots=True)
class EntryWork:
    """The assets of one entry and the entry's bytes (None when they could not be read)."""

    entry: str
    assets: tuple[Asset, ...]
    data: bytes | None
    read_error: str = ""


class ImageFingerprinter:
    kind = AssetKind.IMAGE

    def fingerprint(
        self, assets: Sequence[Asset], source: EntrySource, settings: Settings
    ) -> tuple[list[Print], list[AnalysisWarning]]:
        groups = _group_by_entry(assets)
        prints: list[Print] = []
        warnings: list[AnalysisWarning] = []
        if settings.jobs > 1 and len(groups) >= MIN_PARALLEL_ENTRIES:
            results = _parallel(groups, source, settings.limits, settings.jobs)
        else:
            results = (fingerprint_entry(_read(entry, own, source), settings.limits) for entry, own in groups)
        for entry_prints, entry_warnings in results:
            prints.extend(entry_prints)
            warnings.extend(entry_warnings)
        prints.sort(key=lambda p: p.asset.path)
        warnings.sort(key=lambda w: (w.path, w.message))
        return prints, warnings


def _group_by_entry(assets: Sequence[Asset]) -> list[tuple[str, tuple[Asset, ...]]]:
    grouped: dict[str, list[Asset]] = defaultdict(list)
    for asset in assets:
        grouped[asset.entry].append(asset)
    return [(entry, tuple(sorted(own, key=lambda a: a.path))) for entry, own in sorted(grouped.items())]


def _read(entry: str, assets: tuple[Asset, ...], source: EntrySource) -> EntryWork:
    try:
        return EntryWork(entry, assets, source.read(entry))
    except EntryError as error:
        return EntryWork(entry, assets, None, error.reason)


def _parallel(
    groups: list[tuple[str, tuple[Asset, ...]]], source: EntrySource, limits: Limits, jobs: int
) -> Iterator[tuple[list[Print], list[AnalysisWarning]]]:
    """Fingerprint entries in worker processes; at most 2 x jobs tasks' bytes are held in memory at once."""
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_context()) as pool:
        pending: list[Future[list[tuple[list[Print], list[AnalysisWarning]]]]] = []
        for task in _tasks(groups, source):
            pending.append(pool.submit(_fingerprint_task, task, limits))
            if len(pending) >= 2 * jobs:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()


def _context() -> multiprocessing.context.BaseContext:
    """Workers are spawned, never forked: a fork of a process whose OpenCV thread pool has run deadlocks in
    the child's first OpenCV call. (A spawned child does not re-run a package's __main__.py.)"""
    return multiprocessing.get_context("spawn")


def _tasks(groups: list[tuple[str, tuple[Asset, ...]]], source: EntrySource) -> Iterator[list[EntryWork]]:
    task: list[EntryWork] = []
    size = 0
    for entry, assets in groups:
        work = _read(entry, assets, source)
        task.append(work)
        size += len(work.data or b"")
        if len(task) >= TASK_ENTRIES or size >= TASK_BYTES:
            yield task
            task, size = [], 0
    if task:
        yield task


def _fingerprint_task(
    task: list[EntryWork], limits: Limits
) -> list[tuple[list[Print], list[AnalysisWarning]]]:
    cv2.setNumThreads(1)  # the pool is the parallelism; OpenCV's own threads would only contend
    return [fingerprint_entry(work, limits) for work in task]


def fingerprint_entry(work: EntryWork, limits: Limits) -> tuple[list[Print], list[AnalysisWarning]]:
    """Prints for all assets held by one entry, decoding the entry once."""
    if work.data is None:
        return [], [AnalysisWarning(work.entry, f"image not read: {work.read_error}")]
    if not work.data:
        return [], [AnalysisWarning(work.entry, "image not fingerprinted: empty file (0 bytes)")]
    try:
        page = read_page(work.data, limits)
    except (DecodeError, MemoryError, cv2.error) as error:
        message = f"image not decoded: {_reason(error)}"
        # whole files keep their byte hash, so a copy of even an undecodable image is found
        prints = [
            Print(a, (Fingerprint("sha256", VERSION, a.sha256),)) for a in work.assets if a.frame is None
        ]
        return prints, [AnalysisWarning(work.entry, message)]
    prints: list[Print] = []
    warnings: list[AnalysisWarning] = []
    for asset in work.assets:
        try:
            prints.append(image_print(asset, decode_frame(page, asset.frame, limits)))
        except (DecodeError, MemoryError, cv2.error) as error:
            what = "frame not cut" if asset.frame is not None else "image not fingerprinted"
            warnings.append(AnalysisWarning(asset.path, f"{what}: {_reason(error)}"))
    return prints, warnings


def _reason(error: BaseException) -> str:
    return str(error) if not isinstance(error, MemoryError) else "out of memory"


def image_print(asset: Asset, decoded: DecodedImage) -> Print:
    """All fingerprints of one decoded image, from its one small copy."""
    work = hashes.prepare(decoded.rgba)
    # a frame shares its page's bytes, so its own exact identity is its pixels
    exact = asset.sha256 if asset.frame is None else decoded.pixels_sha256
    values = [
        ("sha256", exact),
        ("pixels", decoded.pixels_sha256),
        ("format", decoded.format),
        *hashes.perceptual_hashes(work),
    ]
    return Print(
        asset=asset,
        fingerprints=tuple(Fingerprint(name, VERSION, value) for name, value in values),
        width=decoded.width,
        height=decoded.height,
        thumbnail=thumbnail_png(decoded.rgba),
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
    """Straight alpha again (rounded), for the thumbnail: viewers expect straight-alpha PNGs."""
    alpha = premultiplied[..., 3:4].astype(np.uint32)
    colour = premultiplied[..., :3].astype(np.uint32)
    straight = np.where(alpha > 0, (colour * 255 + alpha // 2) // np.maximum(alpha, 1), 0)
    return np.concatenate([straight.clip(0, 255), alpha], axis=-1).astype(np.uint8)
