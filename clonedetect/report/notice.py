"""The notice-and-takedown letter that goes with an exhibit: Markdown, and HTML/PDF like the exhibit.

In the judgment this project grew from, the server provider was held liable because it ignored a notice that
was valid: it named the rights holder and a contact, proved ownership, identified the infringing work and
where it was (the server's IP address). A notice here carries every one of those elements, plus what the law
asks the provider to do with it (remove or disconnect, forward to its customer, preserve and disclose the
customer's identity as the law allows), a good-faith accuracy statement and the exhibit as an attachment
named by its SHA-256. A notice missing a required element is refused (exit 2) with every missing field named,
because an incomplete notice can be ignored lawfully.

Like the exhibit, the notice is built from the report dict only; nothing is re-analysed.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from clonedetect.errors import UsageError
from clonedetect.report.html import (
    ENDPOINT_FIELDS,
    ExhibitFiles,
    SummaryRow,
    as_mapping,
    as_sequence,
    as_text,
    check_report,
    ordered_categories,
    ordered_differences,
    percent,
    report_sha256,
    shorten,
    size_text,
    summary_row,
    template_environment,
    visible,
    write_atomic,
)
from clonedetect.report.labels import Labels, Lang, labels_for

if TYPE_CHECKING:
    import jinja2  # a type only; html.template_environment() imports it when a notice is written

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_ENDPOINT_SPLIT = re.compile(r"[\s,;]+")
MAX_ENDPOINTS = 100
MAX_NOTICE_DIFFERENCES = 12  # the letter names the changes; the exhibit lists them all
# Markdown characters that could turn a value from a package into a link, an emphasis, a table cell or HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


class MissingFieldsError(UsageError):
    """The notice lacks elements that make it valid; `fields` names each one."""

    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__("a valid notice needs: " + "; ".join(fields))
        self.fields = tuple(fields)


@dataclass(frozen=True, slots=True)
class NoticeRequest:
    """What the rights holder supplies; the rest of the notice comes from the report."""

    holder: str
    contact: str
    ownership: tuple[str, ...]
    date: str  # as printed on the letter, e.g. '2024-05-02'
    recipient: str = ""
    urls: tuple[str, ...] = ()
    lang: Lang = Lang.EN


@dataclass(frozen=True, slots=True)
class Location:
    value: str
    host: str
    kind: str  # 'ip' when the host is an IP address, else 'host'
    where: str  # where in the package it was found; '' for a download address given with --url


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    value: str
    code: bool = False  # a hash or identifier, shown in a fixed-width font


@dataclass(frozen=True, slots=True)
class ChangeLine:
    label: str
    where: str
    baseline: str
    suspect: str


@dataclass(frozen=True, slots=True)
class Attachment:
    label: str
    name: str
    sha256: str


@dataclass(frozen=True, slots=True)
class NoticeView:
    lang: str
    labels: Labels
    title: str
    reference: str
    recipient: str
    holder: str
    contact: str
    ownership: tuple[str, ...]
    date: str
    original: tuple[Item, ...]
    infringing: tuple[Item, ...]
    urls: tuple[str, ...]
    endpoints: tuple[Location, ...]
    evidence_text: str
    verdict_line: str
    categories: tuple[SummaryRow, ...]
    changes: tuple[ChangeLine, ...]
    requests: tuple[str, ...]
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, slots=True)
class NoticeFiles:
    markdown: Path
    html: Path | None = None
    pdf: Path | None = None


# ---------------------------------------------------------------------------------------------- public API


def write_notice(
    report: Mapping[str, Any],
    request: NoticeRequest,
    exhibit: ExhibitFiles,
    markdown_path: Path,
    html_path: Path | None = None,
    pdf_path: Path | None = None,
) -> NoticeFiles:
    """Check the notice is complete, then write it as Markdown (and HTML/PDF when asked)."""
    view = build_notice_view(report, request, exhibit)
    write_atomic(markdown_path, render_notice_markdown(view).encode("utf-8"))
    page = render_notice_html(view)
    if html_path is not None:
        write_atomic(html_path, page.encode("utf-8"))
    if pdf_path is not None:
        import tempfile

        from clonedetect.report.pdf import print_pdf  # Chromium only when a PDF is asked for

        with tempfile.TemporaryDirectory(prefix="clonedetect-notice-") as work:
            source = Path(work) / "notice.html"
            source.write_text(page, encoding="utf-8")
            write_atomic(pdf_path, print_pdf(source, pinned_time=f"{request.date}T00:00:00Z"))
    return NoticeFiles(markdown_path, html_path, pdf_path)


def missing_fields(report: Mapping[str, Any], request: NoticeRequest) -> list[str]:
    """Every element a valid notice needs and does not have, named as the user can supply it."""
    missing: list[str] = []
    if not request.holder.strip():
        missing.append("--holder (the rights holder's name)")
    if not request.contact.strip():
        missing.append("--contact (how the provider reaches the rights holder)")
    if not any(item.strip() for item in request.ownership):
        missing.append("--ownership (proof of ownership, e.g. a copyright registration number)")
    suspect = as_mapping(report.get("suspect"))
    if not SHA256_HEX.fullmatch(as_text(suspect.get("sha256"))):
        missing.append("suspect.sha256 in the report (the infringing package's SHA-256)")
    if not (as_text(suspect.get("package_id")) or as_text(suspect.get("path"))):
        missing.append("suspect.package_id or suspect.path in the report (which package infringes)")
    if not any(url.strip() for url in request.urls) and not suspect_endpoints(report):
        missing.append("--url (where the infringing work is: the report names no server of the suspect)")
    return missing


def build_notice_view(report: Mapping[str, Any], request: NoticeRequest, exhibit: ExhibitFiles) -> NoticeView:
    check_report(report)
    missing = missing_fields(report, request)
    if missing:
        raise MissingFieldsError(missing)
    labels = labels_for(request.lang)
    baseline, suspect = as_mapping(report.get("baseline")), as_mapping(report.get("suspect"))
    verdict, tool = as_mapping(report.get("verdict")), as_mapping(report.get("tool"))
    changes = [d for d in ordered_differences(report) if as_text(d.get("field")) not in ENDPOINT_FIELDS]
    sha = report_sha256(report)
    attachments = [
        Attachment(labels["notice_attachment_exhibit"], path.name, digest)
        for path, digest in ((exhibit.html, exhibit.html_sha256), (exhibit.pdf, exhibit.pdf_sha256))
        if path is not None
    ]
    return NoticeView(
        lang=labels.lang.value,
        labels=labels,
        title=labels["notice_title"],
        reference=sha[:16].upper(),
        recipient=request.recipient.strip() or labels["notice_default_recipient"],
        holder=request.holder.strip(),
        contact=request.contact.strip(),
        ownership=tuple(item.strip() for item in request.ownership if item.strip()),
        date=request.date,
        original=_package_items(baseline, labels),
        infringing=_package_items(suspect, labels),
        urls=tuple(url.strip() for url in request.urls if url.strip()),
        endpoints=tuple(suspect_endpoints(report)),
        evidence_text=labels["notice_evidence_text"].format(
            tool=as_text(tool.get("name")), version=as_text(tool.get("version"))
        ),
        verdict_line=(labels["verdict_clone"] if verdict.get("clone") else labels["verdict_not_clone"])
        + " — "
        + labels["verdict_line"].format(
            score=percent(verdict.get("score")), threshold=percent(verdict.get("threshold"))
        ),
        categories=tuple(summary_row(name, body, labels) for name, body in ordered_categories(report)),
        changes=tuple(_change_line(d, labels) for d in changes[:MAX_NOTICE_DIFFERENCES]),
        requests=(
            labels["notice_request_remove"],
            labels["notice_request_forward"],
            labels["notice_request_preserve"],
            labels["notice_request_confirm"],
        ),
        attachments=(*attachments, Attachment(labels["notice_attachment_report"], "", sha)),
    )


def suspect_endpoints(report: Mapping[str, Any]) -> list[Location]:
    """The suspect's own server addresses: the suspect side of endpoint differences, plus a `endpoints` list
    on the suspect package if the report has one. The original's servers are never named: they are the
    rights holder's own."""
    found: dict[str, Location] = {}
    suspect = as_mapping(report.get("suspect"))
    baseline_side: set[str] = set()
    for difference in ordered_differences(report):
        if as_text(difference.get("field")) not in ENDPOINT_FIELDS:
            continue
        baseline_side.update(_ENDPOINT_SPLIT.split(as_text(difference.get("baseline"))))
        for value in _ENDPOINT_SPLIT.split(as_text(difference.get("suspect"))):
            _add_location(found, value, as_text(difference.get("where")))
    for value in as_sequence(suspect.get("endpoints")):
        _add_location(found, as_text(value), "")
    locations = [found[key] for key in sorted(found) if key not in baseline_side]
    return locations[:MAX_ENDPOINTS]


