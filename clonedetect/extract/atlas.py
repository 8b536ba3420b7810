"""Atlas descriptions -> named frames of a page image: Cocos/TexturePacker plists, TexturePacker JSON (hash,
array, multi-atlas) and Freeciv `.spec` grids.

A re-packed clone moves sprites around inside its sheets; matching frame by frame (rather than page by page)
is what still pairs them. Frame.width/height are the sprite's own (unrotated) size, the TexturePacker/Cocos
convention the fingerprint stage also uses: a rotated frame occupies (height x width) of the page, stored 90
degrees clockwise, and `rotated=True` tells the fingerprint stage to turn it back.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clonedetect.extract.registry import Registry, Section
from clonedetect.model import Frame

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
PAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")


@dataclass(frozen=True, slots=True)
class NamedFrame:
    name: str
    frame: Frame


@dataclass(frozen=True, slots=True)
class AtlasSheet:
    """The frames one description file assigns to one page image."""

    descriptor: str  # entry name of the description file
    format: str  # 'cocos-plist', 'texturepacker-json', 'freeciv-spec'
    page_candidates: tuple[str, ...]  # entry names the page may have, most likely first
    frames: tuple[NamedFrame, ...]
    problems: tuple[str, ...] = ()


def sheets_from_plist(descriptor: str, value: Any) -> list[AtlasSheet]:
    """A Cocos2d / TexturePacker plist (formats 0-3); [] when the plist is not an atlas."""
    if not isinstance(value, dict) or not isinstance(value.get("frames"), dict):
        return []
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    frames: list[NamedFrame] = []
    problems: list[str] = []
    for name, spec in sorted(value["frames"].items(), key=lambda item: str(item[0])):
        frame = _cocos_frame(spec) if isinstance(spec, dict) else None
        if frame is None:
            problems.append(f"frame {str(name)[:80]!r}: no readable rectangle")
            continue
        frames.append(NamedFrame(str(name), frame))
    textures = [metadata.get("realTextureFileName"), metadata.get("textureFileName")]
    candidates = _page_candidates(descriptor, [t for t in textures if isinstance(t, str) and t])
    return [AtlasSheet(descriptor, "cocos-plist", candidates, tuple(frames), tuple(problems))]


def sheets_from_json(descriptor: str, value: Any) -> list[AtlasSheet]:
    """TexturePacker JSON hash or array ('frames' + 'meta.image') and multi-atlas ('textures': [...])."""
    if not isinstance(value, dict):
        return []
    if isinstance(value.get("textures"), list):
        sheets = [
            _json_sheet(descriptor, texture.get("frames"), texture.get("image"))
            for texture in value["textures"]
            if isinstance(texture, dict)
        ]
        return [sheet for sheet in sheets if sheet is not None]
    meta = value.get("meta") if isinstance(value.get("meta"), dict) else {}
    sheet = _json_sheet(descriptor, value.get("frames"), meta.get("image"))
    return [sheet] if sheet is not None else []


def sheets_from_registry(descriptor: str, registry: Registry) -> list[AtlasSheet]:
    """A Freeciv `.spec`: `[file] gfx = "amplio2/tiles"` and `[grid_*]` sections cutting it into tiles."""
    file_section = registry.section("file")
    gfx = file_section.values.get("gfx") if file_section else None
    grids = [section for section in registry.sections if section.name.startswith("grid")]
    if not isinstance(gfx, str) or not grids:
        return []
    frames: list[NamedFrame] = []
    problems: list[str] = []
    for grid in grids:
        _grid_frames(grid, frames, problems)
    return [
        AtlasSheet(
            descriptor, "freeciv-spec", _freeciv_candidates(descriptor, gfx), tuple(frames), tuple(problems)
        )
    ]


def frames_in_page(sheet: AtlasSheet, width: int, height: int) -> tuple[list[NamedFrame], list[str]]:
    """The frames that lie inside the page; the rest (and repeated names) as problems."""
    inside: list[NamedFrame] = []
    problems: list[str] = []
    seen: set[str] = set()
    for named in sheet.frames:
        frame = named.frame
        # the page region of a rotated frame is turned: its width on the page is the sprite's height
        stored_width, stored_height = (
            (frame.height, frame.width) if frame.rotated else (frame.width, frame.height)
        )
        if named.name in seen:
            problems.append(f"frame {named.name[:80]!r} named twice; the first is kept")
            continue
        if frame.width <= 0 or frame.height <= 0 or frame.x < 0 or frame.y < 0:
            problems.append(f"frame {named.name[:80]!r} has an empty or negative rectangle; skipped")
            continue
        if frame.x + stored_width > width or frame.y + stored_height > height:
            problems.append(
                f"frame {named.name[:80]!r} ({frame.x},{frame.y} {stored_width}x{stored_height}) lies "
                f"outside "
                f"the {width}x{height} page; skipped"
            )
            continue
        seen.add(named.name)
        inside.append(named)
    return inside, problems


def find_page(sheet: AtlasSheet, images: Mapping[str, Any]) -> str | None:
    return next((name for name in sheet.page_candidates if name in images), None)


def _cocos_frame(spec: dict[str, Any]) -> Frame | None:
    if "textureRect" in spec:  # format 3
        rect = _numbers(spec.get("textureRect"), 4)
        rotated = bool(spec.get("textureRotated", False))
        offset = _numbers(spec.get("spriteOffset"), 2) or (0, 0)
        source = _numbers(spec.get("spriteSourceSize"), 2)
    elif "frame" in spec:  # formats 1 and 2
        rect = _numbers(spec.get("frame"), 4)
        rotated = bool(spec.get("rotated", False))
        offset = _numbers(spec.get("offset"), 2) or (0, 0)
        source = _numbers(spec.get("sourceSize"), 2)
    elif all(key in spec for key in ("x", "y", "width", "height")):  # format 0
        rect = _ints([spec.get("x"), spec.get("y"), spec.get("width"), spec.get("height")])
        rotated = False
        offset = _ints([spec.get("offsetX", 0), spec.get("offsetY", 0)]) or (0, 0)
        source = _ints([spec.get("originalWidth", 0), spec.get("originalHeight", 0)])
    else:
        return None
    if rect is None:
        return None
    x, y, width, height = rect
    source_width, source_height = source if source else (width, height)
    # Cocos offsets are from the sprite's centre, y up; Frame offsets are the trimmed pixels' top-left corner.
    offset_x = (source_width - width) // 2 + offset[0]
    offset_y = (source_height - height) // 2 - offset[1]
    return Frame(x, y, width, height, rotated, offset_x, offset_y, source_width, source_height)


def _json_sheet(descriptor: str, frames_value: Any, image: Any) -> AtlasSheet | None:
    if isinstance(frames_value, dict):
        items = sorted(((str(name), spec) for name, spec in frames_value.items()), key=lambda item: item[0])
    elif isinstance(frames_value, list):
        items = [
            (str(spec.get("filename", index)), spec)
            for index, spec in enumerate(frames_value)
            if isinstance(spec, dict)
        ]
    else:
        return None
    if not items or not all(
        isinstance(spec, dict) and isinstance(spec.get("frame"), dict) for _, spec in items
    ):
        return None  # some other JSON with a 'frames' key
    frames: list[NamedFrame] = []
    problems: list[str] = []
    for name, spec in items:
        frame = _json_frame(spec)
        if frame is None:
            problems.append(f"frame {name[:80]!r}: no readable rectangle")
        else:
            frames.append(NamedFrame(name, frame))
    candidates = _page_candidates(descriptor, [image] if isinstance(image, str) and image else [])
    return AtlasSheet(descriptor, "texturepacker-json", candidates, tuple(frames), tuple(problems))


def _json_frame(spec: dict[str, Any]) -> Frame | None:
    rect = _ints([spec["frame"].get(key) for key in ("x", "y", "w", "h")])
    if rect is None:
        return None
    x, y, width, height = rect
    rotated = bool(spec.get("rotated", False))
    placed = spec.get("spriteSourceSize") if isinstance(spec.get("spriteSourceSize"), dict) else {}
    source = spec.get("sourceSize") if isinstance(spec.get("sourceSize"), dict) else {}
    offset = _ints([placed.get("x", 0), placed.get("y", 0)]) or (0, 0)
    source_size = _ints([source.get("w", width), source.get("h", height)]) or (width, height)
    return Frame(x, y, width, height, rotated, offset[0], offset[1], source_size[0], source_size[1])


def _grid_frames(grid: Section, frames: list[NamedFrame], problems: list[str]) -> None:
    """Freeciv's rule: x = x_top_left + (dx + pixel_border_x) * column, likewise for y and rows."""
    values = grid.values
    numbers = _ints(
        [values.get("x_top_left", 0), values.get("y_top_left", 0), values.get("dx"), values.get("dy")]
    )
    if numbers is None:
        problems.append(f"[{grid.name}] lacks numeric x_top_left/y_top_left/dx/dy")
        return
    left, top, dx, dy = numbers
    border = values.get("pixel_border", 0)
    border_x = values.get("pixel_border_x", border)
    border_y = values.get("pixel_border_y", border)
    if not isinstance(border_x, int) or not isinstance(border_y, int):
        problems.append(f"[{grid.name}] has a non-numeric pixel_border")
        return
    tiles = values.get("tiles")
    if not isinstance(tiles, tuple):
        problems.append(f"[{grid.name}] has no tiles table")
        return
    for row in tiles:
        if not isinstance(row, dict):
            continue
        position = _ints([row.get("row"), row.get("column")])
        tag = row.get("tag")
        if position is None or not isinstance(tag, str) or not tag:
            problems.append(f"[{grid.name}] tile row {row!r:.80} unreadable")
            continue
        y = top + (dy + border_y) * position[0]
        x = left + (dx + border_x) * position[1]
        frames.append(NamedFrame(tag, Frame(x, y, dx, dy, source_width=dx, source_height=dy)))


