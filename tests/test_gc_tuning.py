"""The command line and its workers collect cyclic garbage less often; importing clonedetect does not."""

from __future__ import annotations

import gc
import subprocess
import sys

from clonedetect import gc_tuning

PROBE = (
    "import gc, sys; import clonedetect.cli, clonedetect.workers; print(gc.get_threshold()[0]); "
    "sys.argv = ['clonedetect', '--version']; "
    "import atexit; atexit.register(lambda: print(gc.get_threshold()[0])); clonedetect.cli.main()"
)


def test_the_entry_point_raises_the_first_threshold_and_importing_does_not() -> None:
    plain = "import gc; print(gc.get_threshold()[0])"
    default = int(subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True).stdout)
    lines = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=False).stdout
    numbers = [int(line) for line in lines.split() if line.isdigit()]
    assert numbers[0] == default  # untouched by importing the package
    assert numbers[-1] == max(default, gc_tuning.FIRST_GENERATION)


def test_a_higher_threshold_set_elsewhere_is_kept() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(50_000, before[1], before[2])
        gc_tuning.collect_less_often()
        assert gc.get_threshold()[0] == 50_000
        gc.set_threshold(700, before[1], before[2])
        gc_tuning.collect_less_often()
        assert gc.get_threshold() == (gc_tuning.FIRST_GENERATION, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def test_worker_processes_collect_less_often() -> None:
    from clonedetect.workers import WORKERS

    assert WORKERS.pool(1).submit(gc.get_threshold).result()[0] == gc_tuning.FIRST_GENERATION
