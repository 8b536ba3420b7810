"""The console renderer (rich): the court's side-by-side comparison, for a person at a terminal or a CI log.

It reads the report dict only. Every value that came out of a package is shown through `printable()` and
as rich `Text` (never as markup): pirates control app names and file names, and a name must not be able to
inject terminal escape sequences, rich markup or right-to-left overrides that disguise what it says.
Colour is rich's decision: none when the output is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

DEFAULT_WARNINGS_SHOWN = 10
DEFAULT_SAMPLES_SHOWN = 5
# differences shown per field (app_name, price, text, ...): a reskin edits hundreds of prices and strings,
# and a table of all of them would push the signer and server rows out of sight (the JSON keeps them all)
DEFAULT_DIFFERENCES_PER_FIELD = 5
# A CI log has no terminal width; 80 columns would fold every package path, so use a log-friendly width.
NON_TERMINAL_WIDTH = 120
MAX_CELL_CHARS = 300  # one very long value (a minified config line) must not flood the screen

# Format characters that reorder or hide text: shown escaped so 'gpj.exe' tricks are visible.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def make_console(file: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A Console for the CLI: rich's own terminal detection, a wide default when writing to a log."""
    console = Console(file=file, stderr=stderr, highlight=False, emoji=False, markup=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = NON_TERMINAL_WIDTH
    return console


def printable(value: object, limit: int = MAX_CELL_CHARS) -> str:
    """`value` as text that is safe to show: control and direction-override characters escaped, long
    values cut with a visible marker (the JSON report always keeps the full value)."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + f"… (+{len(text) - limit} chars)"
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char in _BIDI_CONTROLS or unicodedata.category(char) == "Cc":
        return f"\\u{ord(char):04x}" if ord(char) > 0xFF else f"\\x{ord(char):02x}"
    return char


def _cell(value: object) -> Text:
    return Text(printable(value))


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        # fold, never ellipsis: a long path or a CJK name without spaces must stay readable in full
        table.add_column(column, overflow="fold")
    return table


def verdict_line(report: Mapping[str, Any]) -> str:
    """One line a CI log can grep: 'CLONE: score 0.93 >= threshold 0.50. <reason>'."""
    verdict = report["verdict"]
    label, relation = ("CLONE", ">=") if verdict["clone"] else ("not a clone", "<")
    line = f"{label}: score {verdict['score']:.2f} {relation} threshold {verdict['threshold']:.2f}."
    if verdict["reason"]:
        line += f" {printable(verdict['reason'])}"
    return line


def render_console(
    report: Mapping[str, Any],
    console: Console,
    *,
    quiet: bool = False,
    verbose: bool = False,
    timings: Sequence[tuple[str, float]] | None = None,
    warnings_shown: int = DEFAULT_WARNINGS_SHOWN,
) -> None:
    """Print a comparison report; `quiet` prints only the verdict line, `verbose` every warning and
    every difference."""
    if quiet:
        _print_verdict(report, console)
        return
    console.print(_packages_table(report))
    console.print(_categories_table(report))
    _print_verdict(report, console)
    if report["differences"]:
        per_field = None if verbose else DEFAULT_DIFFERENCES_PER_FIELD
        table, hidden = _differences_table(report["differences"], per_field)
        console.print(table)
        if hidden:
            more = ", ".join(f"{count} {field}" for field, count in hidden.items())
            console.print(Text(f"  ... and {sum(hidden.values())} more ({more}; use -v to see all)"))
    else:
        console.print(Text("No differences in name, ids, signer, prices or endpoints."))
    _print_warnings(report["warnings"], console, None if verbose else warnings_shown)
    if timings is not None:
        render_timings(timings, console)


def render_timings(timings: Sequence[tuple[str, float]], console: Console) -> None:
    """The seconds each stage took, and their total (what --timings prints after the report)."""
    console.print(_timings_table(timings))


def _print_verdict(report: Mapping[str, Any], console: Console) -> None:
    style = "bold red" if report["verdict"]["clone"] else "bold green"
    # never wrapped: CI jobs grep this one line
    console.print(Text(verdict_line(report), style=style), soft_wrap=True)


def _packages_table(report: Mapping[str, Any]) -> Table:
    baseline, suspect = report["baseline"], report["suspect"]
    table = _table("Packages", "", "original", "suspect")
    rows = (
        ("name", "app_name"),
        ("id", "package_id"),
        ("format", "format"),
        ("file", "path"),
        ("sha256", "sha256"),
    )
    for label, key in rows:
        table.add_row(Text(label), _cell(baseline[key]), _cell(suspect[key]))
    table.add_row(Text("version"), _cell(_version_text(baseline)), _cell(_version_text(suspect)))
    table.add_row(Text("signer"), _cell(_signer_text(baseline)), _cell(_signer_text(suspect)))
    return table


def _version_text(package: Mapping[str, Any]) -> str:
    name, code = package["version"], package["version_code"]
    return f"{name} ({code})" if code else name


def _signer_text(package: Mapping[str, Any]) -> str:
    signers = package["signers"]
    if not signers:
        return "(unsigned)"
    return "; ".join(f"{s['subject'] or '?'} [{s['scheme']}] sha256 {s['sha256'][:16]}" for s in signers)


def _categories_table(report: Mapping[str, Any]) -> Table:
    table = _table("Comparison by category", "category", "score", "found again", "finding")
    table.columns[1].justify = "right"
    table.columns[2].justify = "right"
    for name, category in sorted(report["categories"].items(), key=_category_order):
        table.add_row(
            Text(name),
            Text(f"{category['score']:.2f}"),
            Text(f"{category['matched']} / {category['baseline_assets']}"),
            Text(category["finding"]),
        )
    return table


_COURT_ORDER = ("icon", "characters", "ui", "text", "rules")


def _category_order(item: tuple[str, Any]) -> tuple[int, str]:
    """The court's five categories first in their usual order, then any others alphabetically."""
    name = item[0]
    return (_COURT_ORDER.index(name) if name in _COURT_ORDER else len(_COURT_ORDER), name)


def _differences_table(
    differences: Sequence[Mapping[str, str]], per_field: int | None
) -> tuple[Table, dict[str, int]]:
    """The differences, at most `per_field` of each field (None: all), and how many of each were left out."""
    table = _table("Differences", "field", "original", "suspect", "where")
    shown: Counter[str] = Counter()
    hidden: dict[str, int] = {}
    for difference in differences:
        field = difference["field"]
        if per_field is not None and shown[field] >= per_field:
            hidden[field] = hidden.get(field, 0) + 1
            continue
        shown[field] += 1
        table.add_row(
            _cell(field),
            _cell(difference["baseline"]),
            _cell(difference["suspect"]),
            _cell(difference["where"]),
        )
    return table, hidden


def _print_warnings(warnings: Sequence[Mapping[str, str]], console: Console, shown: int | None) -> None:
    if not warnings:
        return
    listed = warnings if shown is None else warnings[:shown]
    console.print(Text(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:"))
    for warning in listed:
        console.print(Text(f"  {printable(warning['path'])}: {printable(warning['message'])}"))
    if len(listed) < len(warnings):
        console.print(Text(f"  ... and {len(warnings) - len(listed)} more (use -v to see all)"))


def _timings_table(timings: Sequence[tuple[str, float]]) -> Table:
    table = _table("Timings", "stage", "seconds")
    table.columns[1].justify = "right"
    for stage, seconds in timings:
        table.add_row(_cell(stage), Text(f"{seconds:.3f}"))
    table.add_row(Text("total"), Text(f"{sum(seconds for _, seconds in timings):.3f}"))
    return table


def render_inspection(
    inspection: Mapping[str, Any],
    console: Console,
    *,
    verbose: bool = False,
    samples: int = DEFAULT_SAMPLES_SHOWN,
) -> None:
    """Print what `inspect` learned about one package (the dict from report.model.build_inspection)."""
    console.print(_inspection_package_table(inspection["package"]))
    console.print(_asset_counts_table(inspection["assets"]))
    if inspection["icons"]:
        console.print(_icons_table(inspection["icons"]))
    if inspection["images"]:
        console.print(_images_table(inspection["images"], samples))
    if inspection["strings"]["count"]:
        console.print(_strings_table(inspection["strings"], samples))
    if inspection["tables"]:
        console.print(_data_tables_table(inspection["tables"]))
    package = inspection["package"]
    if package["endpoints"] or package["sdks"]:
        console.print(_facts_table(package))
    _print_warnings(inspection["warnings"], console, None if verbose else DEFAULT_WARNINGS_SHOWN)


def _inspection_package_table(package: Mapping[str, Any]) -> Table:
    table = _table("Package", "field", "value")
    for label, key in (
        ("file", "path"),
        ("format", "format"),
        ("name", "app_name"),
        ("id", "package_id"),
        ("version", "version"),
        ("version code", "version_code"),
        ("sha256", "sha256"),
        ("size", "size"),
        ("entries", "entries"),
    ):
        table.add_row(Text(label), _cell(package[key]))
    for localised in package["app_names"]:
        table.add_row(Text(f"name [{printable(localised['locale']) or 'default'}]"), _cell(localised["name"]))
    table.add_row(Text("signer"), _cell(_signer_text(package)))
    for icon in package["icons"]:
        table.add_row(Text("declared icon"), _cell(icon))
    return table


def _asset_counts_table(assets: Mapping[str, Any]) -> Table:
    table = _table(f"Assets: {assets['total']}", "by kind", "count", "by category", "count")
    kinds, categories = list(assets["by_kind"].items()), list(assets["by_category"].items())
    for index in range(max(len(kinds), len(categories))):
        kind, kind_count = kinds[index] if index < len(kinds) else ("", "")
        category, category_count = categories[index] if index < len(categories) else ("", "")
        table.add_row(Text(kind), Text(str(kind_count)), Text(category), Text(str(category_count)))
    return table


def _icons_table(icons: Sequence[Mapping[str, Any]]) -> Table:
    table = _table("Icons", "path", "size", "found by")
    for icon in icons:
        table.add_row(_cell(icon["path"]), Text(f"{icon['width']}x{icon['height']}"), _cell(icon["found_by"]))
    return table


def _images_table(images: Mapping[str, Mapping[str, Any]], samples: int) -> Table:
    table = _table("Images by role", "role", "count", f"first {samples}")
    for role, group in images.items():
        firsts = "\n".join(printable(image["path"]) for image in group["first"][:samples])
        table.add_row(Text(role), Text(str(group["count"])), Text(firsts))
    return table


def _strings_table(strings: Mapping[str, Any], samples: int) -> Table:
    table = _table(f"Strings: {strings['count']}", "locale", "count", "samples")
    for locale, group in strings["locales"].items():
        lines = "\n".join(
            f"{printable(s['key'], 60)} = {printable(s['text'], 80)}" for s in group["samples"][:samples]
        )
        table.add_row(_cell(locale), Text(str(group["count"])), Text(lines))
    return table


def _data_tables_table(tables: Sequence[Mapping[str, Any]]) -> Table:
    table = _table("Tables", "name", "columns", "rows")
    for data in tables:
        table.add_row(_cell(data["name"]), _cell(", ".join(data["columns"])), Text(str(data["rows"])))
    return table


def _facts_table(facts: Mapping[str, Any]) -> Table:
    table = _table("Facts", "kind", "value")
    for endpoint in facts["endpoints"]:
        table.add_row(Text("endpoint"), _cell(endpoint))
    for sdk in facts["sdks"]:
        table.add_row(Text("sdk"), _cell(sdk))
    return table
