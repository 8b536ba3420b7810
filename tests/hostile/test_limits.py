"""Every safety limit (Limits) is reachable from `--limit NAME=VALUE` and CLONEDETECT_LIMIT_<NAME>, is
checked, and when an input passes it the part over it is skipped or cut with a warning; the rest goes on.
max_seconds, the wall time of one package, stops the work at the next entry boundary.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import cv2
import numpy as np
import pytest

from clonedetect.cli import build_settings
from clonedetect.errors import UsageError
from clonedetect.extract.deadline import Deadline, DeadlineSource
from clonedetect.fingerprint import fingerprint_assets
from clonedetect.model import Asset, AssetKind, Category
from clonedetect.pipeline import analyse
from clonedetect.settings import ENV_PREFIX, Limits, Settings
from clonedetect.unpack.memory import MemorySource
from hostile.builders import MIB, Member, build_zip, plain_zip, png_bytes, png_chunk, stored
from hostile.cases import SAMPLE_APK, case
from hostile.runner import Sandbox, assert_unusable, assert_usable, inspect, run_cli, warned

LIMIT_NAMES = tuple(limit.name for limit in fields(Limits))


def _value_for(name: str) -> str:
    return "2.5" if name in ("max_ratio", "max_seconds") else "7"


@pytest.mark.parametrize("name", LIMIT_NAMES)
def test_every_limit_is_settable_from_the_command_line_and_the_environment(name: str) -> None:
    raw = _value_for(name)
    expected = float(raw) if "." in raw else int(raw)
    from_option = build_settings(
        threshold=0.5, limits=[f"{name}={raw}"], jobs=1, reproducible=False, environ={}
    )
    assert getattr(from_option.limits, name) == expected
    dashed = build_settings(
        threshold=0.5,
        limits=[f"{name.replace('_', '-').upper()}={raw}"],
        jobs=1,
        reproducible=False,
        environ={},
    )
    assert getattr(dashed.limits, name) == expected
    environ = {ENV_PREFIX + name.upper(): raw}
    from_env = build_settings(threshold=0.5, limits=[], jobs=1, reproducible=False, environ=environ)
    assert getattr(from_env.limits, name) == expected
    both = build_settings(threshold=0.5, limits=[f"{name}=9"], jobs=1, reproducible=False, environ=environ)
    assert getattr(both.limits, name) == 9  # the command line wins over the environment


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "nan", ""])
def test_bad_limit_values_are_usage_errors(raw: str) -> None:
    with pytest.raises(UsageError):
        build_settings(threshold=0.5, limits=[f"max_pixels={raw}"], jobs=1, reproducible=False, environ={})
    with pytest.raises(UsageError):
        build_settings(
            threshold=0.5, limits=[], jobs=1, reproducible=False, environ={ENV_PREFIX + "MAX_SECONDS": raw}
        )


@pytest.mark.parametrize(
    ("args", "env", "reason"),
    [
        (("--limit", "max_pixelz=5"), {}, "unknown limit"),
        (("--limit", "max_seconds=nan"), {}, "must be positive"),
        (("--limit", "max_pixels"), {}, "NAME=VALUE"),
        ((), {ENV_PREFIX + "MAX_DEPTH": "deep"}, "needs a number"),
    ],
)
def test_bad_limits_on_the_command_line_are_one_line(
    args: tuple[str, ...], env: dict[str, str], reason: str, sandbox: Sandbox
) -> None:
    run = run_cli(["inspect", str(SAMPLE_APK), "--json", *args], sandbox, env=env)
    assert_unusable(run, reason)


def test_limits_reach_the_analysis_through_the_real_command_line(sandbox: Sandbox) -> None:
    by_option = assert_usable(inspect(SAMPLE_APK, sandbox, "--limit", "max_pixels=1000"))
    by_env = assert_usable(
        run_cli(["inspect", str(SAMPLE_APK), "--json"], sandbox, env={ENV_PREFIX + "MAX_PIXELS": "1000"})
    )
    for report in (by_option, by_env):
        assert warned(report, "assets/ui/background.jpg", "over the limit of 1,000 pixels")


@dataclass(frozen=True, slots=True)
class OverLimit:
    """A package that passes one limit set to `value`: the warning it must give, on which path."""

    files: Callable[[], bytes]  # the package (a zip)
    value: float
    path: str
    words: tuple[str, ...]
    kept: str  # an entry or asset path that must still be there
    relaxed: float | None = None  # a value the package passes (None: the default does)


def _records(count: int) -> bytes:
    return build_zip([stored(f"data/{index:02d}.txt", f"line {index}\n".encode()) for index in range(count)])


def _zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(bytes(size)) + compressor.flush()
    return build_zip([stored("ok.txt", b"fine"), Member("zeros.bin", data, 8, size=size)])


def _nested() -> bytes:
    inner = plain_zip({"deeper.zip": plain_zip({"art.png": png_bytes(8, 8)}), "inner.png": png_bytes(9, 9)})
    return build_zip([stored("ok.txt", b"fine"), stored("inner.zip", inner)])


def _deep_json() -> bytes:
    return build_zip([stored("data/deep.json", b'{"a":' * 10 + b"1" + b"}" * 10), stored("ok.txt", b"fine")])


def _strings() -> bytes:
    lines = "\n".join(f"string number {index}" for index in range(10)).encode()
    return build_zip([stored("lang/en.txt", lines)])


OVER_LIMIT: dict[str, OverLimit] = {
    "max_entries": OverLimit(
        lambda: _records(10), 5, "over.zip", ("10 entries", "limit of 5"), "data/04.txt"
    ),
    "max_entry_bytes": OverLimit(
        lambda: build_zip([stored("big.bin", bytes(5000)), stored("ok.txt", b"fine")]),
        1000,
        "big.bin",
        ("per-entry limit 1000",),
        "ok.txt",
    ),
    "max_total_bytes": OverLimit(
        lambda: build_zip([stored(f"part{i}.bin", bytes([i]) * 4000) for i in range(3)]),
        10_000,
        "part2.bin",
        ("total uncompressed size",),
        "part1.bin",
    ),
    "max_ratio": OverLimit(lambda: _zeros(2 * MIB), 200, "zeros.bin", ("ratio", "zip bomb"), "ok.txt", 10**5),
    "max_nesting": OverLimit(
        _nested, 1, "inner.zip!/deeper.zip", ("nesting limit 1",), "inner.zip!/inner.png"
    ),
    "max_pixels": OverLimit(
        lambda: build_zip([stored("art/a.png", png_bytes(64, 64)), stored("art/b.png", png_bytes(8, 8))]),
        1000,
        "art/a.png",
        ("over the limit of 1,000 pixels",),
        "art/b.png",
    ),
    "max_text_bytes": OverLimit(
        lambda: build_zip([stored("notes/big.txt", b"words and more words\n" * 250)]),
        1000,
        "notes/big.txt",
        ("only the first 1000 bytes",),
        "notes/big.txt#1",
    ),
    "max_depth": OverLimit(_deep_json, 5, "data/deep.json", ("deeper than max_depth (5)",), "ok.txt"),
    "max_seconds": OverLimit(lambda: SAMPLE_APK.read_bytes(), 1e-9, "over.zip", ("time limit reached",), ""),
    "max_strings": OverLimit(_strings, 3, "lang/en.txt", ("more than max_strings (3)",), "lang/en.txt#1"),
}


def test_every_limit_has_an_over_limit_case() -> None:
    assert set(OVER_LIMIT) == set(LIMIT_NAMES)


@pytest.mark.parametrize("name", LIMIT_NAMES)
def test_over_a_limit_is_a_warning_and_the_rest_goes_on(name: str, tmp_path: Path) -> None:
    spec = OVER_LIMIT[name]
    path = tmp_path / "over.zip"
    path.write_bytes(spec.files())
    limited = analyse(path, Settings().with_limits(**{name: spec.value}))
    hits = [
        w for w in limited.warnings if w.path == spec.path and all(word in w.message for word in spec.words)
    ]
    assert len(hits) == 1, [(w.path, w.message) for w in limited.warnings]
    relaxed = Settings() if spec.relaxed is None else Settings().with_limits(**{name: spec.relaxed})
    passing = analyse(path, relaxed)
    assert not any(all(word in w.message for word in spec.words) for w in passing.warnings)
    if spec.kept:
        kept = {entry.name for entry in limited.package.entries} | {p.asset.path for p in limited.prints}
        assert spec.kept in kept


def _slow_images(count: int, side: int) -> bytes:
    """`count` side x side PNGs, each costing a full decode in fingerprinting: one encoded picture, made
    distinct (images with the same bytes are decoded once) by a text chunk after its header."""
    pixels = np.zeros((side, side, 4), dtype=np.uint8)
    pixels[..., 3] = 255
    pixels[::9, ::7, 1] = 200
    ok, encoded = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    assert ok
    png = encoded.tobytes()
    header_end = 8 + 25  # signature, then the IHDR chunk
    pages = [
        png[:header_end] + png_chunk(b"tEXt", b"page\x00%d" % index) + png[header_end:]
        for index in range(count)
    ]
    return build_zip([stored(f"art/page{index:02d}.png", page) for index, page in enumerate(pages)])


def test_max_seconds_bounds_the_wall_time_of_the_real_command_line(inputs: Path, sandbox: Sandbox) -> None:
    path = inputs / "slow.zip"
    path.write_bytes(_slow_images(40, 4000))
    run = inspect(path, sandbox, "--limit", "max_seconds=2")
    report = assert_usable(run)
    assert any("time limit reached (max_seconds 2)" in message for _, message in _pairs(report))
    assert run.seconds < 2 + 6  # the limit, the start-up, and at most one image in progress


def _pairs(report: dict[str, object]) -> list[tuple[str, str]]:
    return [(w["path"], w["message"]) for w in report["warnings"]]  # type: ignore[attr-defined,index]


def test_time_limit_case_through_the_command_line(sandbox: Sandbox) -> None:
    limited = case("time-limit")
    report = assert_usable(inspect(SAMPLE_APK, sandbox, *limited.args))
    assert warned(report, "original.apk", "time limit reached", "entries not analysed")
    assert report["package"]["package_id"]  # unpack still gave the package's identity


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_deadline_source_folds_refused_reads_into_one_warning() -> None:
    clock = FakeClock()
    deadline = Deadline(10.0, clock=clock)
    files = {f"art/{index}.png": png_bytes(8, 8, seed=index) for index in range(6)}
    assets = [
        Asset(name, name, AssetKind.IMAGE, Category.ART, "image/png", f"{index:064d}", len(data), "test")
        for index, (name, data) in enumerate(files.items())
    ]
    reads = 0

    class Ticking(MemorySource):
        def read(self, name: str) -> bytes:
            nonlocal reads
            reads += 1
            clock.now += 4.0  # every read takes 4 s: the third passes the 10 s deadline
            return super().read(name)

    source = DeadlineSource(Ticking(files), deadline)
    prints, warnings = fingerprint_assets(assets, source, Settings())
    folded = source.fold(warnings, "game.zip", "fingerprinted")
    assert reads == 3 and len(prints) == 3
    assert [(w.path, w.message) for w in folded] == [
        ("game.zip", "time limit reached (max_seconds 10): 3 entries not fingerprinted")
    ]


def test_limits_are_recorded_in_the_report_settings(sandbox: Sandbox, inputs: Path) -> None:
    other = inputs / "copy.apk"
    other.write_bytes(SAMPLE_APK.read_bytes())
    run = run_cli(
        ["compare", str(SAMPLE_APK), str(other), "--json", "-", "-q", "--limit", "max_depth=33"], sandbox
    )
    report = json.loads(run.stdout)
    assert run.code in (0, 1) and report["settings"]["limits"]["max_depth"] == 33
