"""Measure every hostile case on the real command line with `/usr/bin/time -v`: exit code, warnings, peak RSS
and wall time, as the table the issue asks for.

    cd tests && python -m hostile.measure [--json results.json] [--only NAME ...]

Each case is built in a temporary folder and run as `clonedetect inspect INPUT --json` in a fresh sandbox.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from hostile.cases import CASES, Case
from hostile.runner import GNU_TIME, Sandbox

RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
WALL = re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)")
STATUS = re.compile(r"Exit status: (\d+)")


@dataclass(frozen=True, slots=True)
class Measurement:
    case: str
    family: str
    expected: str  # 'usable' or 'unusable'
    exit_code: int
    warnings: int
    warning_sample: str  # the first warnings (path: message), or the error line
    max_rss_mib: float
    seconds: float
    input_bytes: int


def _seconds(verbose: str) -> float:
    match = WALL.search(verbose)
    if match is None:
        return float("nan")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(
            item.lstat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink()
        )
    return path.stat().st_size


def measure(case: Case, root: Path) -> Measurement:
    inputs = root / "in"
    inputs.mkdir()
    path = case.build(inputs)
    sandbox = Sandbox.create(root / "run")
    command = [str(GNU_TIME), "-v", sys.executable, "-m", "clonedetect", "inspect", str(path), "--json"]
    process = subprocess.run(
        [*command, *case.args],
        cwd=sandbox.cwd,
        env=sandbox.environment(),
        capture_output=True,
        text=True,
        errors="replace",
        timeout=900,
    )
    verbose = process.stderr
    status = STATUS.search(verbose)
    rss = RSS.search(verbose)
    # GNU time appends its report (and a 'Command exited with ...' line) after clonedetect's own stderr
    own_stderr = "\n".join(
        line
        for line in verbose[: verbose.find("\tCommand being timed")].splitlines()
        if not line.startswith(("Command exited with", "Command terminated by"))
    ).strip()
    warnings: list[dict[str, str]] = []
    if process.stdout.strip():
        warnings = json.loads(process.stdout).get("warnings", [])
    sample = "; ".join(f"{w['path'][:60]}: {w['message'][:90]}" for w in warnings[:2]) or own_stderr[:160]
    return Measurement(
        case=case.name,
        family=case.family,
        expected="usable" if case.usable else "unusable",
        exit_code=int(status.group(1)) if status else process.returncode,
        warnings=len(warnings),
        warning_sample=sample,
        max_rss_mib=round(int(rss.group(1)) / 1024, 1) if rss else float("nan"),
        seconds=round(_seconds(verbose), 2),
        input_bytes=_size(path),
    )


def table(rows: Sequence[Measurement]) -> str:
    lines = [
        "| case | family | expected | exit | warnings | peak RSS MiB | wall s | input bytes "
        "| first warnings / error |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        sample = row.warning_sample.replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {row.case} | {row.family} | {row.expected} | {row.exit_code} | {row.warnings} | "
            f"{row.max_rss_mib} | {row.seconds} | {row.input_bytes} | {sample} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hostile.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    parser.add_argument("--only", nargs="+", help="case names")
    options = parser.parse_args(argv)
    if not GNU_TIME.exists():
        print("GNU time is needed: apt-get install time", file=sys.stderr)
        return 2
    rows: list[Measurement] = []
    for case in CASES:
        if options.only and case.name not in options.only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"clonedetect-measure-{case.name}-") as scratch:
            rows.append(measure(case, Path(scratch)))
        print(
            f"{case.name}: exit {rows[-1].exit_code}, {rows[-1].max_rss_mib} MiB, {rows[-1].seconds} s",
            file=sys.stderr,
        )
    print(table(rows))
    if options.json is not None:
        options.json.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
