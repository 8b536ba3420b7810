"""The court exhibit: a schema_version 1 report dict -> one self-contained HTML file (and a PDF of it).

The report dict is the only input; nothing is re-analysed. A view builder turns the dict into small frozen
dataclasses (what each table row says, already translated and formatted), and a jinja2 template lays them
out, so the template holds no logic and no words of its own.

Everything shown comes from a pirate's package at some point (names, paths, strings), so: jinja2
autoescapes every value, nothing from the report becomes a link or a style, invisible and direction-changing
characters are shown as visible code points (a reader must see exactly what the package holds), long values
are cut with a count of what was cut, and each list has a cap with a count of what is not shown. Images
travel inline as data: URIs, and a Content-Security-Policy forbids the page from loading anything else.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import json
import os
import re
import shlex
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from markupsafe import Markup

from clonedetect.errors import InputError
from clonedetect.model import Category, CategoryScore
from clonedetect.report.access import as_mapping, as_number, as_sequence, as_text
from clonedetect.report.json_report import render_json
from clonedetect.report.labels import DIFFERENCE_ORDER, Labels, Lang, labels_for
from clonedetect.report.thumbnails import (
    IMAGE_CATEGORIES,
    MAX_IMAGE_PAIRS,
    ordered_categories,
    significant_matches,
)

# Re-exported: the exhibit's callers know these as part of the exhibit (they live where build_report reads
# them without importing the exhibit's renderer).
from clonedetect.report.thumbnails import encode_thumbnails as encode_thumbnails
from clonedetect.report.thumbnails import exhibit_thumbnail_keys as exhibit_thumbnail_keys

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"
SUPPORTED_SCHEMA = 1

# Caps on what one exhibit lists; every cap comes with a count of what it left out.
MAX_TEXT_PAIRS = 40
MAX_TABLE_PAIRS = 30
MAX_DIFFERENCES = 200
MAX_WARNINGS = 50
MAX_EVIDENCE_CHARS = 140
MAX_TEXT_CHARS = 240  # one shown string; the evidence is the report, the exhibit shows enough to read it
MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024  # a thumbnail is <= 128 px; anything this large is not one
SMALL_SPRITE_PX = 48  # thumbnails at most this big are scaled up with hard pixel edges, not blurred

TABLE_CATEGORIES = frozenset({"rules"})
TEXT_SECTION = ("text", "rules")  # section 3 of the exhibit; every other category is shown in section 2
# Differences about the package as a whole; every other difference is a changed value inside a table.
PACKAGE_FIELDS = frozenset(
    {"app_name", "package_id", "version", "version_code", "signer", "payment_sdk", "sdk"}
)
ENDPOINT_FIELDS = frozenset({"endpoint", "endpoints", "server", "ip"})

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# A diff token: a run of ASCII letters/digits, or any other single character (CJK, punctuation, space).
_TOKEN = re.compile(r"[A-Za-z0-9]+|.", re.DOTALL)
MIN_SHARED_RATIO = 0.2  # below this share of common tokens, two values are marked as wholly different

# Characters a reader cannot see but that change what a string says or how it is laid out.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of characters of a shown value; `changed` runs differ from the other side and are highlighted."""

    text: str
    changed: bool = False


@dataclass(frozen=True, slots=True)
class SignerView:
    scheme: str
    subject: str
    sha256: str
    key_algorithm: str


@dataclass(frozen=True, slots=True)
class PackageView:
    file_name: str
    size: str
    sha256: str
    format: str
    app_name: str
    app_id: str
    version: str
    signers: tuple[SignerView, ...]


@dataclass(frozen=True, slots=True)
class SummaryRow:
    category: str  # the report's token, for the HTML's data attributes
    label: str
    original: str
    suspect: str
    finding: str  # the token: identical / similar / different / not present
    finding_label: str
    score: str


