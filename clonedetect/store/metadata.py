"""baseline.toml: the human-editable rights metadata of one baseline, and its category label overrides.

    name = "Legend of Dragons"
    owner = "Example Games Ltd"
    rights = "software copyright reg. 2015SR000000"
    contact = "legal@example.com"
    common = false

    [labels]   # glob on the asset path inside the package -> category, for when path words guess wrong
    "assets/juese/*.png" = "characters"

The file is read with the standard library's tomllib; it is written by the small writer below (only strings,
booleans and one table are ever written, so a TOML library would be a dependency for twenty lines).
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from clonedetect.errors import InputError, UsageError
from clonedetect.model import Analysis, Category, Print

METADATA_NAME = "baseline.toml"
TEXT_FIELDS: tuple[str, ...] = ("name", "owner", "rights", "contact")
MAX_METADATA_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class BaselineMetadata:
    name: str
    owner: str = ""
    rights: str = ""
    contact: str = ""
    common: bool = False  # a pack of common assets (engine splash, SDK logos, UI kits), not a game
    labels: tuple[tuple[str, Category], ...] = field(default=())  # (glob, category), sorted by glob

    def merged(self, other: BaselineMetadata) -> BaselineMetadata:
        """`other`'s non-empty fields over this one's: `baseline add` on an existing name keeps what it is
        not told to change."""
        labels = dict(self.labels) | dict(other.labels)
        return replace(
            self,
            owner=other.owner or self.owner,
            rights=other.rights or self.rights,
            contact=other.contact or self.contact,
            labels=tuple(sorted(labels.items())),
        )


def read_metadata(path: Path) -> BaselineMetadata:
    data = _read_toml(path)
    values: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise InputError(f"{path}: {name} must be a string")
        values[name] = value
    if not values["name"].strip():
        raise InputError(f"{path}: name is missing")
    common = data.get("common", False)
    if not isinstance(common, bool):
        raise InputError(f"{path}: common must be true or false")
    return BaselineMetadata(common=common, labels=parse_labels(data.get("labels", {}), str(path)), **values)


def read_labels_file(path: Path) -> tuple[tuple[str, Category], ...]:
    """Labels for `baseline add --labels FILE`: a [labels] table, or glob = category pairs at the top."""
    data = _read_toml(path)
    table = data["labels"] if isinstance(data.get("labels"), dict) else data
    return parse_labels(table, str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    if len(raw) > MAX_METADATA_BYTES:
        raise InputError(f"{path}: larger than {MAX_METADATA_BYTES} bytes; not a metadata file")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{path}: not valid TOML ({error})") from None


def parse_labels(table: Any, where: str) -> tuple[tuple[str, Category], ...]:
    if not isinstance(table, dict):
        raise InputError(f"{where}: labels must be a table of glob = category")
    labels: dict[str, Category] = {}
    known = ", ".join(c.value for c in Category)
    for glob, category in table.items():
        if not isinstance(category, str):
            raise InputError(f"{where}: label {glob!r} must name a category ({known})")
        try:
            labels[glob] = Category(category.strip().lower())
        except ValueError:
            raise UsageError(
                f"{where}: unknown category {category!r} for {glob!r}; use one of {known}"
            ) from None
    return tuple(sorted(labels.items()))


def write_metadata(path: Path, metadata: BaselineMetadata) -> None:
    """Write baseline.toml atomically (a reader never sees half a file)."""
    lines = [f"{name} = {toml_string(getattr(metadata, name))}" for name in TEXT_FIELDS]
    lines.append(f"common = {'true' if metadata.common else 'false'}")
    lines += [
        "",
        "# glob on the asset path inside the package -> category (icon, characters, ui, text, rules, ...)",
    ]
    lines.append("[labels]")
    lines += [f"{toml_string(glob)} = {toml_string(category.value)}" for glob, category in metadata.labels]
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)


def toml_string(value: str) -> str:
    """A TOML basic string: backslash, quote and every control character escaped."""
    out = ['"']
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def apply_labels(analysis: Analysis, labels: Sequence[tuple[str, Category]]) -> Analysis:
    """The analysis with each print whose asset path matches a glob moved to that glob's category (the
    last matching glob in sorted order wins, so the result does not depend on how the file was written)."""
    if not labels:
        return analysis
    return replace(analysis, prints=tuple(_relabel(item, labels) for item in analysis.prints))


def _relabel(item: Print, labels: Sequence[tuple[str, Category]]) -> Print:
    category = item.asset.category
    for glob, label in labels:
        if fnmatch.fnmatchcase(item.asset.path, glob):
            category = label
    if category is item.asset.category:
        return item
    return replace(
        item, asset=replace(item.asset, category=category, found_by=f"{item.asset.found_by}+label")
    )


def metadata_dict(metadata: BaselineMetadata) -> dict[str, Any]:
    return {
        "name": metadata.name,
        "owner": metadata.owner,
        "rights": metadata.rights,
        "contact": metadata.contact,
        "common": metadata.common,
        "labels": {glob: category.value for glob, category in metadata.labels},
    }


def metadata_from_mapping(data: Mapping[str, Any], where: str) -> BaselineMetadata:
    """The metadata carried inside an exported baseline file."""
    for name in TEXT_FIELDS:
        if not isinstance(data.get(name, ""), str):
            raise InputError(f"{where}: {name} must be a string")
    if not isinstance(data.get("common", False), bool):
        raise InputError(f"{where}: common must be true or false")
    name = str(data.get("name", "")).strip()
    if not name:
        raise InputError(f"{where}: the baseline has no name")
    return BaselineMetadata(
        name=name,
        owner=str(data.get("owner", "")),
        rights=str(data.get("rights", "")),
        contact=str(data.get("contact", "")),
        common=bool(data.get("common", False)),
        labels=parse_labels(data.get("labels", {}), where),
    )
