"""The `baseline` command group and the `scan` command (cli.py registers both). Arguments -> Settings ->
clonedetect.store / clonedetect.scan -> output; nothing is analysed here.

Every failure is one line on stderr and exit code 2, through cli_common.guarded, like every other command.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from clonedetect.cli_common import (
    STDOUT,
    DebugOption,
    LimitOption,
    StoreOption,
    build_settings,
    existing_input,
    guarded,
    invocation_argv,
    write_text,
)
from clonedetect.errors import UsageError
from clonedetect.model import Analysis, AssetKind, Category
from clonedetect.report import render_json, utc_timestamp
from clonedetect.report.console import make_console, printable
from clonedetect.report.junit import render_junit
from clonedetect.settings import Settings, Thresholds

baseline_app = typer.Typer(
    name="baseline",
    help="Register your own games once (the baselines that `scan` searches).",
    epilog="Example: clonedetect baseline add my-game.apk --name 'Legend of Dragons' --owner 'Example Games'",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
EXIT_OK = 0


def _settings(limit: list[str] | None, jobs: int | None, threshold: float = Thresholds().clone) -> Settings:
    return build_settings(
        threshold=threshold, limits=limit or [], jobs=jobs or os.cpu_count() or 1, reproducible=True
    )


def _exit(work: Callable[[], int], debug: bool) -> None:
    raise typer.Exit(guarded(work, debug=debug))


def _render_json_list(reports: Sequence[dict[str, Any]]) -> str:
    """render_json's exact format, for the list `scan --json` writes."""
    return json.dumps(list(reports), sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# --------------------------------------------------------------------------------------------------------
# baseline add / list / show / remove / export / import


@baseline_app.command(
    "add",
    epilog="Examples: clonedetect baseline add game.apk game.ipa --name 'Legend of Dragons' --owner 'Example "
    "Games Ltd' --rights 'software copyright reg. 2015SR000000' ; clonedetect baseline add unity-splash/ "
    "--name 'Unity splash' --common",
)
def add_command(
    packages: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PACKAGE...", help="APK, APKS/XAPK, IPA or folder of the game.", show_default=False
        ),
    ] = None,
    name: Annotated[
        str, typer.Option("--name", help="The game's name; adding to an existing name adds to it.")
    ] = "",
    owner: Annotated[str, typer.Option("--owner", help="The rights holder.")] = "",
    rights: Annotated[
        str, typer.Option("--rights", help="Rights statement, e.g. a registration number.")
    ] = "",
    contact: Annotated[str, typer.Option("--contact", help="Who to contact about the rights.")] = "",
    labels: Annotated[
        Path | None,
        typer.Option("--labels", metavar="FILE", help="TOML of glob = category overrides ([labels] table)."),
    ] = None,
    screenshots: Annotated[
        Path | None,
        typer.Option("--screenshots", metavar="DIR", help="A folder of screenshots (counted as ui)."),
    ] = None,
    listing: Annotated[
        Path | None, typer.Option("--listing", metavar="DIR", help="The game's store listing folder.")
    ] = None,
    common: Annotated[
        bool, typer.Option("--common", help="A pack of common assets (engine, SDK, UI kit), not a game.")
    ] = False,
    store: StoreOption = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", metavar="N", help="Worker processes for fingerprinting.")
    ] = 1,
    limit: LimitOption = None,
    debug: DebugOption = False,
) -> None:
    """Register a game's packages (with screenshots or a listing) as one baseline, or a --common pack."""

    def work() -> int:
        from clonedetect.pipeline import analyse
        from clonedetect.store import BaselineMetadata, BaselineStore, read_labels_file, store_root

        if not name.strip():
            raise UsageError("--name is required: the name the baseline is registered under")
        inputs = [existing_input(p) for p in packages or []]
        extra = [existing_input(p) for p in (screenshots, listing) if p is not None]
        if not inputs and not extra:
            raise UsageError("give at least one PACKAGE, --screenshots DIR or --listing DIR")
        settings = _settings(limit, jobs)
        metadata = BaselineMetadata(
            name=name.strip(),
            owner=owner,
            rights=rights,
            contact=contact,
            common=common,
            labels=read_labels_file(labels) if labels is not None else (),
        )
        analyses = [analyse(path, settings) for path in inputs]
        if listing is not None:
            analyses.append(analyse(listing, settings))
        if screenshots is not None:
            analyses.append(as_screenshots(analyse(screenshots, settings)))
        with BaselineStore(store_root(store), create=True) as opened:
            result = opened.add(metadata, analyses)
        kind = "common-asset pack" if common else "baseline"
        assets = sum(len(a.prints) for a in analyses if a.package.sha256 in result.added)
        print(
            f"{kind} {printable(result.baseline.name)!r}: added {len(result.added)} package(s) with "
            f"{assets} assets, {len(result.skipped)} already registered; "
            f"{len(result.baseline.packages)} package(s) in {printable(store_root(store))}"
        )
        return EXIT_OK

    _exit(work, debug)


