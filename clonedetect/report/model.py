"""The versioned report contract: Comparison/Analysis -> plain dicts that the renderers consume.

This is the only place that decides what a report says. Renderers (JSON, console, later HTML/PDF) format
the dict and never look back at the analysis, so every output of one run tells the same story.

Stability rules (a report is court evidence and must be reproducible byte for byte):
- every list is sorted and every float rounded to FLOAT_DIGITS, so tiny floating-point noise between
  platforms does not change the bytes;
- `generated_at` is the only wall-clock field, and `settings.reproducible` pins it;
- timings never enter the dict (they vary run to run); the console prints them from the Comparison.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

import clonedetect
from clonedetect.model import (
    REPORTED_CATEGORIES,
    Analysis,
    AnalysisWarning,
    AssetKind,
    Category,
    CategoryScore,
    Comparison,
    Difference,
    Facts,
    Match,
    Package,
    Print,
)
from clonedetect.report.thumbnails import encode_thumbnails, exhibit_thumbnail_keys
from clonedetect.settings import Settings

SCHEMA_VERSION = 1
TOOL_NAME = "clonedetect"
FLOAT_DIGITS = 4
# What --reproducible writes instead of the clock: the epoch, so it is obviously not a real time.
REPRODUCIBLE_TIMESTAMP = "1970-01-01T00:00:00Z"
DEFAULT_LOCALE_LABEL = "default"  # how the '' locale is shown in inspection output

Report = dict[str, Any]
# values stable() returns as they are (exact types: subclasses take the general rules)
_PLAIN = frozenset({str, int, bool, type(None)})


def utc_timestamp(now: datetime | None = None) -> str:
    """An ISO 8601 UTC timestamp to the second, e.g. '2024-05-01T12:00:00Z' (the `generated_at` format)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_report(
    comparison: Comparison, settings: Settings, *, command: list[str], generated_at: str
) -> Report:
    """The schema_version 1 report of one comparison (see DESIGN.md, 'The report contract')."""
    report: Report = {
        "schema_version": SCHEMA_VERSION,
        "tool": tool_summary(),
        "settings": settings.as_dict(),
        "baseline": package_summary(comparison.baseline, comparison.baseline_facts),
        "suspect": package_summary(comparison.suspect, comparison.suspect_facts),
        "verdict": {
            "score": comparison.verdict.score,
            "clone": comparison.verdict.clone,
            "threshold": comparison.verdict.threshold,
            "reason": comparison.verdict.reason,
            "pattern": comparison.verdict.pattern,
            "identical": list(comparison.verdict.identical),
            "similar": list(comparison.verdict.similar),
        },
        "categories": categories_summary(comparison.categories, dict(comparison.texts)),
        "differences": differences_summary(comparison.differences),
        "warnings": warnings_summary(comparison.warnings),
        **invocation(settings, command=command, generated_at=generated_at),
    }
    report["thumbnails"] = encode_thumbnails(dict(_shown(comparison.thumbnails, report["categories"])))
    return stable(report)


def invocation(settings: Settings, *, command: list[str], generated_at: str) -> Report:
    """What in a report belongs to the run that wrote it, not to the comparison: the timestamp and the
    command line. A report read back from the cache (clonedetect.cache.ReportCache) takes this run's."""
    return {
        "generated_at": REPRODUCIBLE_TIMESTAMP if settings.reproducible else generated_at,
        "command": [str(argument) for argument in command],
    }


def reported_thumbnails(comparison: Comparison) -> tuple[tuple[str, bytes], ...]:
    """The thumbnails the report of `comparison` carries, in the comparison's order: build_report() reads
    no other, so a comparison cut down to these gives the very same report (the comparison cache keeps
    only these: a few MB instead of ~140 MB for two 300 MB games)."""
    categories = categories_summary(comparison.categories, dict(comparison.texts))
    return _shown(comparison.thumbnails, categories)


