"""The fuzz harnesses (fuzz/) in the test run: each fuzzes briefly from its seed corpus and must not crash,
and every input a harness ever crashed on (tests/hostile/regressions/<harness>-<what>.bin) replays cleanly,
quickly and in bounded memory. The long run is `python -m fuzz.run --seconds 600` (fuzz/README.md).

Inputs of known bugs in code this suite does not own (fuzz/known.py) are passed over while fuzzing and
pinned here as strict xfails, which fail once the bug is fixed: then delete the entry in known.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.known import known_issue
from fuzz.run import HARNESSES, run_harness
from fuzz.seeds import SEEDS
from hostile.runner import Sandbox, run_module

SMOKE_SECONDS = 4  # per harness: the smoke run keeps the suite short; fuzz/run.py does the long runs
REGRESSIONS = Path(__file__).parent / "regressions"
REPLAY_SECONDS = 10.0
REPLAY_RSS_MIB = 1024.0


@pytest.mark.parametrize("harness", HARNESSES)
def test_harness_fuzzes_without_a_crash(harness: str, tmp_path: Path) -> None:
    result = run_harness(harness, SMOKE_SECONDS, tmp_path / "artifacts", tmp_path / "corpus", skip_known=True)
    log = (tmp_path / "artifacts" / f"{harness}.log").read_text()
    assert result.clean, f"{result.crashes}\n{log[-4000:]}"
    assert result.executions > 100, log[-2000:]
    assert result.seeds > 0
    # OpenCV's own log lines stay off (OPENCV_LOG_LEVEL, clonedetect/__init__.py): they show here when some
    # module imports cv2 before clonedetect, which would bypass its pixel limit too
    assert "[ WARN:" not in log and "[ERROR:" not in log, log[-2000:]


def _regressions() -> list[object]:
    params: list[object] = []
    for path in sorted(REGRESSIONS.glob("*.bin")):
        harness = path.name.split("-", 1)[0]
        issue = known_issue(harness, path.read_bytes())
        marks = [pytest.mark.xfail(strict=True, reason=f"known, reported: {issue}")] if issue else []
        params.append(pytest.param(harness, path, marks=marks, id=path.stem))
    return params


@pytest.mark.parametrize(("harness", "path"), _regressions())
def test_regression_input_replays_cleanly(harness: str, path: Path, sandbox: Sandbox) -> None:
    assert harness in HARNESSES, f"{path.name}: name it <harness>-<what>.bin"
    assert path.stat().st_size <= 4096  # regression inputs stay tiny; larger ones are built in a test
    run = run_module("fuzz.replay", [harness, str(path)], sandbox, timeout=120)
    assert run.code == 0, run.stdout + run.stderr[-3000:]
    assert run.seconds < REPLAY_SECONDS, f"{run.seconds:.1f} s"
    assert run.max_rss_mib < REPLAY_RSS_MIB, f"peak RSS {run.max_rss_mib:.0f} MiB"


def test_every_harness_has_seeds_from_the_samples() -> None:
    for harness in HARNESSES:
        seeds = SEEDS[harness]()
        assert seeds and all(isinstance(data, bytes) and data for data in seeds.values()), harness