def as_screenshots(analysis: Analysis) -> Analysis:
    """Screenshots are UI evidence whatever their file names say."""
    prints = tuple(
        replace(p, asset=replace(p.asset, category=Category.UI, found_by=f"{p.asset.found_by}+screenshots"))
        if p.asset.kind is AssetKind.IMAGE
        else p
        for p in analysis.prints
    )
    return replace(analysis, prints=prints)


@baseline_app.command("list", epilog="Example: clonedetect baseline list --store /data/baselines")
def list_command(store: StoreOption = None, as_json: JsonFlag = False, debug: DebugOption = False) -> None:
    """List the registered baselines and common-asset packs."""

    def work() -> int:
        from clonedetect.store import BaselineStore, store_root

        with BaselineStore(store_root(store)) as opened:
            infos = opened.baselines()
        if as_json:
            write_text(STDOUT, render_json({"baselines": [_info_dict(i) for i in infos]}))
            return EXIT_OK
        table = _table("Baselines", "name", "kind", "packages", "assets", "owner")
        for info in infos:
            table.add_row(
                *(
                    Text(printable(value))
                    for value in (
                        info.name,
                        "common pack" if info.common else "game",
                        len(info.packages),
                        sum(p.prints for p in info.packages),
                        info.metadata.owner,
                    )
                )
            )
        make_console().print(table if infos else Text("No baselines registered."))
        return EXIT_OK

    _exit(work, debug)


@baseline_app.command("show", epilog="Example: clonedetect baseline show 'Legend of Dragons'")
def show_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The baseline's registered name.")],
    store: StoreOption = None,
    as_json: JsonFlag = False,
    debug: DebugOption = False,
) -> None:
    """Show one baseline: rights metadata, packages, assets per category, label overrides."""

    def work() -> int:
        from clonedetect.store import BaselineStore, store_root

        with BaselineStore(store_root(store)) as opened:
            info = opened.get(name)
            folder = opened.root / info.folder
        if as_json:
            write_text(STDOUT, render_json(_info_dict(info)))
            return EXIT_OK
        console = make_console()
        meta = _table(f"Baseline {printable(info.name)}", "field", "value")
        for field_name in ("owner", "rights", "contact"):
            meta.add_row(field_name, Text(printable(getattr(info.metadata, field_name))))
        meta.add_row("kind", "common-asset pack" if info.common else "game")
        meta.add_row("folder", Text(printable(folder)))
        console.print(meta)
        packages = _table(
            "Packages", "file", "format", "app name", "package id", "version", "assets", "sha256"
        )
        for p in info.packages:
            packages.add_row(
                *(
                    Text(printable(v))
                    for v in (p.source, p.format, p.app_name, p.package_id, p.version_name, p.prints)
                ),
                Text(p.sha256[:16]),
            )
        console.print(packages)
        categories = _table("Assets per category", "category", "assets")
        for category, count in info.categories:
            categories.add_row(category, str(count))
        console.print(categories)
        if info.metadata.labels:
            labels_table = _table("Label overrides", "glob", "category")
            for glob, category in info.metadata.labels:
                labels_table.add_row(Text(printable(glob)), category.value)
            console.print(labels_table)
        return EXIT_OK

    _exit(work, debug)