def endpoint_host(value: str) -> tuple[str, str]:
    """(host, 'ip' | 'host') of a URL, 'host:port', '[v6]:port', bare IP or host name; ('', '') if none."""
    candidate = value if "://" in value else "//" + value
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        return ("", "")
    if not host:
        return ("", "")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return (host, "host")
    return (host, "ip")


def render_notice_markdown(view: NoticeView) -> str:
    return markdown_environment().get_template("notice.md.j2").render(view=view, L=view.labels)


def render_notice_html(view: NoticeView) -> str:
    return template_environment().get_template("notice.html").render(view=view, L=view.labels)


def markdown_environment() -> jinja2.Environment:
    """The template environment for Markdown: every {{ value }} passes through markdown_text unless a filter
    already made it safe, the way HTML autoescaping works, so no template line can forget it."""
    environment = template_environment()
    environment.finalize = _markdown_finalize
    environment.filters["code"] = markdown_code
    return environment


def markdown_text(value: str) -> Markup:
    """A value from a package or the command line, safe inside Markdown: special characters backslash-escaped
    and line breaks shown as ↵ (visible), so it cannot become a link, an image, emphasis, HTML, a heading
    or a table cell."""
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", visible(value)))


def markdown_code(value: str) -> Markup:
    """An identifier or hash as a code span (literal text); one holding a backtick is escaped text instead."""
    shown = visible(value)
    return Markup(f"`{shown}`") if shown.strip() and "`" not in shown else markdown_text(value)


