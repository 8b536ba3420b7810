"""Analysis <-> plain JSON values and catalogue rows, losslessly, and strictly checked on the way back.

Stored data comes back through here from two places we do not fully trust: the catalogue (which a user may
have edited or which an older version wrote) and imported baseline files (which someone else made). Every
field is type-checked and a bad one raises InputError naming it; nothing is evaluated or guessed.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from clonedetect.errors import InputError
from clonedetect.model import (
    Analysis,
    AnalysisWarning,
    Asset,
    AssetKind,
    Category,
    CategoryScore,
    Comparison,
    Difference,
    Entry,
    Facts,
    Fingerprint,
    Frame,
    LocalisedText,
    Match,
    Package,
    PackageFormat,
    Print,
    Signer,
    Table,
    Verdict,
)

T = TypeVar("T")
MAX_BLOB_BYTES = 2 * 1024 * 1024 * 1024  # a decompressed analysis larger than this is not ours


class StoredDataError(InputError):
    """Stored or imported data does not have the shape clonedetect writes."""


# --------------------------------------------------------------------------------------------------------
# checked access


def _get(data: Any, name: str, kind: type[T]) -> T:
    if not isinstance(data, dict):
        raise StoredDataError(f"expected an object holding {name!r}")
    value = data.get(name)
    # bool is an int in Python; a stored count must not silently be True
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise StoredDataError(f"field {name!r} should be {kind.__name__}, found {type(value).__name__}")
    return value


def _opt(data: dict[str, Any], name: str, kind: type[T], default: T) -> T:
    return default if data.get(name) is None else _get(data, name, kind)


def _list(data: dict[str, Any], name: str) -> list[Any]:
    return _get(data, name, list)


def _strings(values: Any, what: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise StoredDataError(f"{what} should be a list of strings")
    return tuple(values)


def _enum(factory: Callable[[str], T], value: str, what: str) -> T:
    try:
        return factory(value)
    except ValueError:
        raise StoredDataError(f"unknown {what} {value!r}") from None


# --------------------------------------------------------------------------------------------------------
# Package


def package_to_dict(package: Package) -> dict[str, Any]:
    return {
        "source": package.source,
        "sha256": package.sha256,
        "size": package.size,
        "format": str(package.format),
        "app_name": package.app_name,
        "app_names": [list(pair) for pair in package.app_names],
        "package_id": package.package_id,
        "version_name": package.version_name,
        "version_code": package.version_code,
        "signers": [[s.scheme, s.subject, s.sha256, s.key_algorithm] for s in package.signers],
        "icon_entries": list(package.icon_entries),
        "resource_strings": [[t.key, t.locale, t.value] for t in package.resource_strings],
        "entries": [[e.name, e.size, e.compressed_size, e.sha256] for e in package.entries],
        "warnings": warnings_to_list(package.warnings),
    }


def package_from_dict(data: Any) -> Package:
    return Package(
        source=_get(data, "source", str),
        sha256=_get(data, "sha256", str),
        size=_get(data, "size", int),
        format=_enum(PackageFormat, _get(data, "format", str), "package format"),
        app_name=_get(data, "app_name", str),
        app_names=tuple(_pair(item, "app_names") for item in _list(data, "app_names")),
        package_id=_get(data, "package_id", str),
        version_name=_get(data, "version_name", str),
        version_code=_get(data, "version_code", str),
        signers=tuple(
            Signer(*_fixed(_strings(item, "a signer"), 4, "a signer")) for item in _list(data, "signers")
        ),
        icon_entries=_strings(_list(data, "icon_entries"), "icon_entries"),
        resource_strings=tuple(
            LocalisedText(*_fixed(_strings(item, "a resource string"), 3, "a resource string"))
            for item in _list(data, "resource_strings")
        ),
        entries=tuple(_entry(item) for item in _list(data, "entries")),
        warnings=warnings_from_list(_list(data, "warnings")),
    )


def _pair(item: Any, what: str) -> tuple[str, str]:
    first, second = _fixed(_strings(item, what), 2, what)
    return first, second


def _fixed(values: tuple[str, ...], length: int, what: str) -> tuple[str, ...]:
    if len(values) != length:
        raise StoredDataError(f"{what} should have {length} parts, found {len(values)}")
    return values


def _entry(item: Any) -> Entry:
    if (
        not isinstance(item, list)
        or len(item) != 4
        or not isinstance(item[0], str)
        or not isinstance(item[3], str)
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in item[1:3])
    ):
        raise StoredDataError("an entry should be [name, size, compressed_size, sha256]")
    return Entry(item[0], item[1], item[2], item[3])


def warnings_to_list(warnings: Sequence[AnalysisWarning]) -> list[list[str]]:
    return [[w.path, w.message] for w in warnings]


def warnings_from_list(items: Any) -> tuple[AnalysisWarning, ...]:
    if not isinstance(items, list):
        raise StoredDataError("warnings should be a list")
    return tuple(AnalysisWarning(*_pair(item, "a warning")) for item in items)


def facts_to_dict(facts: Facts) -> dict[str, Any]:
    return {"endpoints": list(facts.endpoints), "sdks": list(facts.sdks)}


def facts_from_dict(data: Any) -> Facts:
    return Facts(
        endpoints=_strings(_list(data, "endpoints"), "endpoints"), sdks=_strings(_list(data, "sdks"), "sdks")
    )


# --------------------------------------------------------------------------------------------------------
# Asset and Print


def frame_to_dict(frame: Frame | None) -> dict[str, Any] | None:
    if frame is None:
        return None
    return {
        "x": frame.x,
        "y": frame.y,
        "width": frame.width,
        "height": frame.height,
        "rotated": frame.rotated,
        "offset_x": frame.offset_x,
        "offset_y": frame.offset_y,
        "source_width": frame.source_width,
        "source_height": frame.source_height,
    }


def frame_from_dict(data: Any) -> Frame | None:
    if data is None:
        return None
    numbers = {
        name: _get(data, name, int)
        for name in ("x", "y", "width", "height", "offset_x", "offset_y", "source_width", "source_height")
    }
    return Frame(rotated=_get(data, "rotated", bool), **numbers)


def table_to_dict(table: Table | None) -> dict[str, Any] | None:
    if table is None:
        return None
    return {
        "columns": list(table.columns),
        "rows": [list(row) for row in table.rows],
        "key_column": table.key_column,
    }


def table_from_dict(data: Any) -> Table | None:
    if data is None:
        return None
    rows = []
    for row in _list(data, "rows"):
        if not isinstance(row, list) or not all(_is_cell(cell) for cell in row):
            raise StoredDataError("a table row should be a list of plain values")
        rows.append(tuple(row))
    key_column = data.get("key_column")
    if key_column is not None and not isinstance(key_column, str):
        raise StoredDataError("a table's key_column should be a string")
    return Table(
        columns=_strings(_list(data, "columns"), "table columns"), rows=tuple(rows), key_column=key_column
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_cell(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def asset_to_dict(asset: Asset) -> dict[str, Any]:
    return {
        "path": asset.path,
        "entry": asset.entry,
        "kind": str(asset.kind),
        "category": str(asset.category),
        "media_type": asset.media_type,
        "sha256": asset.sha256,
        "size": asset.size,
        "found_by": asset.found_by,
        "frame": frame_to_dict(asset.frame),
        "key": asset.key,
        "locale": asset.locale,
        "text": asset.text,
        "table": table_to_dict(asset.table),
    }


def asset_from_dict(data: Any) -> Asset:
    return Asset(
        path=_get(data, "path", str),
        entry=_get(data, "entry", str),
        kind=_enum(AssetKind, _get(data, "kind", str), "asset kind"),
        category=_enum(Category, _get(data, "category", str), "category"),
        media_type=_get(data, "media_type", str),
        sha256=_get(data, "sha256", str),
        size=_get(data, "size", int),
        found_by=_get(data, "found_by", str),
        frame=frame_from_dict(data.get("frame")),
        key=_get(data, "key", str),
        locale=_get(data, "locale", str),
        text=_get(data, "text", str),
        table=table_from_dict(data.get("table")),
    )


def fingerprints_to_list(fingerprints: Sequence[Fingerprint]) -> list[list[Any]]:
    return [[f.algorithm, f.version, f.value] for f in fingerprints]


def fingerprints_from_list(items: Any) -> tuple[Fingerprint, ...]:
    if not isinstance(items, list):
        raise StoredDataError("fingerprints should be a list")
    out = []
    for item in items:
        if (
            not isinstance(item, list)
            or len(item) != 3
            or not isinstance(item[0], str)
            or not isinstance(item[1], int)
            or isinstance(item[1], bool)
            or not isinstance(item[2], str)
        ):
            raise StoredDataError("a fingerprint should be [algorithm, version, value]")
        out.append(Fingerprint(item[0], item[1], item[2]))
    return tuple(out)


def print_to_dict(item: Print, thumbnail: str) -> dict[str, Any]:
    """`thumbnail` is how the thumbnail travels: base64 PNG (cache) or a file's sha256 (store, export)."""
    return {
        "asset": asset_to_dict(item.asset),
        "fingerprints": fingerprints_to_list(item.fingerprints),
        "width": item.width,
        "height": item.height,
        "thumbnail": thumbnail,
    }


