"""The command line: parse arguments -> Settings -> clonedetect.pipeline -> report. No analysis here.

Exit codes are part of the contract (CI jobs branch on them): 0 no clone, 1 clone, 2 unusable input, bad
usage or an internal error, 130 interrupted. Exit 2 for an internal error is deliberate: a crash has not
shown that the suspect is innocent (0) nor that it is a clone (1). Every failure is ONE line on stderr,
'clonedetect: error: <message>'; the traceback appears only with --debug.
"""

from __future__ import annotations

import importlib
import io
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Annotated, NoReturn

import typer

from clonedetect import __version__
from clonedetect.cache import ReportRun, analyse_cached, default_cache_dir, report_cached, report_of
from clonedetect.cli_common import (
    EXIT_CLONE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NO_CLONE,
    PROG,
    STDOUT,
    DebugOption,
    Invocation,
    JobsOption,
    LimitOption,
    StoreOption,
    build_settings,
    existing_input,
    fail,
    guarded,
    invocation_argv,
    write_text,
)
from clonedetect.cli_exhibit import exhibit_command, notice_command
from clonedetect.cli_store import baseline_app, scan_command
from clonedetect.errors import UsageError
from clonedetect.gc_tuning import collect_less_often
from clonedetect.report import build_inspection, render_json, utc_timestamp
from clonedetect.report.console import make_console, render_console, render_inspection, render_timings
from clonedetect.report.labels import Lang
from clonedetect.settings import Settings, Thresholds

# --timings: what compare does after comparing (build, render and write the report, exhibit and console)
REPORT_STAGE = "report"
# compare's default --jobs: the CPUs this process may use (a container's CPU set, not the machine's)
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