def _page_candidates(descriptor: str, textures: list[str]) -> tuple[str, ...]:
    """Texture names are relative to the description file; of a stale tool path only the base name holds."""
    folder = posixpath.dirname(descriptor)
    stem = posixpath.splitext(descriptor)[0]
    names: list[str] = []
    for texture in textures:
        texture = texture.replace("\\", "/")
        names.append(posixpath.normpath(posixpath.join(folder, texture)))
        names.append(
            posixpath.join(folder, posixpath.basename(texture)) if folder else posixpath.basename(texture)
        )
    names.extend(stem + extension for extension in PAGE_EXTENSIONS)
    return tuple(dict.fromkeys(name.lstrip("/") for name in names if not name.startswith("..")))


def _freeciv_candidates(descriptor: str, gfx: str) -> tuple[str, ...]:
    """`gfx` is relative to a Freeciv data directory: try each folder above the .spec, nearest first."""
    folder = posixpath.dirname(descriptor)
    folders = [folder]
    while folder:
        folder = posixpath.dirname(folder)
        folders.append(folder)
    names = [posixpath.join(base, gfx) + extension for base in folders for extension in PAGE_EXTENSIONS]
    return tuple(dict.fromkeys(posixpath.normpath(name) for name in names))


def _numbers(value: Any, count: int) -> tuple[int, ...] | None:
    """'{{x,y},{w,h}}' or '{w,h}' as integers."""
    if not isinstance(value, str):
        return None
    found = NUMBER.findall(value)
    if len(found) != count:
        return None
    return tuple(round(float(number)) for number in found)


def _ints(values: list[Any]) -> tuple[int, ...] | None:
    result: list[int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        result.append(round(value))
    return tuple(result)