def print_from_dict(data: Any, thumbnail: bytes) -> Print:
    return Print(
        asset=asset_from_dict(_get(data, "asset", dict)),
        fingerprints=fingerprints_from_list(data.get("fingerprints")),
        width=_get(data, "width", int),
        height=_get(data, "height", int),
        thumbnail=thumbnail,
    )


# --------------------------------------------------------------------------------------------------------
# Analysis (cache blobs: everything inline)


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    return {
        "package": package_to_dict(analysis.package),
        "facts": facts_to_dict(analysis.facts),
        "prints": [print_to_dict(p, base64.b64encode(p.thumbnail).decode("ascii")) for p in analysis.prints],
        "warnings": warnings_to_list(analysis.warnings),
        "timings": [[stage, seconds] for stage, seconds in analysis.timings],
    }


def analysis_from_dict(data: Any) -> Analysis:
    prints = []
    for item in _list(data, "prints"):
        try:
            thumbnail = base64.b64decode(_get(item, "thumbnail", str), validate=True)
        except ValueError:
            raise StoredDataError("a thumbnail is not valid base64") from None
        prints.append(print_from_dict(item, thumbnail))
    timings = []
    for item in _list(data, "timings"):
        if not (
            isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and _is_number(item[1])
        ):
            raise StoredDataError("a timing should be [stage, seconds]")
        timings.append((item[0], float(item[1])))
    return Analysis(
        package=package_from_dict(_get(data, "package", dict)),
        facts=facts_from_dict(_get(data, "facts", dict)),
        prints=tuple(prints),
        warnings=warnings_from_list(data.get("warnings")),
        timings=tuple(timings),
    )


