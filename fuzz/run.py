"""Run every fuzz harness for N seconds, each in its own subprocess, and report executions and crashes.

    python -m fuzz.run                      # 60 s each, all harnesses, summary on stdout
    python -m fuzz.run --seconds 600 --json fuzz-report.json --keep-corpus fuzz-corpus/
    python -m fuzz.run --only safezip image
    python -m fuzz.run --skip-known         # inputs of known, reported bugs (fuzz/known.py) are passed over

Each harness gets a fresh corpus seeded from the sample games; what libFuzzer finds (crashing inputs,
'crash-*', 'timeout-*', 'oom-*') is written to --artifacts (default: a temporary folder, listed in the
report). Exit code: 0 when no harness crashed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from fuzz.common import REPO, write_seeds
from fuzz.known import SKIP_ENV
from fuzz.seeds import SEEDS

HARNESSES = tuple(SEEDS)
# Per-input bounds: a slower or larger input is reported as a crash ('timeout-*' / 'oom-*').
INPUT_TIMEOUT_S = 10
RSS_LIMIT_MB = 1024  # the bound the issue sets for a whole run of the command line
MAX_LEN = {"safezip": 65536, "apk": 32768, "image": 32768}  # others: libFuzzer's default (seed sizes)
FINAL = re.compile(r"stat::number_of_executed_units: (\d+)")
STATS = re.compile(r"^#(\d+)\s", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class HarnessResult:
    harness: str
    seconds: float
    executions: int
    crashes: list[str]  # artifact files: crash-*, timeout-*, oom-*, leak-*
    exit_code: int
    seeds: int

    @property
    def clean(self) -> bool:
        return not self.crashes and self.exit_code == 0


def executions(log: str) -> int:
    """Runs libFuzzer reported: its final statistics, else the last '#N' status line (after a crash)."""
    final = FINAL.findall(log)
    if final:
        return int(final[-1])
    counts = STATS.findall(log)
    return int(counts[-1]) if counts else 0


def run_harness(
    name: str, seconds: int, artifacts: Path, corpus: Path, skip_known: bool = False
) -> HarnessResult:
    seeds = SEEDS[name]()
    write_seeds(corpus, seeds)
    artifacts.mkdir(parents=True, exist_ok=True)
    before = set(artifacts.iterdir())
    command = [
        sys.executable,
        "-m",
        f"fuzz.fuzz_{name}",
        f"-max_total_time={seconds}",
        f"-timeout={INPUT_TIMEOUT_S}",
        f"-rss_limit_mb={RSS_LIMIT_MB}",
        f"-artifact_prefix={artifacts}/{name}-",
        "-print_final_stats=1",
        *([f"-max_len={MAX_LEN[name]}"] if name in MAX_LEN else []),
        str(corpus),
    ]
    start = time.perf_counter()
    environment = {**os.environ, "PYTHONHASHSEED": "0", SKIP_ENV: "1" if skip_known else "0"}
    process = subprocess.run(
        command,
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=seconds + 120,
    )
    elapsed = time.perf_counter() - start
    found = sorted(str(path) for path in set(artifacts.iterdir()) - before)
    (artifacts / f"{name}.log").write_text(process.stdout)
    return HarnessResult(
        name, round(elapsed, 1), executions(process.stdout), found, process.returncode, len(seeds)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per harness (default 60)")
    parser.add_argument("--only", nargs="+", choices=HARNESSES, help="run these harnesses only")
    parser.add_argument("--json", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--artifacts", type=Path, help="folder for crashing inputs and logs")
    parser.add_argument("--keep-corpus", type=Path, help="keep each harness's grown corpus under this folder")
    parser.add_argument("--skip-known", action="store_true", help="pass over inputs of known bugs (known.py)")
    options = parser.parse_args(argv)
    artifacts = options.artifacts or Path(tempfile.mkdtemp(prefix="clonedetect-fuzz-artifacts-"))
    results: list[HarnessResult] = []
    for name in options.only or HARNESSES:
        with tempfile.TemporaryDirectory(prefix=f"clonedetect-fuzz-{name}-") as scratch:
            corpus = Path(scratch) / "corpus"
            result = run_harness(name, options.seconds, artifacts, corpus, options.skip_known)
            if options.keep_corpus is not None:
                shutil.copytree(corpus, options.keep_corpus / name, dirs_exist_ok=True)
        results.append(result)
        status = (
            "clean" if result.clean else f"CRASH ({len(result.crashes)} artifact(s), exit {result.exit_code})"
        )
        print(f"{name:8} {result.executions:>9} executions in {result.seconds:6.1f} s  {status}", flush=True)
        for crash in result.crashes:
            print(f"         {crash}", flush=True)
    if options.json is not None:
        report: dict[str, object] = {"seconds_per_harness": options.seconds, "artifacts": str(artifacts)}
        report["skip_known"] = options.skip_known
        report["harnesses"] = [asdict(result) for result in results]
        options.json.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return 0 if all(result.clean for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
