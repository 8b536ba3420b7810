"""The `exhibit` and `notice` commands, as plain functions typed for typer (cli.py registers them).

They read a saved report, never analyse anything, and turn every ClonedetectError into one line on stderr
and exit code 2, whichever way they are registered.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from clonedetect.cli_common import EXIT_NO_CLONE, DebugOption, guarded
from clonedetect.errors import InputError, UsageError
from clonedetect.filehash import file_sha256
from clonedetect.report.html import (
    ExhibitFiles,
    check_report,
    report_sha256,
    write_exhibit,
)
from clonedetect.report.labels import Lang
from clonedetect.report.notice import MissingFieldsError, NoticeRequest, missing_fields, write_notice

MAX_REPORT_BYTES = 256 * 1024 * 1024  # a report with thumbnails is a few MB; this bounds a hostile file
REPORT_SHA_META = b'<meta name="clonedetect-report-sha256" content="'


def exhibit_command(
    report_json: Annotated[
        Path, typer.Argument(help="A report written by `compare --json`.", show_default=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the HTML exhibit.")],
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also write an A4 PDF (needs Chromium).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.EN,
    debug: DebugOption = False,
) -> None:
    """Render the court exhibit of a saved report; nothing is re-analysed.

    Example: clonedetect exhibit report.json -o exhibit.html --pdf exhibit.pdf --lang zh
    """

    def work() -> int:
        report, report_file_sha = load_report(report_json)
        _say_written(write_exhibit(report, output, pdf, lang, report_file_sha256=report_file_sha))
        return EXIT_NO_CLONE

    raise typer.Exit(guarded(work, debug=debug))


def notice_command(
    report_json: Annotated[
        Path, typer.Argument(help="A report written by `compare --json`.", show_default=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the notice (Markdown).")],
    holder: Annotated[str, typer.Option("--holder", help="The rights holder's name.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="E-mail, phone or address of the holder.")] = "",
    ownership: Annotated[
        list[str] | None, typer.Option("--ownership", help="Proof of ownership (repeatable).")
    ] = None,
    to: Annotated[str, typer.Option("--to", help="The recipient, e.g. the hosting provider.")] = "",
    url: Annotated[list[str] | None, typer.Option("--url", help="Download address (repeatable).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the notice.")] = Lang.EN,
    exhibit: Annotated[
        Path | None,
        typer.Option(
            "--exhibit",
            help="The exhibit to attach: an existing file, or where to write it (.pdf or .html). "
            "Default: <output>-exhibit.html beside the notice.",
        ),
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the notice as HTML.")] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also write the notice as PDF (needs Chromium).")
    ] = None,
    date_: Annotated[
        str, typer.Option("--date", help="Date on the letter, YYYY-MM-DD. Default: today (UTC).")
    ] = "",
    debug: DebugOption = False,
) -> None:
    """Write a notice-and-takedown letter for the suspect of a saved report, with the exhibit attached.

    Example: clonedetect notice report.json --holder "Example Games Ltd" --contact legal@example.com
    --ownership "software copyright registration 2015SR000000" --url https://dl.example.net/x.apk -o notice.md
    """

    def work() -> int:
        report, report_file_sha = load_report(report_json)
        request = NoticeRequest(
            holder=holder,
            contact=contact,
            ownership=tuple(ownership or ()),
            date=letter_date(date_),
            recipient=to,
            urls=tuple(url or ()),
            lang=lang,
        )
        missing = missing_fields(report, request)
        if missing:  # before anything is written: an invalid notice leaves no exhibit behind either
            raise MissingFieldsError(missing)
        attached = attach_exhibit(report, exhibit or default_exhibit_path(output), lang, report_file_sha)
        write_notice(report, request, attached, output, html, pdf)
        typer.echo(f"notice: {output}")
        _say_written(attached)
        return EXIT_NO_CLONE

    raise typer.Exit(guarded(work, debug=debug))


def load_report(path: Path) -> tuple[dict[str, Any], str]:
    """The report dict and the SHA-256 of the file it came from; InputError for anything unusable."""
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            raise InputError(f"{path}: {size} bytes is too large for a report (limit {MAX_REPORT_BYTES})")
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        report = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InputError(f"{path}: not a JSON report: {str(error)[:200]}") from None
    if not isinstance(report, dict):
        raise InputError(f"{path}: not a JSON report object")
    try:
        check_report(report)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None
    return report, file_sha256(path)


def attach_exhibit(report: dict[str, Any], path: Path, lang: Lang, report_file_sha: str) -> ExhibitFiles:
    """An existing exhibit is attached as it is (an HTML one must name this report's SHA-256); otherwise it is
    written from the report, as PDF when the name ends in .pdf, else HTML."""
    sha = report_sha256(report)
    if path.exists():
        if not path.is_file():
            raise UsageError(f"--exhibit {path} is not a file")
        if path.suffix.lower() == ".pdf":
            return ExhibitFiles(sha, pdf=path, pdf_sha256=file_sha256(path))
        head = path.read_bytes()[:8192]
        if REPORT_SHA_META + sha.encode("ascii") not in head:
            raise UsageError(f"--exhibit {path} was not made from this report (its report SHA-256 differs)")
        return ExhibitFiles(sha, html=path, html_sha256=file_sha256(path))
    if path.suffix.lower() == ".pdf":
        return write_exhibit(report, None, path, lang, report_file_sha256=report_file_sha)
    return write_exhibit(report, path, None, lang, report_file_sha256=report_file_sha)


def default_exhibit_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}-exhibit.html")


def letter_date(given: str) -> str:
    """The date printed on the letter: the one given, checked, or today's UTC date (the only clock read
    here; tests and reproducible runs pass --date)."""
    if not given:
        return datetime.now(UTC).date().isoformat()
    try:
        return date.fromisoformat(given).isoformat()
    except ValueError:
        raise UsageError(f"--date needs YYYY-MM-DD, got {given!r}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _say_written(files: ExhibitFiles) -> None:
    for path, digest in ((files.html, files.html_sha256), (files.pdf, files.pdf_sha256)):
        if path is not None:
            typer.echo(f"exhibit: {path} ({path.stat().st_size:,} bytes, sha256 {digest})")
    typer.echo(f"report sha256: {files.report_sha256}")