# --------------------------------------------------------------------------------------------------------
# Comparison (the comparison cache). Numbers come back as the type they were written with (an int stays an
# int, a float a float): the report prints 0 and 0.0 differently, and a cached comparison must give the
# report a fresh one gives, byte for byte.
#
# Matches and matched texts are stored by column ({"baseline": [...], "suspect": [...], ...}), not one list
# per item: a big comparison has tens of thousands of each, a cache hit reads them all, and a column is
# checked in one pass at C speed (set(map(type, column))) where per-item checks cost most of a hit's time.

MATCH_COLUMNS = (
    "category",
    "baseline",
    "suspect",
    "similarity",
    "method",
    "transforms",
    "evidence",
    "weight",
)
_CATEGORIES: dict[str, Category] = {str(category): category for category in Category}


def matches_to_columns(matches: Sequence[Match]) -> dict[str, list[Any]]:
    return {
        "category": [str(m.category) for m in matches],
        "baseline": [m.baseline for m in matches],
        "suspect": [m.suspect for m in matches],
        "similarity": [m.similarity for m in matches],
        "method": [m.method for m in matches],
        "transforms": [list(m.transforms) for m in matches],
        "evidence": [m.evidence for m in matches],
        "weight": [m.weight for m in matches],
    }


def matches_from_columns(data: Any) -> tuple[Match, ...]:
    if not isinstance(data, dict) or sorted(data) != sorted(MATCH_COLUMNS):
        raise StoredDataError(f"matches should be the columns {', '.join(MATCH_COLUMNS)}")
    columns = [data[name] for name in MATCH_COLUMNS]
    if not all(type(column) is list and len(column) == len(columns[0]) for column in columns):
        raise StoredDataError("match columns should be lists of one length")
    category, baseline, suspect, similarity, method, transforms, evidence, weight = columns
    for name, column in zip(MATCH_COLUMNS, columns, strict=True):
        if name in ("similarity", "weight"):
            _check_numbers(column, f"match {name}s")
        elif name != "transforms":
            _check_strings(column, f"match {name}s")
    _check_types(transforms, {list}, "match transforms")
    _check_strings([name for names in transforms for name in names], "match transforms")
    if not set(category) <= _CATEGORIES.keys():
        raise StoredDataError(f"unknown category in {sorted(set(category) - _CATEGORIES.keys())[:3]}")
    return tuple(
        map(
            Match,
            map(_CATEGORIES.__getitem__, category),
            baseline,
            suspect,
            similarity,
            method,
            map(tuple, transforms),
            evidence,
            weight,
        )
    )