@dataclass(frozen=True, slots=True)
class DifferenceRow:
    field: str
    label: str
    where: str
    baseline: tuple[Segment, ...]
    suspect: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Thumb:
    data_uri: str  # '' when there is no usable image: the template draws a 'no image' box
    width: int
    height: int
    pixelated: bool


@dataclass(frozen=True, slots=True)
class PairView:
    number: int
    baseline_path: str
    suspect_path: str
    baseline_thumb: Thumb | None
    suspect_thumb: Thumb | None
    baseline_text: tuple[Segment, ...]
    suspect_text: tuple[Segment, ...]
    similarity: str
    method: str
    transforms: tuple[str, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class CategorySection:
    category: str
    label: str
    kind: str  # 'image', 'text' or 'table': how its pairs are laid out
    finding: str
    finding_label: str
    score: str
    pairs: tuple[PairView, ...]
    counts: str


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class WarningRow:
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class ExhibitView:
    lang: str
    labels: Labels
    title: str
    subtitle: str
    exhibit_id: str
    clone: bool
    verdict: str
    verdict_line: str
    verdict_reason: str
    summary: tuple[SummaryRow, ...]
    differences: tuple[DifferenceRow, ...]
    differences_not_shown: int
    pair_sections: tuple[CategorySection, ...]  # section 2: images and other non-text categories
    text_sections: tuple[CategorySection, ...]  # section 3: text and rules
    changed_values: tuple[DifferenceRow, ...]
    original: PackageView
    suspect: PackageView
    tool: str
    settings: tuple[KeyValue, ...]
    command: str
    report_sha256: str
    report_file_sha256: str
    generated_at: str
    schema_version: str
    warnings: tuple[WarningRow, ...]
    warnings_counts: str


@dataclass(frozen=True, slots=True)
class ExhibitFiles:
    """What write_exhibit wrote: the files and their SHA-256, for the notice's attachment list."""

    report_sha256: str
    html: Path | None = None
    html_sha256: str = ""
    pdf: Path | None = None
    pdf_sha256: str = ""


# ---------------------------------------------------------------------------------------------- public API


def write_exhibit(
    report: Mapping[str, Any],
    html_path: Path | None,
    pdf_path: Path | None,
    lang: Lang | str = Lang.EN,
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    report_file_sha256: str = "",
) -> ExhibitFiles:
    """Write the exhibit as HTML and/or PDF. `thumbnails` maps 'baseline:<path>' / 'suspect:<path>' to PNG
    bytes and wins over the report's own base64 `thumbnails` field; an asset without one gets a 'no image'
    box. The PDF is Chromium's print of exactly this HTML."""
    page = render_exhibit_html(report, lang, thumbnails, report_file_sha256=report_file_sha256)
    data = page.encode("utf-8")
    files = ExhibitFiles(report_sha256=report_sha256(report))
    html_sha = hashlib.sha256(data).hexdigest()
    if html_path is not None:
        write_atomic(html_path, data)
        files = ExhibitFiles(files.report_sha256, html_path, html_sha)
    if pdf_path is not None:
        from clonedetect.report.pdf import print_pdf  # Chromium is only needed when a PDF is asked for

        with tempfile.TemporaryDirectory(prefix="clonedetect-exhibit-") as work:
            source = Path(work) / "exhibit.html"
            source.write_bytes(data)
            pdf = print_pdf(source, pinned_time=as_text(report.get("generated_at")))
        write_atomic(pdf_path, pdf)
        files = ExhibitFiles(
            files.report_sha256, files.html, files.html_sha256, pdf_path, hashlib.sha256(pdf).hexdigest()
        )
    return files


def render_exhibit_html(
    report: Mapping[str, Any],
    lang: Lang | str = Lang.EN,
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    report_file_sha256: str = "",
) -> str:
    """The whole exhibit page; the same report, language and thumbnails always give the same text."""
    view = build_exhibit_view(report, lang, thumbnails, report_file_sha256=report_file_sha256)
    return template_environment().get_template("exhibit.html").render(view=view, L=view.labels)


def build_exhibit_view(
    report: Mapping[str, Any],
    lang: Lang | str = Lang.EN,
    thumbnails: Mapping[str, bytes] | None = None,
    *,
    report_file_sha256: str = "",
) -> ExhibitView:
    check_report(report)
    labels = labels_for(lang)
    images = {**thumbnails_from_report(report), **dict(thumbnails or {})}
    baseline, suspect = as_mapping(report.get("baseline")), as_mapping(report.get("suspect"))
    verdict = as_mapping(report.get("verdict"))
    categories = ordered_categories(report)
    sha = report_sha256(report)
    differences = ordered_differences(report)
    changed = [d for d in differences if as_text(d.get("field")) not in PACKAGE_FIELDS | ENDPOINT_FIELDS]
    tool = as_mapping(report.get("tool"))
    warnings = [as_mapping(w) for w in as_sequence(report.get("warnings"))]
    clone = bool(verdict.get("clone"))
    sections = [_category_section(name, body, labels, images) for name, body in categories]
    return ExhibitView(
        lang=labels.lang.value,
        labels=labels,
        title=labels["exhibit_title"],
        subtitle=labels["exhibit_subtitle"].format(
            original=visible(as_text(baseline.get("app_name")) or as_text(baseline.get("path"))),
            suspect=visible(as_text(suspect.get("app_name")) or as_text(suspect.get("path"))),
        ),
        exhibit_id=sha[:16].upper(),
        clone=clone,
        verdict=labels["verdict_clone"] if clone else labels["verdict_not_clone"],
        verdict_line=labels["verdict_line"].format(
            score=percent(verdict.get("score")), threshold=percent(verdict.get("threshold"))
        ),
        verdict_reason=shorten(visible(verdict_reason(verdict, labels)), 600),
        summary=tuple(summary_row(name, body, labels) for name, body in categories),
        differences=tuple(_difference_row(d, labels) for d in differences[:MAX_DIFFERENCES]),
        differences_not_shown=max(0, len(differences) - MAX_DIFFERENCES),
        pair_sections=tuple(s for s in sections if s.category not in TEXT_SECTION),
        text_sections=tuple(s for s in sections if s.category in TEXT_SECTION),
        changed_values=tuple(_difference_row(d, labels) for d in changed[:MAX_DIFFERENCES]),
        original=_package_view(baseline, labels),
        suspect=_package_view(suspect, labels),
        tool=f"{as_text(tool.get('name'))} {as_text(tool.get('version'))}".strip(),
        settings=tuple(KeyValue(k, v) for k, v in flatten_settings(report.get("settings"))),
        command=command_line(report.get("command")),
        report_sha256=sha,
        report_file_sha256=report_file_sha256,
        generated_at=as_text(report.get("generated_at")),
        schema_version=as_text(report.get("schema_version")),
        warnings=tuple(
            WarningRow(
                shorten(visible(as_text(w.get("path"))), 200),
                shorten(visible(as_text(w.get("message"))), 300),
            )
            for w in warnings[:MAX_WARNINGS]
        ),
        warnings_counts=labels["warnings_counts"].format(
            shown=min(len(warnings), MAX_WARNINGS), total=len(warnings)
        ),
    )


def check_report(report: Mapping[str, Any]) -> None:
    """Refuse what is not a schema_version 1 report, with one line that says why."""
    if not isinstance(report, Mapping):
        raise InputError("the report must be a JSON object")
    version = report.get("schema_version")
    if version != SUPPORTED_SCHEMA:
        raise InputError(
            f"unsupported report schema_version {version!r} (this version reads {SUPPORTED_SCHEMA})"
        )
    for key in ("baseline", "suspect", "verdict", "categories"):
        if not isinstance(report.get(key), Mapping):
            raise InputError(f"the report has no {key!r} object")


def report_sha256(report: Mapping[str, Any]) -> str:
    """SHA-256 of the report exactly as `--json` writes it, without the `thumbnails` field.

    Thumbnails are illustrations of assets the report already identifies by path and SHA-256; leaving them
    out makes the exhibit of `compare --html` and of `exhibit report.json` name the same report, and lets
    anyone check the number with sha256sum on a report saved without thumbnails."""
    body = {key: value for key, value in report.items() if key != "thumbnails"}
    return hashlib.sha256(render_json(body).encode("utf-8")).hexdigest()


def thumbnails_from_report(report: Mapping[str, Any]) -> dict[str, bytes]:
    """Decode the report's `thumbnails` field; a value that is not base64 of a PNG/JPEG is left out (its
    asset is drawn as 'no image'), never passed to the page."""
    decoded: dict[str, bytes] = {}
    for key, value in as_mapping(report.get("thumbnails")).items():
        if not isinstance(value, str) or len(value) > MAX_THUMBNAIL_BYTES * 4 // 3 + 4:
            continue
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            continue
        if image_type(data):
            decoded[str(key)] = data
    return decoded


def template_environment() -> jinja2.Environment:
    # jinja2 is imported here, not with this module: every `compare` imports this module (the exhibit
    # command is registered at start-up) but only one that writes an exhibit needs jinja2 (~40 ms).
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not a silently empty cell
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["css_string"] = css_string
    return environment


# ------------------------------------------------------------------------------------------ view building


def ordered_differences(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Differences in the court's order (name, ids, version, signer, prices, zones, payment, servers), then
    other fields alphabetically; within one field the report's own (sorted) order is kept."""
    rank = {name: index for index, name in enumerate(DIFFERENCE_ORDER)}
    rows = [as_mapping(d) for d in as_sequence(report.get("differences"))]
    return sorted(rows, key=lambda d: (rank.get(as_text(d.get("field")), len(rank)), as_text(d.get("field"))))


def finding_of(name: str, category: Mapping[str, Any]) -> str:
    """The report's finding; older reports without one get the same rule the analysis uses
    (model.CategoryScore.finding), so the words never disagree with the numbers."""
    given = as_text(category.get("finding"))
    if given:
        return given
    rule = CategoryScore(
        category=cast(Category, name),  # the rule does not read the category; the name is only carried
        score=as_number(category.get("score")),
        baseline_assets=int(as_number(category.get("baseline_assets"))),
        matched=int(as_number(category.get("matched"))),
    )
    return rule.finding


def verdict_reason(verdict: Mapping[str, Any], labels: Labels) -> str:
    """What was copied, in the exhibit's language, from the pattern and categories the verdict records; a
    report without a known pattern (written before it was recorded) shows its English sentence."""
    pattern = as_text(verdict.get("pattern"))
    if f"reason_{pattern}" not in labels.text:
        return as_text(verdict.get("reason"))
    found = [
        labels[key].format(
            categories=labels["list_join"].join(
                labels.category(as_text(c)) for c in as_sequence(verdict.get(name))
            )
        )
        for name, key in (("identical", "reason_identical"), ("similar", "reason_similar"))
        if as_sequence(verdict.get(name))
    ]
    return labels[f"reason_{pattern}"].format(found=labels["reason_join"].join(found))


def summary_row(name: str, body: Mapping[str, Any], labels: Labels) -> SummaryRow:
    finding = finding_of(name, body)
    return SummaryRow(
        category=name,
        label=labels.category(name),
        original=labels["assets_count"].format(count=int(as_number(body.get("baseline_assets")))),
        suspect=labels["found_count"].format(count=int(as_number(body.get("matched")))),
        finding=finding,
        finding_label=labels.finding(finding),
        score=percent(body.get("score")),
    )


def _category_section(
    name: str, body: Mapping[str, Any], labels: Labels, images: Mapping[str, bytes]
) -> CategorySection:
    kind = "image" if name in IMAGE_CATEGORIES else "table" if name in TABLE_CATEGORIES else "text"
    cap = {"image": MAX_IMAGE_PAIRS, "table": MAX_TABLE_PAIRS}.get(kind, MAX_TEXT_PAIRS)
    matches = significant_matches(body)
    shown = matches[:cap]
    total = int(as_number(body.get("baseline_assets")))
    matched = max(int(as_number(body.get("matched"))), len(matches))
    finding = finding_of(name, body)
    return CategorySection(
        category=name,
        label=labels.category(name),
        kind=kind,
        finding=finding,
        finding_label=labels.finding(finding),
        score=percent(body.get("score")),
        pairs=tuple(_pair_view(index, match, kind, labels, images) for index, match in enumerate(shown, 1)),
        counts=labels["shown_counts"].format(
            shown=len(shown),
            matched=matched,
            not_shown=matched - len(shown),
            not_found=max(0, total - matched),
            total=total,
        ),
    )


def _pair_view(
    number: int, match: Mapping[str, Any], kind: str, labels: Labels, images: Mapping[str, bytes]
) -> PairView:
    baseline_path, suspect_path = as_text(match.get("baseline")), as_text(match.get("suspect"))
    baseline_text, suspect_text = as_text(match.get("baseline_text")), as_text(match.get("suspect_text"))
    left, right = marked_pair(baseline_text, suspect_text) if baseline_text or suspect_text else ((), ())
    is_image = kind == "image"
    return PairView(
        number=number,
        baseline_path=shorten(visible(baseline_path), 300),
        suspect_path=shorten(visible(suspect_path), 300),
        baseline_thumb=thumb(images.get("baseline:" + baseline_path)) if is_image else None,
        suspect_thumb=thumb(images.get("suspect:" + suspect_path)) if is_image else None,
        baseline_text=left,
        suspect_text=right,
        similarity=percent(match.get("similarity")),
        method=labels.method(as_text(match.get("method"))),
        transforms=tuple(labels.transform(as_text(t)) for t in as_sequence(match.get("transforms"))),
        # the full evidence line is in the report; a table cell shows the start of it
        evidence=shorten(visible(as_text(match.get("evidence"))), MAX_EVIDENCE_CHARS),
    )


def _difference_row(difference: Mapping[str, Any], labels: Labels) -> DifferenceRow:
    field = as_text(difference.get("field"))
    left, right = marked_pair(as_text(difference.get("baseline")), as_text(difference.get("suspect")))
    return DifferenceRow(
        field=field,
        label=labels.field(field),
        where=shorten(visible(as_text(difference.get("where"))), 300),
        baseline=left or (Segment(labels["absent"]),),
        suspect=right or (Segment(labels["absent"]),),
    )


def _package_view(package: Mapping[str, Any], labels: Labels) -> PackageView:
    signers = tuple(
        SignerView(
            scheme=as_text(s.get("scheme")),
            subject=shorten(visible(as_text(s.get("subject"))), 300),
            sha256=as_text(s.get("sha256")),
            key_algorithm=as_text(s.get("key_algorithm")),
        )
        for s in (as_mapping(item) for item in as_sequence(package.get("signers")))
    )
    version = as_text(package.get("version"))
    code = as_text(package.get("version_code"))
    return PackageView(
        file_name=shorten(visible(as_text(package.get("path"))), 300),
        size=size_text(package.get("size"), labels),
        sha256=as_text(package.get("sha256")),
        format=labels.format(as_text(package.get("format"))),
        app_name=shorten(visible(as_text(package.get("app_name"))), 300),
        app_id=shorten(visible(as_text(package.get("package_id"))), 300),
        version=f"{version} ({code})" if version and code else version or code,
        signers=signers,
    )


# ------------------------------------------------------------------------------------------- formatting


def marked_pair(baseline: str, suspect: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Both values cut to a readable length, with what differs marked on each side (a price 6 -> 3, 龍 -> 龙,
    'example' -> 'pirate' in a package id), so a reader sees at once what the copy changed.

    Latin letters and digits are compared as whole words and every other character on its own: a CJK string
    differs character by character, while marking single letters inside a changed word or hash is noise.
    Values with little in common are marked whole for the same reason."""
    left, right = shorten(visible(baseline), MAX_TEXT_CHARS), shorten(visible(suspect), MAX_TEXT_CHARS)
    a, b = _TOKEN.findall(left), _TOKEN.findall(right)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < MIN_SHARED_RATIO:
        return _whole(left), _whole(right)
    left_runs: list[Segment] = []
    right_runs: list[Segment] = []
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        changed = tag != "equal"
        if a_end > a_start:
            left_runs.append(Segment("".join(a[a_start:a_end]), changed))
        if b_end > b_start:
            right_runs.append(Segment("".join(b[b_start:b_end]), changed))
    return tuple(left_runs), tuple(right_runs)


def _whole(value: str) -> tuple[Segment, ...]:
    return (Segment(value, True),) if value else ()


def visible(value: str) -> str:
    """The value with invisible and direction-changing characters shown as ⟨U+XXXX⟩ and line breaks as ↵.

    A right-to-left override or a zero-width space in a pirate's app name would otherwise make two different
    strings look the same on paper, or the same string look different."""
    out: list[str] = []
    for char in value:
        if char == "\n":
            out.append("↵")
        elif unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            out.append(f"⟨U+{ord(char):04X}⟩")
        else:
            out.append(char)
    return "".join(out)


def shorten(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… (+{len(value) - limit})"


def percent(value: Any) -> str:
    return f"{as_number(value) * 100:.1f}%"


def size_text(value: Any, labels: Labels) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return ""
    exact = labels["bytes"].format(value=f"{value:,}")
    if value < 1024:
        return exact
    scaled = float(value)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        scaled /= 1024
        if scaled < 1024 or unit == "TiB":
            return f"{exact} ({scaled:.1f} {unit})"
    return exact


def flatten_settings(settings: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested settings as sorted 'limits.max_entries' -> '200000' rows."""
    rows: list[tuple[str, str]] = []
    if isinstance(settings, Mapping):
        for key in sorted(settings, key=str):
            rows.extend(flatten_settings(settings[key], f"{prefix}{key}."))
    elif prefix:
        rows.append((prefix[:-1], json.dumps(settings, ensure_ascii=False, sort_keys=True)))
    return rows


def command_line(command: Any) -> str:
    """The command as a shell line: a list is quoted the way a shell would need it."""
    if isinstance(command, list | tuple):
        return visible(shlex.join(as_text(part) for part in command))
    return visible(as_text(command))


def thumb(data: bytes | None) -> Thumb:
    kind = image_type(data or b"")
    if data is None or not kind:
        return Thumb("", 0, 0, False)
    width, height = png_size(data) if kind == "png" else (0, 0)
    small = 0 < max(width, height) <= SMALL_SPRITE_PX
    encoded = base64.b64encode(data).decode("ascii")
    return Thumb(f"data:image/{kind};base64,{encoded}", width, height, small)


def image_type(data: bytes) -> str:
    """'png' or 'jpeg' by magic bytes (never by name), '' for anything else or anything too big."""
    if not data or len(data) > MAX_THUMBNAIL_BYTES:
        return ""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return ""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG has first."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return (0, 0)
    return (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))


def css_string(value: str) -> Markup:
    """A CSS string literal for @page margin boxes: every character outside printable ASCII and every quote
    or angle bracket escaped, so no value can end the string or the <style> element."""
    escaped = "".join(
        char if char.isascii() and char.isprintable() and char not in "\"'\\<>&" else f"\\{ord(char):06X}"
        for char in value
    )
    return Markup(f'"{escaped}"')


# ---------------------------------------------------------------------------------------------- files


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a file beside it, so a reader never sees half an exhibit. The staging
    file is opened like any new file (the umask applies) and never through a symlink."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}.partial")
    handle = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