def _shown(
    thumbnails: Iterable[tuple[str, bytes]], categories: dict[str, Any]
) -> tuple[tuple[str, bytes], ...]:
    # Only the pictures the exhibit shows travel in the report, so `clonedetect exhibit report.json` can
    # draw the side-by-side pairs without the packages.
    shown = set(exhibit_thumbnail_keys({"categories": categories}))
    return tuple((key, data) for key, data in thumbnails if key in shown)


def tool_summary() -> dict[str, str]:
    return {"name": TOOL_NAME, "version": clonedetect.__version__}


def package_summary(package: Package, facts: Facts | None = None) -> dict[str, Any]:
    """What identifies one package in a report. The path is the file name only: absolute paths leak the
    analyst's machine layout into evidence and make reports differ between machines."""
    return {
        "path": display_name(package.source),
        "sha256": package.sha256,
        "size": package.size,
        "format": str(package.format),
        "app_name": package.app_name,
        "app_names": [{"locale": locale, "name": name} for locale, name in sorted(package.app_names)],
        "package_id": package.package_id,
        "version": package.version_name,
        "version_code": package.version_code,
        "signers": [
            {
                "scheme": signer.scheme,
                "subject": signer.subject,
                "sha256": signer.sha256,
                "key_algorithm": signer.key_algorithm,
            }
            for signer in sorted(package.signers, key=lambda s: (s.scheme, s.sha256, s.subject))
        ],
        "icons": sorted(package.icon_entries),
        "entries": len(package.entries),
        "endpoints": sorted(facts.endpoints) if facts else [],
        "sdks": sorted(facts.sdks) if facts else [],
    }


def display_name(source: str) -> str:
    """The last path component of what the user typed ('samples/x.apk' -> 'x.apk', 'dir/' -> 'dir')."""
    return PurePath(source).name or source