@baseline_app.command("remove", epilog="Example: clonedetect baseline remove 'Legend of Dragons'")
def remove_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The baseline's registered name.")],
    store: StoreOption = None,
    debug: DebugOption = False,
) -> None:
    """Remove a baseline, its packages, thumbnails and baseline.toml from the store."""

    def work() -> int:
        from clonedetect.store import BaselineStore, store_root

        with BaselineStore(store_root(store)) as opened:
            info = opened.remove(name)
        print(f"removed {printable(info.name)!r} ({len(info.packages)} package(s))")
        return EXIT_OK

    _exit(work, debug)


@baseline_app.command(
    "export", epilog="Example: clonedetect baseline export 'Legend of Dragons' -o lod.cdb.zip"
)
def export_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The baseline's registered name.")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", help="The file to write.")],
    store: StoreOption = None,
    debug: DebugOption = False,
) -> None:
    """Write one baseline (fingerprints, thumbnails, metadata; not the original packages) to one file."""

    def work() -> int:
        from clonedetect.store import BaselineStore, export_baseline, store_root

        with BaselineStore(store_root(store)) as opened:
            export_baseline(opened, name, output)
        print(f"exported {printable(name)!r} to {printable(output)}")
        return EXIT_OK

    _exit(work, debug)


@baseline_app.command(
    "import", epilog="Example: clonedetect baseline import lod.cdb.zip --store /data/baselines"
)
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file written by `baseline export`.")],
    name: Annotated[str, typer.Option("--name", help="Register under this name instead.")] = "",
    store: StoreOption = None,
    limit: LimitOption = None,
    debug: DebugOption = False,
) -> None:
    """Register a baseline exported from another store."""

    def work() -> int:
        from clonedetect.store import BaselineStore, import_baseline, store_root

        settings = _settings(limit, 1)
        with BaselineStore(store_root(store), create=True) as opened:
            result = import_baseline(opened, existing_input(file), settings.limits, name.strip() or None)
        print(f"imported {printable(result.baseline.name)!r} ({len(result.added)} package(s))")
        return EXIT_OK

    _exit(work, debug)


def _info_dict(info: Any) -> dict[str, Any]:
    from clonedetect.store.metadata import metadata_dict

    return {
        **metadata_dict(info.metadata),
        "folder": info.folder,
        "packages": [
            {
                "source": p.source,
                "sha256": p.sha256,
                "format": p.format,
                "app_name": p.app_name,
                "package_id": p.package_id,
                "version": p.version_name,
                "assets": p.prints,
            }
            for p in info.packages
        ],
        "categories": dict(info.categories),
    }


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


# --------------------------------------------------------------------------------------------------------
# scan


def scan_command(
    ctx: typer.Context,
    suspects: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="SUSPECT...",
            help="Packages, or folders of packages (a folder that is itself an unpacked game or a listing "
            "counts as one suspect).",
            show_default=False,
        ),
    ] = None,
    list_file: Annotated[
        list[Path] | None,
        typer.Option("--list", metavar="FILE", help="A file of suspect paths, one per line (repeatable)."),
    ] = None,
    store: StoreOption = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Verdict score (0..1) at or above which it is a clone.")
    ] = Thresholds().clone,
    top: Annotated[int, typer.Option("--top", help="Baselines compared in full per suspect.")] = 3,
    json_file: Annotated[
        str | None,
        typer.Option("--json", metavar="FILE", help="Write the reports (a JSON list) to FILE ('-': stdout)."),
    ] = None,
    junit_file: Annotated[
        str | None,
        typer.Option("--junit", metavar="FILE", help="Write JUnit XML (one test case per suspect)."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", metavar="N", help="Worker processes (default: the cores).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="One line per suspect.")] = False,
    reproducible: Annotated[
        bool, typer.Option("--reproducible", help="Pin the report timestamp so runs are byte-identical.")
    ] = False,
    limit: LimitOption = None,
    debug: DebugOption = False,
) -> None:
    """Scan SUSPECT... against every registered baseline: rank them through the indexes, compare the best
    in full. Exit code 0: no clone, 1: a clone among the suspects, 2: a suspect could not be checked or bad
    usage.

    Example: clonedetect scan downloads/ --junit scan.xml --json scan.json
    """

    def work() -> int:
        from clonedetect.scan import ScanOptions, collect_suspects, scan, scan_reports
        from clonedetect.store import store_root

        settings = replace(_settings(limit, jobs, threshold), reproducible=reproducible)
        paths = collect_suspects(suspects or [], list_file or [])
        for target in (json_file, junit_file):
            if target is not None and target != STDOUT and Path(target) in paths:
                raise UsageError(f"{target} would overwrite a suspect")
        console = make_console(stderr=json_file == STDOUT)
        options = ScanOptions(store=store_root(store), top=top, jobs=settings.jobs)
        with _ScanProgress(console, len(paths), quiet) as progress:
            result = scan(paths, settings, options, progress)
        reports = scan_reports(
            result, settings, command=["clonedetect", *invocation_argv(ctx)], generated_at=utc_timestamp()
        )
        if json_file is not None:
            write_text(json_file, _render_json_list(reports))
        if junit_file is not None:
            write_text(junit_file, render_junit(reports))
        render_scan(reports, console, quiet=quiet, cached=[r.cached for r in result.results])
        return result.exit_code

    _exit(work, debug)


