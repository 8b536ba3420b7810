"""Measure one command: wall time, CPU time and peak memory of its whole process tree.

- wall: time.perf_counter around the run;
- CPU: user + system time of the process and every descendant it waited for (os.wait4's rusage: a
  process pool's workers are included);
- peak RSS: the highest sum of resident memory over the process tree, sampled every SAMPLE_SECONDS from
  /proc (a pool's workers are separate processes, so the largest single process understates the machine's
  memory use; the sum overstates it a little, since shared libraries are counted in every process);
- peak PSS: the same sum in proportional set size (shared pages divided among their users), sampled less
  often because the kernel walks every mapping to compute it: the closest figure to the real footprint;
- max single RSS: the largest peak of any one process in the tree (its VmHWM, sampled; os.wait4's maxrss
  is not used: a child inherits its parent's high-water mark through fork and exec, so it would report
  the benchmark's own memory).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
PSS_EVERY = 4  # samples: PSS is read every 0.2 s
TREE_EVERY = 4  # samples: new worker processes are found within 0.2 s
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class Measured:
    wall: float
    cpu: float
    peak_rss: int  # bytes, summed over the process tree
    peak_pss: int  # bytes, summed over the process tree
    max_single_rss: int  # bytes, the largest single process
    exit_code: int
    stdout: str
    stderr: str


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # the command name is in parentheses and may contain spaces: the fields start after the last ')'
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(parent, []).append(int(name))
    return tree


def process_tree(root: int) -> list[int]:
    tree = _children()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _kib_field(path: str, field: str) -> int:
    """A 'Field:  1234 kB' line of a /proc file, in bytes; 0 when the process is gone or the line missing."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _high_water(pid: int) -> int:
    return _kib_field(f"/proc/{pid}/status", "VmHWM")


def _pss(pid: int) -> int:
    return _kib_field(f"/proc/{pid}/smaps_rollup", "Pss")


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree until stopped; keeps the peaks."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_rss = 0
        self.peak_pss = 0
        self.max_single = 0
        self._done = threading.Event()

    def run(self) -> None:
        count = 0
        pids: list[int] = []
        while not self._done.is_set():
            if count % TREE_EVERY == 0:  # finding the tree reads every process's stat: not every sample
                pids = process_tree(self.root)
            self.peak_rss = max(self.peak_rss, sum(_rss(pid) for pid in pids))
            self.max_single = max([self.max_single, *(_high_water(pid) for pid in pids)])
            if count % PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in pids))
            count += 1
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


def measure(
    command: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    """Run `command` (in `cwd`) to completion and measure it (its output is captured in files, not pipes,
    so a chatty command cannot block on a full pipe while we wait for it)."""
    with (
        open(os.devnull, "rb") as stdin,
        _Capture() as out,
        _Capture() as err,
    ):
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command), stdin=stdin, stdout=out.file, stderr=err.file, env=dict(env or os.environ), cwd=cwd
        )
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
        return Measured(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            peak_rss=sampler.peak_rss,
            peak_pss=sampler.peak_pss,
            max_single_rss=sampler.max_single,
            exit_code=process.returncode,
            stdout=out.text(),
            stderr=err.text(),
        )


class _Capture:
    """An anonymous temporary file for a child's output."""

    def __enter__(self) -> _Capture:
        self.file = tempfile.TemporaryFile()
        return self

    def text(self) -> str:
        self.file.seek(0)
        return self.file.read().decode("utf-8", "replace")

    def __exit__(self, *exc: object) -> None:
        self.file.close()
