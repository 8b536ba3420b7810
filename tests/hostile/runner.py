"""Run the real command line on a hostile input and check which of the two allowed outcomes it gave.

(a) partly usable: exit 0/1, a full report on stdout, one warning per unreadable part;
(b) unusable: exit 2 and exactly one 'clonedetect: error: ...' line on stderr.
Never a traceback, never a signal. Each run gets a fresh working folder, HOME and TMPDIR.

Peak RSS and wall time come from GNU time (`/usr/bin/time`, Debian package `time`), which forks from its own
small process: a child forked (or vforked) straight from pytest would start with pytest's high-water mark,
hundreds of MB that are not clonedetect's. Without GNU time the child's own wait4 figure is used, which can
only overstate the peak, so a passing bound still holds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ERROR_PREFIX = "clonedetect: error: "
POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class CliRun:
    args: tuple[str, ...]
    code: int  # exit code; -N when killed by signal N
    stdout: str
    stderr: str
    seconds: float
    max_rss_mib: float

    def report(self) -> dict[str, Any]:
        value = json.loads(self.stdout)
        assert isinstance(value, dict)
        return value


@dataclass(frozen=True, slots=True)
class Sandbox:
    """Where a run may touch the disk: its own cwd, HOME and TMPDIR."""

    cwd: Path
    home: Path
    tmp: Path

    @classmethod
    def create(cls, root: Path) -> Sandbox:
        folders = [root / name for name in ("cwd", "home", "tmp")]
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        return cls(*folders)

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        keep = {key: value for key, value in os.environ.items() if key in ("PATH", "LANG", "LC_ALL")}
        # no inherited CLONEDETECT_* variable may change what a test sees
        return {
            **keep,
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "PYTHONPATH": str(REPO),
            "PYTHONDONTWRITEBYTECODE": "1",
            **(extra or {}),
        }


GNU_TIME = Path("/usr/bin/time")


def run_cli(
    args: Sequence[str],
    sandbox: Sandbox,
    env: dict[str, str] | None = None,
    timeout: float = 180.0,
) -> CliRun:
    """`python -m clonedetect ARGS` in the sandbox; kills it and fails the test after `timeout` seconds."""
    return run_module("clonedetect", args, sandbox, env, timeout)


def run_module(
    module: str,
    args: Sequence[str],
    sandbox: Sandbox,
    env: dict[str, str] | None = None,
    timeout: float = 180.0,
) -> CliRun:
    """`python -m MODULE ARGS` in the sandbox, timed and measured by GNU time."""
    work = sandbox.tmp.parent
    out_path, err_path, stats_path = work / "stdout.txt", work / "stderr.txt", work / "time.txt"
    command = [sys.executable, "-m", module, *args]
    if GNU_TIME.exists():
        command = [str(GNU_TIME), "-f", "%M %e", "-o", str(stats_path), *command]
    start = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=sandbox.cwd,
            env=sandbox.environment(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # one process group: a timeout kills clonedetect, not only GNU time
        )
        status, usage = _wait(process, timeout, args)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    max_rss_mib = usage.ru_maxrss / 1024
    if stats_path.exists():
        code, max_rss_mib, seconds = _gnu_time(stats_path.read_text(), code)
    stdout = out_path.read_text("utf-8", "replace")
    stderr = err_path.read_text("utf-8", "replace")
    for path in (out_path, err_path, stats_path):
        path.unlink(missing_ok=True)
    return CliRun(tuple(args), code, stdout, stderr, seconds, max_rss_mib)


def _gnu_time(stats: str, code: int) -> tuple[int, float, float]:
    """(exit code, peak RSS MiB, seconds) from GNU time's '-f "%M %e"' file; -N when a signal ended it."""
    lines = stats.strip().splitlines()
    signalled = [line for line in lines if "terminated by signal" in line]
    if signalled:
        code = -int(signalled[0].rsplit(" ", 1)[1])
    kib, seconds = lines[-1].split()
    return code, int(kib) / 1024, float(seconds)


def _wait(process: subprocess.Popen[bytes], timeout: float, args: Sequence[str]) -> tuple[int, Any]:
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
            return status, usage
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            os.wait4(process.pid, 0)
            process.returncode = -signal.SIGKILL
            raise AssertionError(f"clonedetect {' '.join(args)} still running after {timeout} s")
        time.sleep(POLL_SECONDS)


def inspect(path: Path, sandbox: Sandbox, *args: str, timeout: float = 180.0) -> CliRun:
    """`clonedetect inspect PATH --json [ARGS]`: the whole of unpack, extract and fingerprint on one input."""
    return run_cli(["inspect", str(path), "--json", *args], sandbox, timeout=timeout)


def assert_usable(run: CliRun, codes: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    """Outcome (a): an exit code of 0/1, no traceback, and a full JSON report; returns the report."""
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.code in codes, f"exit {run.code}: {run.stderr[-2000:]}"
    report = run.report()
    assert isinstance(report.get("warnings"), list)
    return report


def assert_unusable(run: CliRun, reason: str = "") -> str:
    """Outcome (b): exit 2 and exactly one clear error line on stderr, nothing on stdout; returns it."""
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.code == 2, f"exit {run.code}, stderr: {run.stderr[-2000:]}"
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr[-2000:]
    assert lines[0].startswith(ERROR_PREFIX), lines[0]
    assert "internal error" not in lines[0], lines[0]
    assert reason.lower() in lines[0].lower(), lines[0]
    assert run.stdout == ""
    return lines[0]


def warnings_of(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(item["path"], item["message"]) for item in report["warnings"]]


def warned(report: dict[str, Any], path: str, *words: str) -> bool:
    """True when some warning is about `path` (exactly, or a nested path ending in it) and says all words."""
    return any(
        (where == path or where.endswith("!/" + path))
        and all(word.lower() in message.lower() for word in words)
        for where, message in warnings_of(report)
    )


def tree_listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under root with its (mode, size): what 'nothing was written' is compared on."""
    listing: dict[str, tuple[int, int]] = {}
    if not root.exists():
        return listing
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            status = path.lstat()
            listing[str(path.relative_to(root))] = (status.st_mode, status.st_size)
    return listing