class _ScanProgress:
    """A rich progress bar (counts and ETA) on a terminal; one plain line per suspect in a CI log."""

    def __init__(self, console: Console, total: int, quiet: bool) -> None:
        self.console = console
        self.total = total
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: Any = None

    def __enter__(self) -> Any:
        if self.console.is_terminal and not self.quiet:
            self.bar = Progress(
                TextColumn("scanning"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.__enter__()
            self.task = self.bar.add_task("scan", total=self.total)
        return self.update

    def update(self, result: Any, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done)
        elif not self.quiet:
            state = "error" if result.error else ("CLONE" if result.clone else "ok")
            # one unwrapped line per suspect, so a CI log can be grepped
            line = f"[{done}/{total}] {printable(result.path)}: {state} ({result.seconds:.1f} s)"
            self.console.print(Text(line), soft_wrap=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def render_scan(
    reports: Sequence[dict[str, Any]], console: Console, *, quiet: bool = False, cached: Sequence[bool] = ()
) -> None:
    """One verdict line per suspect and, unless quiet, its table of compared baselines; then a summary."""
    for position, report in enumerate(reports):
        line = _suspect_line(report, cached[position] if position < len(cached) else False)
        console.print(Text(line), soft_wrap=True)
        if quiet or report.get("error"):
            continue
        candidates = [c for c in report["scan"]["candidates"] if c["verdict_score"] is not None]
        if not candidates:
            continue
        table = _table("", "rank", "baseline", "index", "verdict", "clone")
        for candidate in candidates:
            table.add_row(
                str(candidate["rank"]),
                Text(printable(candidate["baseline"])),
                f"{candidate['estimate']:.2f}",
                f"{candidate['verdict_score']:.2f}",
                "yes" if candidate["clone"] else "no",
            )
        console.print(table)
        categories = _table("", "category", "score", "matched", "finding")
        for category, entry in report["categories"].items():
            categories.add_row(
                category,
                f"{entry['score']:.2f}",
                f"{entry['matched']}/{entry['baseline_assets']}",
                entry["finding"],
            )
        console.print(categories)
    clones = sum(1 for r in reports if not r.get("error") and r["verdict"]["clone"])
    errors = sum(1 for r in reports if r.get("error"))
    console.print(Text(f"{len(reports)} suspect(s): {clones} clone(s), {errors} could not be checked."))


def _suspect_line(report: dict[str, Any], cached: bool) -> str:
    name = printable(report["scan"]["input"])
    if report.get("error"):
        return f"{name}: ERROR {printable(report['error'])}"
    verdict = report["verdict"]
    baseline = report["scan"].get("baseline_name")
    where = f" of {printable(baseline)!r}" if baseline else ""
    label, relation = ("CLONE", ">=") if verdict["clone"] else ("not a clone", "<")
    suffix = " (cached analysis)" if cached else ""
    return (
        f"{name}: {label}{where}: score {verdict['score']:.2f} {relation} threshold "
        f"{verdict['threshold']:.2f}{suffix}"
    )