def categories_summary(
    scores: Iterable[CategoryScore], texts: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """One entry per category; the five court categories are always there, even when scoring left one out,
    so a reader can always see 'not present' rather than wonder whether it was checked. `texts` holds the
    matched strings ('baseline:<path>' / 'suspect:<path>' -> value) shown side by side in exhibits."""
    texts = texts or {}
    by_name: dict[str, Any] = {str(score.category): category_entry(score, texts) for score in scores}
    for category in REPORTED_CATEGORIES:
        by_name.setdefault(str(category), category_entry(CategoryScore(category, 0.0, 0, 0), texts))
    return by_name


def category_entry(score: CategoryScore, texts: Mapping[str, str]) -> dict[str, Any]:
    return {
        "score": score.score,
        "baseline_assets": score.baseline_assets,
        "matched": score.matched,
        "finding": score.finding,
        "matches": [match_entry(match, texts) for match in sorted(score.matches, key=match_order)],
    }


def match_order(match: Match) -> tuple[str, str, str, float]:
    """By baseline path, so a reader finds an asset where they expect it; ties broken fully for stability."""
    return (match.baseline, match.suspect, match.method, -match.similarity)


def match_entry(match: Match, texts: Mapping[str, str]) -> dict[str, Any]:
    entry = {
        "baseline": match.baseline,
        "suspect": match.suspect,
        "similarity": match.similarity,
        "method": match.method,
        "transforms": sorted(match.transforms),
        "evidence": match.evidence,
        "weight": match.weight,
    }
    if (text := texts.get("baseline:" + match.baseline)) is not None:
        entry["baseline_text"] = text
    if (text := texts.get("suspect:" + match.suspect)) is not None:
        entry["suspect_text"] = text
    return entry


def differences_summary(differences: Iterable[Difference]) -> list[dict[str, str]]:
    unique = sorted(set(differences), key=lambda d: (d.field, d.where, d.baseline, d.suspect))
    return [
        {"field": d.field, "baseline": d.baseline, "suspect": d.suspect, "where": d.where} for d in unique
    ]


def warnings_summary(warnings: Iterable[AnalysisWarning]) -> list[dict[str, str]]:
    unique = sorted(set(warnings), key=lambda w: (w.path, w.message))
    return [{"path": w.path, "message": w.message} for w in unique]


def build_inspection(analysis: Analysis, *, samples: int = 5) -> Report:
    """What `clonedetect inspect` shows about one package: metadata, what was extracted and how it was
    classified. `samples` bounds each list of examples; every count is complete."""
    prints = sorted(analysis.prints, key=lambda p: p.asset.path)
    images = [p for p in prints if p.asset.kind is AssetKind.IMAGE]
    strings = [p for p in prints if p.asset.kind is AssetKind.TEXT]
    tables = [p for p in prints if p.asset.kind is AssetKind.TABLE]
    inspection: Report = {
        "schema_version": SCHEMA_VERSION,
        "tool": tool_summary(),
        "package": package_summary(analysis.package, analysis.facts),
        "assets": {
            "total": len(prints),
            "by_kind": _counts(str(p.asset.kind) for p in prints),
            "by_category": _counts(str(p.asset.category) for p in prints),
        },
        "icons": [_image_entry(p) for p in images if p.asset.category is Category.ICON],
        "images": _images_by_role(images, samples),
        "strings": _strings_summary(strings, samples),
        "tables": [_table_entry(p) for p in tables],
        "warnings": warnings_summary(analysis.warnings),
    }
    return stable(inspection)


def _counts(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _image_entry(image: Print) -> dict[str, Any]:
    return {
        "path": image.asset.path,
        "width": image.width,
        "height": image.height,
        "found_by": image.asset.found_by,
    }


def _images_by_role(images: Sequence[Print], samples: int) -> dict[str, Any]:
    by_role: dict[str, list[Print]] = {}
    for image in images:
        by_role.setdefault(str(image.asset.category), []).append(image)
    return {
        role: {"count": len(members), "first": [_image_entry(p) for p in members[:samples]]}
        for role, members in sorted(by_role.items())
    }


def _strings_summary(strings: Sequence[Print], samples: int) -> dict[str, Any]:
    by_locale: dict[str, list[Print]] = {}
    for string in strings:
        by_locale.setdefault(string.asset.locale or DEFAULT_LOCALE_LABEL, []).append(string)
    return {
        "count": len(strings),
        "locales": {
            locale: {
                "count": len(members),
                "samples": [{"key": p.asset.key, "text": p.asset.text} for p in members[:samples]],
            }
            for locale, members in sorted(by_locale.items())
        },
    }


def _table_entry(table: Print) -> dict[str, Any]:
    data = table.asset.table
    return {
        "name": table.asset.key or table.asset.path,
        "path": table.asset.path,
        "columns": list(data.columns) if data else [],
        "rows": len(data.rows) if data else 0,
        "key_column": data.key_column if data and data.key_column else "",
    }


def stable(value: Any) -> Any:
    """A copy of `value` with every float rounded and tuples turned into lists, so JSON output is stable.

    Non-finite floats are kept as they are: json rendering refuses them loudly, which is right, because a
    NaN score is a bug upstream and must not be printed as if it were evidence.
    """
    kind = type(value)
    # Exact types first: a report has ~200,000 values (two 300 MB games), nearly all of them plain strings
    # and ints inside dicts and lists, which are copied without a call per value. Anything else takes the
    # general rules in _stable_other().
    if kind in _PLAIN:
        return value
    if kind is float:
        return _stable_float(value)
    if kind is dict:
        return {
            key if type(key) is str else str(key): item if type(item) in _PLAIN else stable(item)
            for key, item in value.items()
        }
    if kind is list or kind is tuple:
        return [item if type(item) in _PLAIN else stable(item) for item in value]
    return _stable_other(value)


def _stable_other(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return _stable_float(value)
    if isinstance(value, Mapping):
        return {str(key): stable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [stable(item) for item in value]
    raise TypeError(f"report values must be JSON data, got {type(value).__name__}")


def _stable_float(value: float) -> float:
    # '+ 0.0' turns the -0.0 that rounding a tiny negative gives into 0.0: same meaning, same bytes.
    return round(value, FLOAT_DIGITS) + 0.0 if math.isfinite(value) else value