def category_score_to_dict(score: CategoryScore) -> dict[str, Any]:
    return {
        "category": str(score.category),
        "score": score.score,
        "baseline_assets": score.baseline_assets,
        "matched": score.matched,
        "matches": matches_to_columns(score.matches),
    }


def category_score_from_dict(data: Any) -> CategoryScore:
    return CategoryScore(
        category=_enum(Category, _get(data, "category", str), "category"),
        score=_number_field(data, "score"),
        baseline_assets=_get(data, "baseline_assets", int),
        matched=_get(data, "matched", int),
        matches=matches_from_columns(data.get("matches")),
    )


def verdict_to_dict(verdict: Verdict) -> dict[str, Any]:
    return {
        "score": verdict.score,
        "clone": verdict.clone,
        "threshold": verdict.threshold,
        "reason": verdict.reason,
        "pattern": verdict.pattern,
        "identical": list(verdict.identical),
        "similar": list(verdict.similar),
    }


def verdict_from_dict(data: Any) -> Verdict:
    """A stored verdict; one written before the reason was also kept as data has no pattern (an exhibit of it
    shows the English reason)."""
    return Verdict(
        score=_number_field(data, "score"),
        clone=_get(data, "clone", bool),
        threshold=_number_field(data, "threshold"),
        reason=_get(data, "reason", str),
        pattern=_opt(data, "pattern", str, ""),
        identical=_strings(_opt(data, "identical", list, []), "identical categories"),
        similar=_strings(_opt(data, "similar", list, []), "similar categories"),
    )


def differences_to_list(differences: Sequence[Difference]) -> list[list[str]]:
    return [[d.field, d.baseline, d.suspect, d.where] for d in differences]


