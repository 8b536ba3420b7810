"""What every command shares: exit codes, common options, Settings from the command line, the one-line
error contract and safe output writing. The command modules (cli, cli_store, cli_exhibit) import this, so none
of them needs to import another."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer

from clonedetect.errors import ClonedetectError, InputError, UsageError
from clonedetect.report.console import printable
from clonedetect.settings import Limits, Settings, Thresholds, limits_from_env, parse_limit

PROG = "clonedetect"
EXIT_NO_CLONE = 0
EXIT_CLONE = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
STDOUT = "-"


@dataclass(frozen=True, slots=True)
class Invocation:
    """The argv of this run, recorded in the report's `command` field."""

    argv: tuple[str, ...]


def invocation_argv(ctx: typer.Context) -> tuple[str, ...]:
    """The arguments this command was run with (sys.argv's when not started through cli.run)."""
    invocation = ctx.find_root().obj
    return invocation.argv if isinstance(invocation, Invocation) else tuple(sys.argv[1:])


LimitOption = Annotated[
    list[str] | None,
    typer.Option(
        "--limit",
        metavar="NAME=VALUE",
        help="Override a safety limit, e.g. --limit max_pixels=16000000 (repeatable; also "
        "CLONEDETECT_LIMIT_<NAME> variables).",
    ),
]
JobsOption = Annotated[
    int, typer.Option("--jobs", "-j", metavar="N", help="Worker processes for fingerprinting.")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store", metavar="DIR", help="Baseline store (default $CLONEDETECT_STORE or ./baselines)."
    ),
]


def build_settings(
    *,
    threshold: float,
    limits: Sequence[str],
    jobs: int,
    reproducible: bool,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Settings from command-line values; CLONEDETECT_LIMIT_* variables first, --limit overrides them."""
    if not (math.isfinite(threshold) and 0.0 <= threshold <= 1.0):
        raise UsageError(f"--threshold must be between 0 and 1, got {threshold}")
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    base = limits_from_env(Limits(), environ)
    changes: dict[str, int | float] = {}
    for item in limits:
        name, separator, raw = item.partition("=")
        if not separator:
            raise UsageError(f"--limit needs NAME=VALUE, got {item!r}")
        key = name.strip().lower().replace("-", "_")
        changes[key] = parse_limit(key, raw.strip())
    return Settings(
        limits=replace(base, **changes),
        thresholds=replace(Thresholds(), clone=threshold),
        jobs=jobs,
        reproducible=reproducible,
    )


def existing_input(path: Path) -> Path:
    """Fail before any slow analysis when an input path is missing (the second one would otherwise be
    reported only after the first was analysed)."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    return path


def write_text(target: str, text: str) -> None:
    """Write `text` to stdout ('-') or atomically to a file: a reader never sees half a report."""
    if target == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    destination = Path(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        # mkstemp makes the file private (0600); a report is an ordinary file, so give it the usual mode.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, destination)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def guarded(work: Callable[[], int], *, debug: bool) -> int:
    """Run a command body; turn every failure into one stderr line and exit code 2."""
    try:
        return work()
    except BrokenPipeError:
        # The reader went away (`clonedetect inspect x | head`): nothing more can be shown. Point stdout at
        # /dev/null so the interpreter's final flush does not fail a second time, and report no result.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        fail("output closed before the result was written (broken pipe)")
        return EXIT_ERROR
    except ClonedetectError as error:
        if debug:
            traceback.print_exc()
        fail(str(error))
    except OSError as error:  # an output path that cannot be written, a disk that is full: the user's to fix
        if debug:
            traceback.print_exc()
        fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))
    except Exception as error:  # an internal error: one line, not a traceback, unless --debug
        if debug:
            traceback.print_exc()
        fail(f"internal error: {type(error).__name__}: {error} (run with --debug for the traceback)")
    return EXIT_ERROR


def fail(message: str) -> None:
    """The one error line. The message may quote hostile file names: control characters are escaped and
    line breaks collapsed so it stays a single line."""
    sys.stderr.write(f"{PROG}: error: {printable(' '.join(message.split()), limit=1000)}\n")
    sys.stderr.flush()
