"""Throughput of `clonedetect compare` on a real-size game pair, against a naive pipeline (issue 7).

    python benchmarks/perf.py                        # 300 MiB game + clone, 3 runs each -> perf-300m.json
    python benchmarks/perf.py --size 1g --runs 1     # the 1 GiB HD build: memory must not grow with it
    python benchmarks/perf.py --size 20m --runs 1    # a quick check (about 2 minutes)

Options: --runs N (medians over N), --jobs N (clonedetect's --jobs; default: the CPUs), --out FILE,
--workdir DIR (generate the pair there and keep it; an existing pair of the same size is reused),
--profile (one more clonedetect run under py-spy; `pip install py-spy`), --skip-naive.

Steps, all in one run on the same machine:
1. Generate (benchmarks/perf_game.py) a game of the given size with >= 4,000 images and a reskinned clone,
   built into real signed APKs with aapt, zipalign and apksigner, in a temporary folder removed at the end.
2. The floor: decode every image of both packages once with OpenCV on one core (imdecode, nothing else),
   divided by the number of CPUs: no pipeline that decodes every image can beat it. Its share spent on
   distinct contents (the clone's byte-identical images need no decode) bounds any pipeline that looks at
   the pixels: the naive reference's time over it is the highest speedup a cold compare can reach.
3. N rounds of: `clonedetect compare` with an empty analysis cache, the same compare again (both analyses
   now come from the cache: the second compare of the same suspect), the compare once more with only the
   original's analysis kept (a CI job checking a new suspect against a baseline it has seen), the naive
   reference, and then a re-signed copy of the original (every asset identical: a private server's
   repack) compared against it with the original's analysis cached, and the naive reference on that pair;
   after the rounds, one cold compare of the original against another game of the generator (not a copy:
   what most suspects of a store feed are) and the naive reference on that pair
   (benchmarks/naive.py: Pillow decode + imagehash.phash of every image, rapidfuzz over all strings, one
   process). Each is a subprocess measured for wall time, CPU time (with its workers) and peak memory of its
   process tree (benchmarks/perf_measure.py). clonedetect's reports must be byte-identical across runs.
4. Prints a table and the targets, and writes everything to the JSON file.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.perf_game import MIB, GamePair, build_pair, other_game, plan_game, resigned_copy
from benchmarks.perf_measure import Measured, measure

REPO = Path(__file__).resolve().parent.parent
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
TIMING_ROW = re.compile(r"[│|]\s*([a-z][\w.]*)\s*[│|]\s*([\d.]+)\s*[│|]")
GIB = 1024**3
TARGETS = {"speedup": 5.0, "wall_over_floor": 1.3, "peak_rss_bytes": GIB, "second_compare_seconds": 1.0}


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([mg])i?b?", text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"size like 300m or 1g, not {text!r}")
    return int(float(match.group(1)) * (GIB if match.group(2) == "g" else MIB))


def cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---------------------------------------------------------------------------------------------------------
# The pair


def prepare_pair(size: int, workdir: Path, jobs: int) -> tuple[GamePair, float]:
    """The generated pair in `workdir` (reused when a previous run left one of this size there)."""
    manifest = workdir / "pair.json"
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        if saved.get("target_bytes") == size and Path(saved["original"]).exists():
            pair = GamePair(**{k: v for k, v in saved.items() if k not in ("target_bytes", "build_seconds")})
            pair = GamePair(**{**asdict(pair), "original": Path(pair.original), "clone": Path(pair.clone)})
            return pair, float(saved["build_seconds"])
    start = time.perf_counter()
    pair = build_pair(plan_game(size), workdir, jobs)
    seconds = time.perf_counter() - start
    for folder in ("original", "clone", "keys"):  # the APKs are all that is needed from here on
        shutil.rmtree(workdir / folder, ignore_errors=True)
    record = {**asdict(pair), "original": str(pair.original), "clone": str(pair.clone)}
    manifest.write_text(json.dumps({**record, "target_bytes": size, "build_seconds": seconds}, indent=1))
    return pair, seconds


# ---------------------------------------------------------------------------------------------------------
# The floor


def decode_floor(packages: list[Path]) -> dict[str, Any]:
    """One-core time to decode every image of the packages once (OpenCV, the fastest decoder we use), and
    the part of it spent on distinct contents: what any pipeline that looks at the pixels must decode (the
    clone's byte-identical images and an image shipped at two paths need no second decode)."""
    cv2.setNumThreads(1)
    seconds: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    seen: set[bytes] = set()
    distinct_seconds = 0.0
    for package in packages:
        with zipfile.ZipFile(package) as archive:
            for info in archive.infolist():
                suffix = Path(info.filename).suffix.lower()
                if suffix not in IMAGE_SUFFIXES:
                    continue
                raw = archive.read(info)
                data = np.frombuffer(raw, np.uint8)
                start = time.perf_counter()
                cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
                elapsed = time.perf_counter() - start
                seconds[suffix] += elapsed
                counts[suffix] += 1
                digest = hashlib.sha256(raw).digest()
                if digest not in seen:
                    seen.add(digest)
                    distinct_seconds += elapsed
    return {
        "one_core_seconds": sum(seconds.values()),
        "images": sum(counts.values()),
        "by_format": {s: {"images": counts[s], "seconds": round(seconds[s], 3)} for s in sorted(counts)},
        "distinct_one_core_seconds": distinct_seconds,
        "distinct_images": len(seen),
    }


def fingerprint_breakdown(package: Path) -> dict[str, Any]:
    """One-core seconds of each step of image fingerprinting, over every image and atlas frame of one
    package, run in this process with clonedetect's own functions in the order image.py calls them."""
    from clonedetect.extract import extract_assets
    from clonedetect.fingerprint import decode, hashes, image
    from clonedetect.model import AssetKind
    from clonedetect.settings import Settings
    from clonedetect.unpack import open_package

    cv2.setNumThreads(1)
    settings = Settings()
    seconds: Counter[str] = Counter()
    calls: Counter[str] = Counter()

    def timed(step: str, work: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return work(*args)
        finally:
            seconds[step] += time.perf_counter() - start
            calls[step] += 1

    with open_package(package, settings) as opened:
        assets = [a for a in extract_assets(opened, settings).assets if a.kind is AssetKind.IMAGE]
        for group in image.group_by_content(assets):
            try:
                page = timed(
                    "decode + premultiply",
                    decode.read_page,
                    opened.source.read(group.entries[0]),
                    settings.limits,
                )
            except decode.DecodeError:
                continue
            for frame in sorted({a.frame for a in group.assets}, key=repr):
                try:
                    full = timed("cut frame", decode.cut_frame, page, frame, settings.limits)
                except decode.DecodeError:
                    continue
                timed("pixels sha256", decode.pixels_sha256, full)
                decoded = timed("shrink to 256", decode.shrink, full)
                small = timed("shrink to 128", hashes.work_copy, decoded)
                work = timed("hashes.prepare", hashes.prepare, small)
                timed("perceptual hashes", hashes.perceptual_hashes, work)
                timed("screen JPEG", hashes.screen_hex, decoded)
                timed("thumbnail PNG", image.thumbnail_png, small)
    total = sum(seconds.values())
    return {
        "one_core_seconds": round(total, 2),
        "steps": {
            step: {"seconds": round(value, 2), "share": round(value / total, 3), "calls": calls[step]}
            for step, value in seconds.most_common()
        },
    }


# ---------------------------------------------------------------------------------------------------------
# The runs


def snapshot_code(workdir: Path) -> tuple[Path, str]:
    """A copy of clonedetect/ that every run of this benchmark imports, and the sha256 of its sources.

    The runs take many minutes; an edit to the working tree meanwhile must not make the second compare
    miss the cache (its key includes the code) or the reports differ between runs."""
    target = workdir / "code"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        REPO / "clonedetect", target / "clonedetect", ignore=shutil.ignore_patterns("__pycache__")
    )
    digest = hashlib.sha256()
    for path in sorted((target / "clonedetect").rglob("*.py")):
        digest.update(path.relative_to(target).as_posix().encode() + b"\0" + path.read_bytes())
    return target, digest.hexdigest()[:16]


def run_clonedetect(
    original: Path, suspect: Path, report: Path, cache: Path, jobs: int, code: Path
) -> tuple[Measured, dict[str, float]]:
    command = [
        sys.executable, "-m", "clonedetect", "compare", str(original), str(suspect),
        "--jobs", str(jobs), "--json", str(report), "--reproducible", "--timings",
    ]  # fmt: skip
    env = {**os.environ, "CLONEDETECT_CACHE": str(cache), "PYTHONPATH": str(code)}
    result = measure(
        command, env, cwd=code
    )  # not the checkout: `python -m` looks in the current folder first
    if result.exit_code not in (0, 1):
        raise RuntimeError(f"clonedetect compare failed ({result.exit_code}): {result.stderr[-2000:]}")
    timings = result.stdout[result.stdout.rfind("Timings") :]  # the last table: others have numbers too
    stages = {name: float(value) for name, value in TIMING_ROW.findall(timings)}
    return result, stages


def forget_suspect(cache: Path, suspect: Path) -> None:
    """Delete the suspect's analysis, the comparison and its report from the cache, keeping the original's
    analysis.

    Relies on the cache's file names (clonedetect/cache.py): an analysis is `<input sha256[:16]>-<key>`,
    a comparison and its report `<original's [:16]>-<suspect's [:16]>-<key>`."""
    prefix = hashlib.sha256(suspect.read_bytes()).hexdigest()[:16]
    doomed = [
        *cache.glob(f"{prefix}-*.cdac"),
        *cache.glob(f"*-{prefix}-*.cdcc"),
        *cache.glob(f"*-{prefix}-*.cdrc"),
    ]
    if len(doomed) != 3:
        raise RuntimeError(
            f"expected the suspect's analysis, the comparison and its report in {cache}: {doomed}"
        )
    for path in doomed:
        path.unlink()


def run_naive(original: Path, suspect: Path, out: Path) -> tuple[Measured, dict[str, Any]]:
    command = [sys.executable, str(REPO / "benchmarks" / "naive.py"), str(original), str(suspect)]
    result = measure([*command, "--json", str(out)])
    if result.exit_code != 0:
        raise RuntimeError(f"naive reference failed ({result.exit_code}): {result.stderr[-2000:]}")
    return result, json.loads(out.read_text())


def profile_run(pair: GamePair, workdir: Path, jobs: int, code: Path) -> dict[str, Any]:
    """One cold compare under py-spy (all processes); the Python lines where samples end, by share."""
    raw = workdir / "profile.txt"
    command = [
        "py-spy", "record", "--subprocesses", "--format", "raw", "--rate", "50", "-o", str(raw), "--",
        sys.executable, "-m", "clonedetect", "compare", str(pair.original), str(pair.clone),
        "--jobs", str(jobs), "-q",
    ]  # fmt: skip
    env = {**os.environ, "CLONEDETECT_CACHE": "off", "PYTHONPATH": str(code)}
    subprocess.run(command, env=env, cwd=code, capture_output=True, check=False)
    return summarise_profile(raw.read_text() if raw.exists() else "")


def summarise_profile(raw: str) -> dict[str, Any]:
    """py-spy raw stacks ('frame;frame;... count') -> the leaf lines and the functions with most samples.

    Without --native, time spent inside a C call (imdecode, imencode, sha256, a NumPy kernel) is charged to
    the Python line that made the call, so a leaf line is a hot loop only if it is itself Python work."""
    leaves: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        frames = stack.split(";")
        total += samples
        leaves[frames[-1]] += samples
        for name in {re.sub(r":\d+\)$", ")", frame) for frame in frames[1:]}:
            functions[name] += samples
    share = (lambda n: round(100.0 * n / total, 1)) if total else (lambda n: 0.0)
    return {
        "samples": total,
        "top_leaf_lines": [[name, share(n)] for name, n in leaves.most_common(25)],
        "top_functions": [[name, share(n)] for name, n in functions.most_common(40)],
    }


# ---------------------------------------------------------------------------------------------------------
# Summary


def summary(runs: list[Measured]) -> dict[str, float]:
    return {
        "wall_seconds": statistics.median(r.wall for r in runs),
        "cpu_seconds": statistics.median(r.cpu for r in runs),
        "peak_rss_bytes": statistics.median(r.peak_rss for r in runs),
        "peak_pss_bytes": statistics.median(r.peak_pss for r in runs),
        "max_single_rss_bytes": statistics.median(r.max_single_rss for r in runs),
    }


def repack_summary(
    repack: Path, runs: list[Measured], stages: list[dict[str, float]], naive_runs: list[Measured]
) -> dict[str, Any]:
    """The re-signed copy of the original compared against it with the original's analysis cached."""
    measured = summary(runs)
    naive = summary(naive_runs) if naive_runs else None
    return {
        "suspect": repack.name,
        "suspect_bytes": repack.stat().st_size,
        "clonedetect_original_cached": {
            "median": measured,
            "stages": median_stages(stages),
            "runs": [raw_run(r) for r in runs],
        },
        "naive": {"median": naive, "runs": [raw_run(r) for r in naive_runs]} if naive else None,
        "speedup_original_cached": round(naive["wall_seconds"] / measured["wall_seconds"], 2)
        if naive
        else None,
    }


def measure_not_a_copy(
    original: Path, other: Path, workdir: Path, args: argparse.Namespace, code: Path
) -> dict[str, Any]:
    """One cold compare of the original against another game of the generator (what most suspects of a store
    feed are), and the naive reference on that pair: one run each, they are the slowest of the benchmark."""
    scratch = workdir / "run-other"
    scratch.mkdir(exist_ok=True)
    print("not a copy: clonedetect (cold) ...", flush=True)
    report = workdir / "report-other.json"
    result, stages = run_clonedetect(original, other, report, scratch / "cache", args.jobs, code)
    naive = None
    if not args.skip_naive:
        print("not a copy: naive ...", flush=True)
        naive = raw_run(run_naive(original, other, scratch / "naive.json")[0])
    shutil.rmtree(scratch, ignore_errors=True)
    verdict = json.loads(report.read_text())["verdict"]
    return {
        "suspect": other.name,
        "suspect_bytes": other.stat().st_size,
        # the verdict too: a timing of a wrong answer would be no measure of the store-feed case
        "verdict_clone": verdict["clone"],
        "verdict_score": verdict["score"],
        "clonedetect": raw_run(result),
        "stages": stages,
        "naive": naive,
    }


def raw_run(result: Measured) -> dict[str, Any]:
    return {k: v for k, v in asdict(result).items() if k not in ("stdout", "stderr")}


def median_stages(stages: list[dict[str, float]]) -> dict[str, float]:
    names = sorted({name for run in stages for name in run})
    return {name: round(statistics.median(run.get(name, 0.0) for run in stages), 3) for name in names}


def derive(
    pair: GamePair,
    floor: dict[str, Any],
    cold: dict[str, float],
    known: dict[str, float],
    naive: dict[str, float] | None,
) -> dict[str, Any]:
    """Throughputs and ratios; `known`: the runs with the original's analysis cached."""
    megabytes = (pair.original_bytes + pair.clone_bytes) / 1e6
    images = 2 * pair.images
    derived: dict[str, Any] = {
        "clonedetect_mb_per_s": round(megabytes / cold["wall_seconds"], 2),
        "clonedetect_images_per_s": round(images / cold["wall_seconds"], 1),
        "wall_over_floor": round(cold["wall_seconds"] / floor["seconds"], 2),
    }
    if naive is not None:
        derived |= {
            "naive_mb_per_s": round(megabytes / naive["wall_seconds"], 2),
            "naive_images_per_s": round(images / naive["wall_seconds"], 1),
            "speedup": round(naive["wall_seconds"] / cold["wall_seconds"], 2),
            "speedup_original_cached": round(naive["wall_seconds"] / known["wall_seconds"], 2),
            # what a cold compare doing nothing but decode each distinct image once, on every core, would
            # reach: no pipeline that looks at the pixels of both packages can be faster than that
            "speedup_ceiling": round(naive["wall_seconds"] / floor["distinct_seconds"], 2),
        }
    return derived


def targets(derived: dict[str, Any], cold: dict[str, float], warm: dict[str, float]) -> dict[str, Any]:
    checks = {
        "speedup": (derived.get("speedup"), TARGETS["speedup"], lambda v, t: v >= t),
        "wall_over_floor": (derived["wall_over_floor"], TARGETS["wall_over_floor"], lambda v, t: v <= t),
        "peak_rss_bytes": (cold["peak_rss_bytes"], TARGETS["peak_rss_bytes"], lambda v, t: v < t),
        "second_compare_seconds": (
            warm["wall_seconds"],
            TARGETS["second_compare_seconds"],
            lambda v, t: v < t,
        ),
    }
    return {
        name: {"value": value, "target": target, "met": value is not None and bool(test(value, target))}
        for name, (value, target, test) in checks.items()
    }


def print_table(result: dict[str, Any]) -> None:
    pair, floor = result["pair"], result["floor"]
    columns = [
        ("clonedetect", result["clonedetect"]),
        ("2nd compare", result["clonedetect_cached"]),
        ("orig. cached", result["clonedetect_original_cached"]),
    ]
    if result.get("naive"):
        columns.append(("naive", result["naive"]))
    print(
        f"\npair: {pair['original_bytes'] / 1e6:.0f} MB + {pair['clone_bytes'] / 1e6:.0f} MB, "
        f"{pair['images']} images + {pair['frames']} atlas frames per package, {pair['strings']} strings; "
        f"{result['machine']['cpus']} CPUs; {result['runs']} runs (medians)"
    )
    print(f"{'':24s}" + "".join(f"{name:>14s}" for name, _ in columns))
    rows = [
        ("wall (s)", "wall_seconds", 1.0, "{:14.2f}"),
        ("CPU (s)", "cpu_seconds", 1.0, "{:14.2f}"),
        ("peak RSS, tree (MB)", "peak_rss_bytes", 1e6, "{:14.0f}"),
        ("peak PSS, tree (MB)", "peak_pss_bytes", 1e6, "{:14.0f}"),
        ("max one process (MB)", "max_single_rss_bytes", 1e6, "{:14.0f}"),
    ]
    for label, key, scale, form in rows:
        print(f"{label:24s}" + "".join(form.format(data["median"][key] / scale) for _, data in columns))
    derived = result["derived"]
    print(
        f"decode floor: {floor['one_core_seconds']:.2f} s on one core / {floor['cores']} = "
        f"{floor['seconds']:.2f} s for {floor['images']} images; their {floor['distinct_images']} distinct "
        f"contents {floor['distinct_one_core_seconds']:.2f} s / {floor['cores']} = "
        f"{floor['distinct_seconds']:.2f} s"
    )
    for name, value in derived.items():
        print(f"{name}: {value}")
    steps = result["fingerprint_breakdown"]["steps"]
    print("fingerprint steps, one core (s): " + ", ".join(f"{k} {v['seconds']}" for k, v in steps.items()))
    print("stages (s): " + ", ".join(f"{k} {v}" for k, v in result["clonedetect"]["stages"].items()))
    print("cached:     " + ", ".join(f"{k} {v}" for k, v in result["clonedetect_cached"]["stages"].items()))
    known_stages = result["clonedetect_original_cached"]["stages"]
    print("orig. cached: " + ", ".join(f"{k} {v}" for k, v in known_stages.items()))
    for name, check in result["targets"].items():
        verdict = "met" if check["met"] else "NOT met"
        print(f"target {name}: {check['value']} (target {check['target']}) {verdict}")
    repack = result["repack"]
    known = repack["clonedetect_original_cached"]["median"]
    naive_repack = f"{repack['naive']['median']['wall_seconds']:.2f} s" if repack["naive"] else "not run"
    print(
        f"repack (original re-signed, original cached): {known['wall_seconds']:.2f} s wall, "
        f"{known['cpu_seconds']:.2f} s CPU, peak RSS {known['peak_rss_bytes'] / 1e6:.0f} MB; naive "
        f"{naive_repack}; speedup {repack['speedup_original_cached']}"
    )
    print(
        "repack stages: "
        + ", ".join(f"{k} {v}" for k, v in repack["clonedetect_original_cached"]["stages"].items())
    )
    other = result["not_a_copy"]
    naive_other = f"{other['naive']['wall']:.2f} s" if other["naive"] else "not run"
    print(
        f"not a copy ({other['suspect']}, {other['suspect_bytes'] / 1e6:.0f} MB), one cold run: "
        f"{other['clonedetect']['wall']:.2f} s wall, {other['clonedetect']['cpu']:.2f} s CPU, verdict "
        f"{'clone' if other['verdict_clone'] else 'not a clone'} (score {other['verdict_score']}); "
        f"naive {naive_other}"
    )
    print("not-a-copy stages: " + ", ".join(f"{k} {v}" for k, v in other["stages"].items()))
    print(f"reports identical across runs: {result['deterministic']}")


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("300m"), help="e.g. 300m (default), 1g")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=cpus())
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workdir", type=Path, help="keep the generated pair here (and reuse it)")
    parser.add_argument("--profile", action="store_true", help="profile one compare with py-spy")
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args(argv)
    label = f"{args.size // GIB}g" if args.size % GIB == 0 else f"{args.size // MIB}m"
    out = args.out or Path(f"perf-{label}.json")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="clonedetect-perf-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = benchmark(args, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:  # keep the pair for the next run, not the scratch files of this one
            leftovers = (
                "code",
                "profile.txt",
                "report.json",
                "report-repack.json",
                "report-other.json",
                "repack.apk",
            )
            for scratch in [*workdir.glob("run-*"), *(workdir / name for name in leftovers)]:
                if scratch.is_dir():
                    shutil.rmtree(scratch, ignore_errors=True)
                else:
                    scratch.unlink(missing_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print_table(result)
    print(f"written to {out}")
    return 0


def benchmark(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    load_before = os.getloadavg()
    print(f"generating a {args.size / MIB:.0f} MiB game and its clone in {workdir} ...", flush=True)
    pair, build_seconds = prepare_pair(args.size, workdir, args.jobs)
    repack = resigned_copy(pair.original, workdir)
    other = other_game(args.size, workdir, args.jobs)
    code, code_digest = snapshot_code(workdir)
    sys.path.insert(0, str(code))  # the breakdown below imports clonedetect in this process: the same copy
    floors, cold_runs, warm_runs, known_runs, naive_runs = [], [], [], [], []
    cold_stages, warm_stages, known_stages = [], [], []
    reports: list[bytes] = []
    repack_runs, repack_stages, repack_naive_runs = [], [], []
    repack_reports: list[bytes] = []
    naive_result: dict[str, Any] = {}
    for number in range(args.runs):
        scratch = workdir / f"run-{number}"
        scratch.mkdir(exist_ok=True)
        print(f"round {number + 1}/{args.runs}: floor ...", flush=True)
        floors.append(decode_floor([pair.original, pair.clone]))
        cache = scratch / "cache"
        kinds = (
            ("cold", cold_runs, cold_stages),
            ("cached", warm_runs, warm_stages),
            ("new suspect, original cached", known_runs, known_stages),
        )
        for kind, runs, stages in kinds:
            if runs is known_runs:
                forget_suspect(cache, pair.clone)
            print(f"round {number + 1}/{args.runs}: clonedetect ({kind}) ...", flush=True)
            # one report path for every run: the report records its command line, output path included
            result, timings = run_clonedetect(
                pair.original, pair.clone, workdir / "report.json", cache, args.jobs, code
            )
            runs.append(result)
            stages.append(timings)
            reports.append((workdir / "report.json").read_bytes())
        if not args.skip_naive:
            print(f"round {number + 1}/{args.runs}: naive ...", flush=True)
            result, naive_result = run_naive(pair.original, pair.clone, scratch / "naive.json")
            naive_runs.append(result)
        # the repack against the original, whose analysis the cache holds now (the clone's runs made it)
        print(f"round {number + 1}/{args.runs}: repack (original cached) ...", flush=True)
        result, timings = run_clonedetect(
            pair.original, repack, workdir / "report-repack.json", cache, args.jobs, code
        )
        repack_runs.append(result)
        repack_stages.append(timings)
        repack_reports.append((workdir / "report-repack.json").read_bytes())
        if not args.skip_naive:
            print(f"round {number + 1}/{args.runs}: naive on the repack ...", flush=True)
            repack_naive_runs.append(run_naive(pair.original, repack, scratch / "naive-repack.json")[0])
        shutil.rmtree(scratch, ignore_errors=True)
    not_a_copy = measure_not_a_copy(pair.original, other, workdir, args, code)
    print("fingerprint steps of the original package, one core ...", flush=True)
    breakdown = fingerprint_breakdown(pair.original)
    one_core = statistics.median(f["one_core_seconds"] for f in floors)
    distinct = statistics.median(f["distinct_one_core_seconds"] for f in floors)
    floor = {
        **floors[0],
        "one_core_seconds": round(one_core, 3),
        "distinct_one_core_seconds": round(distinct, 3),
        "cores": cpus(),
    }
    floor["seconds"] = round(one_core / floor["cores"], 3)
    floor["distinct_seconds"] = round(distinct / floor["cores"], 3)
    cold, warm, known = summary(cold_runs), summary(warm_runs), summary(known_runs)
    naive = summary(naive_runs) if naive_runs else None
    derived = derive(pair, floor, cold, known, naive)
    return {
        "benchmark": "clonedetect compare vs naive (issue 7)",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "code_sha256": code_digest,
        "command": " ".join(["python", "benchmarks/perf.py", *sys.argv[1:]]),
        "machine": {
            "cpus": cpus(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "opencv": cv2.__version__,
            "numpy": np.__version__,
        },
        "runs": args.runs,
        "jobs": args.jobs,
        "pair": {**asdict(pair), "original": pair.original.name, "clone": pair.clone.name},
        "build_seconds": round(build_seconds, 1),
        "floor": floor,
        "fingerprint_breakdown": breakdown,
        "clonedetect": {
            "median": cold,
            "stages": median_stages(cold_stages),
            "runs": [raw_run(r) for r in cold_runs],
        },
        "clonedetect_cached": {
            "median": warm,
            "stages": median_stages(warm_stages),
            "runs": [raw_run(r) for r in warm_runs],
        },
        "clonedetect_original_cached": {
            "median": known,
            "stages": median_stages(known_stages),
            "runs": [raw_run(r) for r in known_runs],
        },
        "naive": {"median": naive, "result": naive_result, "runs": [raw_run(r) for r in naive_runs]}
        if naive
        else None,
        "derived": derived,
        "targets": targets(derived, cold, warm),
        "repack": repack_summary(repack, repack_runs, repack_stages, repack_naive_runs),
        "not_a_copy": not_a_copy,
        "deterministic": len(set(reports)) == 1 and len(set(repack_reports)) == 1,
        "profile": profile_run(pair, workdir, args.jobs, code) if args.profile else None,
    }


if __name__ == "__main__":
    sys.exit(main())