def differences_from_list(items: Any) -> tuple[Difference, ...]:
    if not isinstance(items, list):
        raise StoredDataError("differences should be a list")
    return tuple(Difference(*_fixed(_strings(item, "a difference"), 4, "a difference")) for item in items)


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """Everything but the thumbnails (binary: the caller stores them its own way) and the timings (they
    describe one run, not the result)."""
    return {
        "baseline": package_to_dict(comparison.baseline),
        "suspect": package_to_dict(comparison.suspect),
        "categories": [category_score_to_dict(score) for score in comparison.categories],
        "verdict": verdict_to_dict(comparison.verdict),
        "differences": differences_to_list(comparison.differences),
        "warnings": warnings_to_list(comparison.warnings),
        "baseline_facts": facts_to_dict(comparison.baseline_facts),
        "suspect_facts": facts_to_dict(comparison.suspect_facts),
        "texts": {"keys": [key for key, _ in comparison.texts], "values": [v for _, v in comparison.texts]},
    }


def comparison_from_dict(data: Any, thumbnails: tuple[tuple[str, bytes], ...] = ()) -> Comparison:
    """The comparison comparison_to_dict() wrote, with these thumbnails and no timings."""
    return Comparison(
        baseline=package_from_dict(_get(data, "baseline", dict)),
        suspect=package_from_dict(_get(data, "suspect", dict)),
        categories=tuple(category_score_from_dict(item) for item in _list(data, "categories")),
        verdict=verdict_from_dict(_get(data, "verdict", dict)),
        differences=differences_from_list(_list(data, "differences")),
        warnings=warnings_from_list(_list(data, "warnings")),
        baseline_facts=facts_from_dict(_get(data, "baseline_facts", dict)),
        suspect_facts=facts_from_dict(_get(data, "suspect_facts", dict)),
        thumbnails=thumbnails,
        texts=_texts_from_columns(_get(data, "texts", dict)),
    )


def _texts_from_columns(data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    keys, values = _list(data, "keys"), _list(data, "values")
    if len(keys) != len(values):
        raise StoredDataError("matched text keys and values should be lists of one length")
    _check_strings(keys, "matched text keys")
    _check_strings(values, "matched texts")
    return tuple(zip(keys, values, strict=True))


def _number(value: Any, what: str) -> int | float:
    """A finite int or float, returned as it is (not converted: see above). json.loads accepts NaN and
    Infinity, which clonedetect never writes: a stored one is damage, not a score."""
    if type(value) not in (int, float) or not math.isfinite(value):
        raise StoredDataError(f"{what} should be a finite number, found {value!r:.40}")
    return value


def _number_field(data: Any, name: str) -> int | float:
    if not isinstance(data, dict):
        raise StoredDataError(f"expected an object holding {name!r}")
    return _number(data.get(name), f"field {name!r}")


def _check_types(column: list[Any], kinds: set[type], what: str) -> None:
    # exact types: JSON gives exactly these, and bool (an int subclass) must not pass for a number
    if not set(map(type, column)) <= kinds:
        raise StoredDataError(f"{what} should be {' or '.join(sorted(k.__name__ for k in kinds))}")


def _check_strings(column: list[Any], what: str) -> None:
    _check_types(column, {str}, what)


def _check_numbers(column: list[Any], what: str) -> None:
    _check_types(column, {int, float}, what)
    if not all(map(math.isfinite, column)):
        raise StoredDataError(f"{what} should be finite numbers")


def encode_blob(value: Any) -> bytes:
    """Compact, deterministic JSON (sorted keys), zlib-compressed."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


def decode_blob(blob: bytes, limit: int = MAX_BLOB_BYTES) -> Any:
    """The JSON value of a blob, refusing to inflate past `limit` bytes (a zlib bomb in an imported file)."""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(blob, limit)
    except zlib.error as error:
        raise StoredDataError(f"stored data is not valid zlib data ({error})") from None
    if inflater.unconsumed_tail:
        raise StoredDataError(f"stored data inflates past {limit} bytes")
    return loads(text)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise StoredDataError(f"stored data is not valid JSON ({error})") from None
