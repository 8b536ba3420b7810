"""Fixtures of the hostile-input tests: a sandbox per run and a folder for the inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile.runner import Sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    """A fresh working folder, HOME and TMPDIR for one command-line run."""
    return Sandbox.create(tmp_path / "run")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return folder