app = typer.Typer(
    name=PROG,
    epilog="Example: clonedetect compare my-game.apk suspect.apk --json report.json",
    add_completion=False,
    rich_markup_mode=None,  # plain help: identical in a terminal and in a CI log
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        print(f"{PROG} {__version__}")
        raise typer.Exit(EXIT_NO_CLONE)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Tell, with evidence, whether a suspect mobile game package is a clone of your own.

    Exit codes: 0 no clone, 1 clone, 2 unusable input, bad usage or internal error.
    """


@app.command(
    epilog="Examples: clonedetect compare original.apk suspect.apk --json report.json ; "
    "clonedetect compare original.ipa knockoff.ipa -q --threshold 0.6 ; "
    'clonedetect compare "Legend of Dragons" suspect.apk --html exhibit.html --pdf exhibit.pdf --lang zh',
)
def compare(
    ctx: typer.Context,
    original: Annotated[Path, typer.Argument(metavar="ORIGINAL", help="Your own package (the baseline).")],
    suspect: Annotated[Path, typer.Argument(metavar="SUSPECT", help="The package suspected of copying it.")],
    json_file: Annotated[
        str | None,
        typer.Option("--json", metavar="FILE", help="Write the JSON report to FILE ('-': stdout)."),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Verdict score (0..1) at or above which it is a clone.")
    ] = Thresholds().clone,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the verdict line.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print every warning and difference.")
    ] = False,
    timings: Annotated[bool, typer.Option("--timings", help="Print the time each stage took.")] = False,
    reproducible: Annotated[
        bool, typer.Option("--reproducible", help="Pin the report timestamp so runs are byte-identical.")
    ] = False,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Write the court exhibit as HTML.")
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", metavar="FILE", help="Write the exhibit as A4 PDF (Chromium).")
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the exhibit's labels.")] = Lang.EN,
    store: StoreOption = None,
    jobs: JobsOption = CPUS,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Analyse both inputs afresh, not from the cache $CLONEDETECT_CACHE names."
        ),
    ] = False,
    limit: LimitOption = None,
    debug: DebugOption = False,
) -> None:
    """Compare a SUSPECT package with your ORIGINAL: APK, APKS/XAPK, IPA, a folder or a store listing,
    or the NAME of a baseline registered with `clonedetect baseline add`.

    Exit code 0: no clone, 1: clone, 2: unusable input, bad usage or internal error.
    """

    def work() -> int:
        if quiet and verbose:
            raise UsageError("--quiet and --verbose cannot be used together")
        settings = build_settings(
            threshold=threshold, limits=limit or [], jobs=jobs, reproducible=reproducible
        )
        registered = _registered_store(original, store)
        suspect_path = existing_input(suspect)
        if json_file is not None:
            _refuse_overwriting_inputs(json_file, (original, suspect_path))
        cache_dir = None if no_cache else default_cache_dir()
        command = [PROG, *invocation_argv(ctx)]
        run = _report_with(original, registered, suspect_path, settings, cache_dir, command)
        report = run.report
        started = time.perf_counter()
        if json_file is not None:
            write_text(json_file, render_json(report))
        if html is not None or pdf is not None:
            from clonedetect.report.html import write_exhibit  # the exhibit writer (and PDF): on use

            write_exhibit(report, html, pdf, lang)
        # With the JSON on stdout, the human-readable view goes to stderr so `| jq` keeps working.
        console = make_console(stderr=json_file == STDOUT)
        render_console(report, console, quiet=quiet, verbose=verbose)
        if timings and not quiet:
            # the report stage: building the report, writing it, the exhibit and the console view above
            reported = (REPORT_STAGE, run.built + time.perf_counter() - started)
            render_timings((*run.timings, reported), console)
        return EXIT_CLONE if report["verdict"]["clone"] else EXIT_NO_CLONE

    raise typer.Exit(guarded(work, debug=debug))


@app.command(
    epilog="Examples: clonedetect inspect suspect.apk ; clonedetect inspect listing/ --json > facts.json",
)
def inspect(
    package: Annotated[
        Path, typer.Argument(metavar="PACKAGE", help="An APK, APKS/XAPK, IPA, folder or listing.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the inspection as JSON on stdout.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every warning.")] = False,
    jobs: JobsOption = 1,
    limit: LimitOption = None,
    debug: DebugOption = False,
) -> None:
    """Show what clonedetect sees in one PACKAGE: names, ids, signers, icons, images by role, strings per
    locale, data tables, server endpoints and SDKs, and warnings."""

    def work() -> int:
        settings = build_settings(
            threshold=Thresholds().clone, limits=limit or [], jobs=jobs, reproducible=False
        )
        analysis = _pipeline().analyse(existing_input(package), settings)
        inspection = build_inspection(analysis)
        if as_json:
            write_text(STDOUT, render_json(inspection))
        else:
            render_inspection(inspection, make_console(), verbose=verbose)
        return EXIT_NO_CLONE

    raise typer.Exit(guarded(work, debug=debug))


# Commands that live in their own modules; registered here so there is one app and one entry point.
app.command("scan")(scan_command)
app.add_typer(baseline_app, name="baseline")
app.command("exhibit")(exhibit_command)
app.command("notice")(notice_command)


def _registered_store(original: Path, store: Path | None) -> Path | None:
    """The store root when ORIGINAL is not a file but the name of a registered baseline, else None."""
    if original.exists():
        return None
    # imported here: the store pulls in NumPy and SQLite, which comparing two files never needs
    from clonedetect.store.baselines import is_registered, store_root

    root = store_root(store)
    if not is_registered(str(original), root):
        existing_input(original)  # the plain 'no such file' error
    return root


def _report_with(
    original: Path,
    registered: Path | None,
    suspect: Path,
    settings: Settings,
    cache_dir: Path | None,
    command: list[str],
) -> ReportRun:
    """File against file goes through the report and comparison caches (a hit imports neither the pipeline
    nor the store); against a registered baseline only the suspect's analysis is cached (see
    clonedetect.cache)."""
    generated_at = utc_timestamp()
    if registered is None:
        return report_cached(
            original, suspect, settings, cache_dir, command=command, generated_at=generated_at
        )
    from clonedetect.scan import compare_with_registered  # the pipeline and the store: NumPy, OpenCV

    comparison = compare_with_registered(
        registered, str(original), analyse_cached(suspect, settings, cache_dir), settings
    )
    return report_of(comparison, settings, command, generated_at)


def _refuse_overwriting_inputs(target: str, inputs: Sequence[Path]) -> None:
    if target == STDOUT:
        return
    destination = Path(target)
    for path in inputs:
        if destination.exists() and destination.resolve() == path.resolve():
            raise UsageError(f"--json {target} would overwrite the input {path}")


def _pipeline() -> ModuleType:
    # Imported on use, not at start-up: the pipeline pulls in OpenCV and NumPy, which --help, --version
    # and usage errors do not need.
    return importlib.import_module("clonedetect.pipeline")


def _tolerant_streams() -> None:
    """Never crash on printing: a CJK app name on a non-UTF-8 console becomes escapes, not an exception."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    _tolerant_streams()
    try:
        code = command.main(
            args=args, prog_name=PROG, standalone_mode=False, obj=Invocation(argv=tuple(args))
        )
    except typer.TyperException as error:
        # click's own usage errors (unknown option, missing argument): one line, and exit 2 whatever
        # click's default code is, because 1 would read as 'clone found'.
        context = getattr(error, "ctx", None)
        if context is not None and error.format_message() == context.get_help():
            # a command group given no command (`clonedetect baseline`): its help is the useful answer
            sys.stderr.write(context.get_help() + "\n")
            return EXIT_ERROR
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        fail(error.format_message() + hint)
        return EXIT_ERROR
    except typer.Abort:
        fail("aborted")
        return EXIT_INTERRUPTED
    return code if isinstance(code, int) else EXIT_NO_CLONE


def main() -> NoReturn:
    """The console-script entry point (`clonedetect`, `python -m clonedetect`)."""
    collect_less_often()
    sys.exit(run())