def _markdown_finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    return markdown_text(as_text(value))


# ------------------------------------------------------------------------------------------ view building


def _add_location(found: dict[str, Location], raw: str, where: str) -> None:
    value = raw.strip()
    if not value:
        return
    host, kind = endpoint_host(value)
    if host and value not in found:
        found[value] = Location(
            shorten(visible(value), 300), visible(host), kind, shorten(visible(where), 200)
        )


def _package_items(package: Mapping[str, Any], labels: Labels) -> tuple[Item, ...]:
    signers = [as_text(as_mapping(s).get("sha256")) for s in as_sequence(package.get("signers"))]
    version = as_text(package.get("version"))
    code = as_text(package.get("version_code"))
    items = [
        Item(labels["notice_app"], shorten(visible(as_text(package.get("app_name"))), 200)),
        Item(labels["app_id"], shorten(visible(as_text(package.get("package_id"))), 200), code=True),
        Item(labels["version"], f"{version} ({code})" if version and code else version or code),
        Item(labels["notice_file"], shorten(visible(as_text(package.get("path"))), 200), code=True),
        Item(labels["format"], labels.format(as_text(package.get("format")))),
        Item(labels["size"], size_text(package.get("size"), labels)),
        Item(labels["sha256"], as_text(package.get("sha256")), code=True),
        *(Item(labels["signers"], visible(digest), code=True) for digest in signers if digest),
    ]
    return tuple(item for item in items if item.value)


def _change_line(difference: Mapping[str, Any], labels: Labels) -> ChangeLine:
    absent = labels["absent"]
    return ChangeLine(
        label=labels.field(as_text(difference.get("field"))),
        where=shorten(visible(as_text(difference.get("where"))), 120),
        baseline=shorten(visible(as_text(difference.get("baseline"))), 120) or absent,
        suspect=shorten(visible(as_text(difference.get("suspect"))), 120) or absent,
    )
