"""A real-size game and a reskinned clone of it, generated at run time for benchmarks/perf.py.

    plan = plan_game(300 * MIB)               # what to draw: >= 4,000 images, strings, tables, audio
    pair = build_pair(plan, workdir, jobs=2)  # both as real signed APKs (aapt, zipalign, apksigner)

The art is painted, not noise: a smooth colour field, anti-aliased shapes with dark outlines, mid-frequency
texture and a little grain, with transparent margins around sprites. It compresses like game art does (PNG
sprites about 5:1, opaque PNG about 3:1, JPEG at quality 88 about 17:1 of RGB), so decoding costs what real
art costs: pure noise would not compress and flat colour would decode unrealistically fast.

The game: thousands of sprites and UI pieces (48 to 512 px), character portraits (512 to 1024 px), JPEG
backgrounds (1280 x 720 to 2048 x 1536), TexturePacker atlases (2048 and 4096 px pages with their JSON frame
lists), a few incompressible audio files, string files in three locales and data tables. The clone is what
a private server ships: most art byte-identical, some re-encoded (same pixels, other bytes), recoloured,
rescaled or replaced; a few strings edited, prices changed; a new name, package id, icon and signing key.

Everything is derived from the plan's seed, so one size and seed always give the same game (bytes depend
on the OpenCV/zlib/libjpeg versions, like any encoder's output); another seed and identity give another
game (perf.py's not-a-copy suspect).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samples.build import build_apk, make_key, sign_apk

MIB = 1024 * 1024
REFERENCE_BYTES = 300 * MIB  # the size the asset counts below are set for
PNG_LEVEL = [cv2.IMWRITE_PNG_COMPRESSION, 4]
PNG_LEVEL_REENCODED = [cv2.IMWRITE_PNG_COMPRESSION, 9]  # a pirate's optimiser: other bytes, same pixels
JPEG_QUALITY = [cv2.IMWRITE_JPEG_QUALITY, 88]
JPEG_QUALITY_REENCODED = [cv2.IMWRITE_JPEG_QUALITY, 80]
# Encoded bytes per pixel of the painted art, measured on this generator; used only to plan the sizes.
SPRITE_BYTES_PER_PIXEL = 1.1  # PNG with alpha, up to 512 x 512
PORTRAIT_BYTES_PER_PIXEL = 0.8  # bigger PNG with alpha: relatively less outline and margin
PNG_OPAQUE_BYTES_PER_PIXEL = 1.35
JPEG_BYTES_PER_PIXEL = 0.18
ATLAS_BYTES_PER_PIXEL = 0.57  # of the page: packed sprites with padding and trimmed gaps
ATLAS_PADDING = 2
TOP_UP_MARGIN = 4 * MIB  # zip headers and compressed text make the package differ a little from its files
LOCALES = ("en", "zh_CN", "ja")
# clone edits as cumulative shares of the images (by a hash of the path, so they are stable)
EDITS: tuple[tuple[str, float], ...] = (
    ("same", 0.55),
    ("reencode", 0.70),
    ("recolour", 0.82),
    ("rescale", 0.90),
    ("new", 1.00),
)


@dataclass(frozen=True, slots=True)
class ImageSpec:
    path: str  # under assets/
    width: int
    height: int
    alpha: bool
    fmt: str  # 'png' or 'jpeg'
    seed: int
    edit: str  # what the clone does to it: same, reencode, recolour, rescale, new


@dataclass(frozen=True, slots=True)
class AtlasSpec:
    path: str  # the page PNG under assets/; its frame list is the same path with .json
    side: int
    detail: float  # frame sides grow with it, like every image side of an HD build
    seed: int
    edit: str  # same or recolour (a repainted page keeps its frame list)


@dataclass(frozen=True, slots=True)
class GameIdentity:
    """What tells one game from another besides its art: its names (its clone renames it) and publisher."""

    publisher: str  # the signing certificate's subject
    package_id: str
    title: str
    title_zh: str
    zone: str  # the first server zone's name
    zone_zh: str


REALM = GameIdentity(
    "CN=Example Games, O=Example Games Ltd, C=CN",
    "com.examplegames.realm",
    "Realm of Dragons",
    "龙域",
    "Azure Realm",
    "青龙区",
)
STARFALL = GameIdentity(
    "CN=Starfall Games, O=Starfall Games GmbH, C=DE",
    "com.starfallgames.tactics",
    "Starfall Tactics",
    "星落战术",
    "Dawn Coast",
    "晨岸区",
)


@dataclass(frozen=True, slots=True)
class GamePlan:
    target_bytes: int
    seed: int  # every byte of the game comes from it: art, icon, strings, tables, audio
    identity: GameIdentity
    images: tuple[ImageSpec, ...]
    atlases: tuple[AtlasSpec, ...]
    audio: tuple[tuple[str, int], ...]  # (path under assets/, bytes)
    strings_per_locale: int
    table_rows: int

    @property
    def image_count(self) -> int:
        """Image files per package (atlas pages included, their frames not)."""
        return len(self.images) + len(self.atlases)


@dataclass(frozen=True, slots=True)
class GamePair:
    original: Path
    clone: Path
    original_bytes: int
    clone_bytes: int
    images: int  # image files per package
    frames: int  # atlas frames per package
    strings: int  # string values per package (all locales)
    edits: dict[str, int]  # clone edits by kind, over image files


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _edit(path: str) -> str:
    share = _stable("edit:" + path) / 2**64
    return next(name for name, upper in EDITS if share < upper)


def plan_game(target_bytes: int, seed: int = 7, identity: GameIdentity = REALM) -> GamePlan:
    """The game's asset list for a package of about `target_bytes`.

    A bigger game is mostly a higher-resolution one (an HD build), as real games grow: asset counts grow at
    most 1.25x over the 300 MiB game's while every image side grows with the square root of the size, and
    JPEG backgrounds and atlas pages fill what is left (about 2 : 3 in bytes)."""
    rng = np.random.default_rng(seed)
    scale = min(1.25, target_bytes / REFERENCE_BYTES)
    detail = max(1.0, target_bytes / REFERENCE_BYTES) ** 0.5
    images: list[ImageSpec] = []
    budget = 0.0

    def add(path: str, width: int, height: int, alpha: bool, fmt: str) -> None:
        nonlocal budget
        spec = ImageSpec(path, width, height, alpha, fmt, int(rng.integers(2**31)), _edit(path))
        images.append(spec)
        budget += width * height * _bytes_per_pixel(width * height, alpha, fmt)

    def hd(size: int) -> int:
        return min(4096, round(size * detail))

    def side(low: int, high: int) -> int:
        return int(np.exp(rng.uniform(np.log(low), np.log(high))))  # log-uniform: many small, few big

    for index in range(round(3100 * scale)):
        folder = ("characters", "items", "effects", "monsters")[index % 4]
        add(f"{folder}/{folder[:-1]}_{index:05d}.png", side(48, hd(256)), side(48, hd(256)), True, "png")
    for index in range(round(700 * scale)):
        opaque = index % 5 == 0
        add(f"ui/panel_{index:04d}.png", side(64, hd(512)), side(48, hd(384)), not opaque, "png")
    for index in range(round(130 * scale)):
        add(f"portraits/hero_{index:04d}.png", side(512, hd(1024)), side(512, hd(1024)), True, "png")
    atlases: list[AtlasSpec] = []
    audio: list[tuple[str, int]] = []
    audio_budget = 0.04 * target_bytes
    fill = 0.93 * target_bytes - budget - audio_budget
    background_bytes = atlas_bytes = 0.0
    index = 0
    while background_bytes + atlas_bytes < fill:
        if background_bytes < 0.67 * atlas_bytes:
            width = hd(int(rng.choice([1280, 1600, 1920, 2048])))
            height = width * int(rng.choice([9, 10, 12])) // 16
            before = budget
            add(f"backgrounds/bg_{index:03d}.jpg", width, height, False, "jpeg")
            background_bytes += budget - before
        else:
            page_side = 4096 if len(atlases) % 5 == 4 or detail > 1.4 else 2048
            path = f"atlas/sheet_{index:03d}.png"
            atlases.append(AtlasSpec(path, page_side, detail, int(rng.integers(2**31)), _atlas_edit(path)))
            atlas_bytes += page_side * page_side * ATLAS_BYTES_PER_PIXEL
        index += 1
    for number in range(max(1, round(audio_budget / (3 * MIB)))):
        audio.append((f"audio/track_{number:03d}.ogg", int(rng.integers(2 * MIB, 4 * MIB))))
    return GamePlan(
        target_bytes=target_bytes,
        seed=seed,
        identity=identity,
        images=tuple(images),
        atlases=tuple(atlases),
        audio=tuple(audio),
        strings_per_locale=round(4000 * scale),
        table_rows=round(1500 * scale),
    )


def _bytes_per_pixel(pixels: int, alpha: bool, fmt: str) -> float:
    if fmt == "jpeg":
        return JPEG_BYTES_PER_PIXEL
    if not alpha:
        return PNG_OPAQUE_BYTES_PER_PIXEL
    return SPRITE_BYTES_PER_PIXEL if pixels <= 512 * 512 else PORTRAIT_BYTES_PER_PIXEL


def _atlas_edit(path: str) -> str:
    return "same" if _stable("atlas:" + path) % 2 == 0 else "recolour"


# ---------------------------------------------------------------------------------------------------------
# Painting


def paint(rng: np.random.Generator, width: int, height: int, alpha: bool) -> np.ndarray:
    """BGR or BGRA uint8 art: colour field, outlined shapes, texture; sprites get an anti-aliased outline."""
    grid = (max(2, height // 96), max(2, width // 96))
    field = rng.integers(0, 256, (*grid, 3), dtype=np.uint8)
    image = cv2.resize(field, (width, height), interpolation=cv2.INTER_CUBIC)
    stroke = max(1, min(width, height) // 150)
    for _ in range(int(rng.integers(4, 12))):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (
            int(rng.integers(max(2, width // 16), max(3, width // 3))),
            int(rng.integers(max(2, height // 16), max(3, height // 3))),
        )
        angle = float(rng.integers(0, 180))
        cv2.ellipse(image, centre, axes, angle, 0, 360, colour, -1, cv2.LINE_AA)
        cv2.ellipse(image, centre, axes, angle, 0, 360, (24, 20, 30), stroke, cv2.LINE_AA)
    texture = rng.normal(0.0, 10.0, (max(1, height // 4), max(1, width // 4))).astype(np.float32)
    texture = cv2.resize(texture, (width, height), interpolation=cv2.INTER_LINEAR)
    grain = rng.normal(0.0, 1.5, (height, width)).astype(np.float32)
    shade = (texture + grain)[..., None]
    art = np.clip(image.astype(np.float32) + shade, 0, 255).astype(np.uint8)
    if not alpha:
        return art
    rgba = np.dstack([art, silhouette(rng, width, height)])
    rgba[rgba[..., 3] == 0, :3] = 0  # exporters clear the colour under fully transparent pixels
    return rgba


def silhouette(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A sprite's alpha: a union of 1 to 4 ellipses, boxes and polygons placed anywhere inside the canvas,
    so sprites differ in outline as much as in colour (like characters, items and effects do)."""
    mask = np.zeros((height, width), np.uint8)
    for _ in range(int(rng.integers(1, 5))):
        kind = int(rng.integers(0, 3))
        cx, cy = int(rng.uniform(0.25, 0.75) * width), int(rng.uniform(0.25, 0.75) * height)
        rx, ry = int(rng.uniform(0.1, 0.45) * width) + 1, int(rng.uniform(0.1, 0.45) * height) + 1
        if kind == 0:
            cv2.ellipse(mask, (cx, cy), (rx, ry), float(rng.integers(0, 180)), 0, 360, 255, -1, cv2.LINE_AA)
        elif kind == 1:
            box = cv2.boxPoints(((cx, cy), (2 * rx, 2 * ry), float(rng.integers(0, 90))))
            cv2.fillPoly(mask, [np.round(box).astype(np.int32)], 255, cv2.LINE_AA)
        else:
            corners = int(rng.integers(3, 8))
            angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
            radii = rng.uniform(0.4, 1.0, corners)
            points = np.stack([cx + rx * radii * np.cos(angles), cy + ry * radii * np.sin(angles)], axis=1)
            cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 255, cv2.LINE_AA)
    return mask


def recolour(image: np.ndarray, shift: int = 40) -> np.ndarray:
    """Rotate the hue (0..255 scale), keep alpha: the cheapest reskin."""
    hsv = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_BGR2HSV_FULL)
    hsv[..., 0] = (hsv[..., 0].astype(np.uint16) + shift).astype(np.uint8)
    bgr = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR_FULL)
    return np.dstack([bgr, image[..., 3]]) if image.shape[2] == 4 else bgr


def encode(image: np.ndarray, fmt: str, reencoded: bool = False) -> bytes:
    if fmt == "jpeg":
        ok, data = cv2.imencode(".jpg", image, JPEG_QUALITY_REENCODED if reencoded else JPEG_QUALITY)
    else:
        ok, data = cv2.imencode(".png", image, PNG_LEVEL_REENCODED if reencoded else PNG_LEVEL)
    if not ok:
        raise RuntimeError(f"OpenCV could not encode {fmt}")
    return data.tobytes()


def render_image(spec: ImageSpec, original_root: Path, clone_root: Path) -> tuple[int, int]:
    """Write the original file and the clone's version of it; returns both sizes."""
    image = paint(np.random.default_rng(spec.seed), spec.width, spec.height, spec.alpha)
    original = encode(image, spec.fmt)
    if spec.edit == "same":
        clone = original
    elif spec.edit == "reencode":
        decoded = cv2.imdecode(np.frombuffer(original, np.uint8), cv2.IMREAD_UNCHANGED)
        clone = encode(decoded, spec.fmt, reencoded=True)
    elif spec.edit == "recolour":
        clone = encode(recolour(image), spec.fmt)
    elif spec.edit == "rescale":
        size = (max(1, spec.width * 3 // 4), max(1, spec.height * 3 // 4))
        clone = encode(cv2.resize(image, size, interpolation=cv2.INTER_AREA), spec.fmt)
    else:
        other = np.random.default_rng(spec.seed ^ 0x5EED)
        clone = encode(paint(other, spec.width, spec.height, spec.alpha), spec.fmt)
    _write(original_root / spec.path, original)
    _write(clone_root / spec.path, clone)
    return len(original), len(clone)


def render_atlas(spec: AtlasSpec, original_root: Path, clone_root: Path) -> tuple[int, int]:
    """A shelf-packed page of sprites with a TexturePacker 'JSON (Hash)' frame list (trimmed margins)."""
    rng = np.random.default_rng(spec.seed)
    page = np.zeros((spec.side, spec.side, 4), np.uint8)
    frames: dict[str, dict[str, object]] = {}
    x = y = shelf = ATLAS_PADDING
    number = 0
    low, high = (48, 200) if spec.side <= 2048 else (96, 400)
    low, high = round(low * spec.detail), round(high * spec.detail)
    while True:
        width, height = (int(np.exp(rng.uniform(np.log(low), np.log(high)))) for _ in range(2))
        if x + width + ATLAS_PADDING > spec.side:
            x, y, shelf = ATLAS_PADDING, y + shelf + ATLAS_PADDING, 0
        if y + height + ATLAS_PADDING > spec.side:
            break
        page[y : y + height, x : x + width] = paint(rng, width, height, True)
        margin = int(rng.integers(0, 9))  # transparent margin the packer trimmed away
        frames[f"frame_{number:04d}.png"] = {
            "frame": {"x": x, "y": y, "w": width, "h": height},
            "rotated": False,
            "trimmed": margin > 0,
            "spriteSourceSize": {"x": margin, "y": margin, "w": width, "h": height},
            "sourceSize": {"w": width + 2 * margin, "h": height + 2 * margin},
            "pivot": {"x": 0.5, "y": 0.5},
        }
        number += 1
        x += width + ATLAS_PADDING
        shelf = max(shelf, height)
    name = spec.path.rsplit("/", 1)[-1]
    meta = {"app": "https://www.codeandweb.com/texturepacker", "version": "1.0", "image": name,
            "format": "RGBA8888", "size": {"w": spec.side, "h": spec.side}, "scale": "1"}  # fmt: skip
    descriptor = (json.dumps({"frames": frames, "meta": meta}, indent=2) + "\n").encode()
    original = encode(page, "png")
    clone = original if spec.edit == "same" else encode(recolour(page), "png")
    json_path = spec.path[: -len(".png")] + ".json"
    for root, data in ((original_root, original), (clone_root, clone)):
        _write(root / spec.path, data)
        _write(root / json_path, descriptor)
    return len(original), len(clone)


def frame_count(root: Path, plan: GamePlan) -> int:
    total = 0
    for atlas in plan.atlases:
        descriptor = root / (atlas.path[: -len(".png")] + ".json")
        total += len(json.loads(descriptor.read_text())["frames"])
    return total


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _render_task(task: tuple[ImageSpec | AtlasSpec, Path, Path]) -> tuple[int, int]:
    cv2.setNumThreads(1)
    spec, original_root, clone_root = task
    if isinstance(spec, AtlasSpec):
        return render_atlas(spec, original_root, clone_root)
    return render_image(spec, original_root, clone_root)


# ---------------------------------------------------------------------------------------------------------
# Text and tables

SYLLABLES = ("ka", "ri", "mo", "ten", "sha", "lu", "vor", "el", "dra", "gon", "mi", "sto", "ne", "fa", "zu",
             "ki", "ra", "bel", "tor", "an", "is", "ul", "gar", "wen", "pho", "que")  # fmt: skip


def _words(rng: np.random.Generator, count: int) -> str:
    return " ".join(
        "".join(SYLLABLES[int(i)] for i in rng.integers(0, len(SYLLABLES), int(rng.integers(1, 4))))
        for _ in range(count)
    )


def _hanzi(rng: np.random.Generator, count: int) -> str:
    return "".join(chr(0x4E00 + int(c)) for c in rng.integers(0, 3000, count))


def _kana(rng: np.random.Generator, count: int) -> str:
    return "".join(chr(0x3041 + int(c)) for c in rng.integers(0, 83, count))


def string_files(plan: GamePlan, clone: bool) -> dict[str, bytes]:
    """assets/i18n/<locale>/strings.json per locale; the clone edits 4 % of values and adds 6 % new ones."""
    files: dict[str, bytes] = {}
    for locale in LOCALES:
        rng = np.random.default_rng(_stable(f"strings:{plan.seed}:{locale}") % 2**32)
        values: dict[str, str] = {}
        for index in range(plan.strings_per_locale):
            length = int(rng.integers(2, 30))
            text = (
                _words(rng, max(1, length // 4))
                if locale == "en"
                else _hanzi(rng, length)
                if locale == "zh_CN"
                else _kana(rng, length)
            )
            values[f"str_{index:05d}"] = text
        if clone:
            edit = np.random.default_rng(_stable(f"clone-strings:{plan.seed}:{locale}") % 2**32)
            for key in list(values):
                roll = edit.random()
                if roll < 0.04:
                    values[key] = values[key][: max(1, len(values[key]) // 2)] + "私服"
            for index in range(round(plan.strings_per_locale * 0.06)):
                values[f"str_new_{index:05d}"] = _words(edit, 4) if locale == "en" else _hanzi(edit, 8)
        files[f"i18n/{locale}/strings.json"] = (
            json.dumps(values, ensure_ascii=False, indent=1) + "\n"
        ).encode()
    return files


def table_files(plan: GamePlan, clone: bool) -> dict[str, bytes]:
    """items/skills/shop CSV tables and a monsters JSON list; the clone halves the shop prices."""
    rng = np.random.default_rng(_stable(f"tables:{plan.seed}") % 2**32)
    rows = plan.table_rows
    items = [["item_id", "name", "type", "rarity", "attack", "defence", "price"]]
    for index in range(rows):
        items.append([str(10000 + index), _words(rng, 2), ("weapon", "armour", "potion", "gem")[index % 4],
                      str(int(rng.integers(1, 6))), str(int(rng.integers(0, 900))),
                      str(int(rng.integers(0, 900))), str(int(rng.integers(1, 5000)))])  # fmt: skip
    skills = [["skill_id", "name", "cooldown", "damage", "mana"]]
    for index in range(rows // 2):
        skills.append([str(500 + index), _words(rng, 3), str(int(rng.integers(1, 60))),
                       str(int(rng.integers(10, 9000))), str(int(rng.integers(0, 300)))])  # fmt: skip
    shop = [["sku", "name", "price", "currency", "amount"]]
    for index in range(max(10, rows // 10)):
        price = int(rng.integers(1, 648))
        shop.append([f"sku_{index:04d}", _words(rng, 2), str(price // 2 if clone else price), "CNY",
                     str(int(rng.integers(1, 10000)))])  # fmt: skip
    monsters = [
        {
            "id": 2000 + index,
            "name": _words(rng, 2),
            "hp": int(rng.integers(100, 99999)),
            "atk": int(rng.integers(5, 5000)),
            "zone": int(rng.integers(1, 20)),
        }
        for index in range(rows // 3)
    ]
    return {
        "data/items.csv": _csv(items),
        "data/skills.csv": _csv(skills),
        "data/shop.csv": _csv(shop),
        "data/monsters.json": (json.dumps(monsters, ensure_ascii=False, indent=1) + "\n").encode(),
    }


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def audio_bytes(plan: GamePlan, path: str, size: int) -> bytes:
    """Compressed audio does not compress again: an Ogg page header, then random bytes."""
    rng = np.random.default_rng(_stable(f"audio:{plan.seed}:{path}") % 2**32)
    return b"OggS\x00\x02" + rng.bytes(size - 6)


def icon(plan: GamePlan, side: int, clone: bool) -> bytes:
    """The launcher icon: one picture at every density (the clone's hue-shifted)."""
    image = paint(np.random.default_rng(_stable(f"icon:{plan.seed}") % 2**32), side, side, False)
    return encode(recolour(image, 90) if clone else image, "png")


# ---------------------------------------------------------------------------------------------------------
# Packages


class FileTree(Mapping[str, bytes]):
    """The files under a folder as {relative path: bytes}, read when asked: build_apk copies them one by one,
    so a 1 GiB game never sits in memory."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        self._known = frozenset(self._names)

    def __getitem__(self, name: str) -> bytes:
        if name not in self._known:
            raise KeyError(name)
        return (self._root / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def render_game(plan: GamePlan, workdir: Path, jobs: int) -> tuple[Path, Path]:
    """Write both games' asset folders (workdir/original, workdir/clone) in `jobs` processes."""
    roots = (workdir / "original" / "assets", workdir / "clone" / "assets")
    specs: list[ImageSpec | AtlasSpec] = [*plan.atlases, *plan.images]  # big pages first: better balance
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        for _ in pool.map(_render_task, [(spec, *roots) for spec in specs], chunksize=16):
            pass
    for clone, root in ((False, roots[0]), (True, roots[1])):
        for path, data in {**string_files(plan, clone), **table_files(plan, clone)}.items():
            _write(root / path, data)
        for path, size in plan.audio:
            _write(root / path, audio_bytes(plan, path, size))
    return roots


EXTRA_AUDIO = "audio/ambience_extra.ogg"


def top_up(plan: GamePlan, roots: tuple[Path, Path]) -> None:
    """One more audio file in both games when the art came out smaller than planned: the original package
    must reach the target size (the estimate of encoded bytes is only an estimate)."""
    total = sum(path.stat().st_size for path in roots[0].rglob("*") if path.is_file())
    missing = plan.target_bytes + TOP_UP_MARGIN - total
    if missing > 0:
        for root in roots:
            _write(root / EXTRA_AUDIO, audio_bytes(plan, EXTRA_AUDIO, missing))


def build_pair(plan: GamePlan, workdir: Path, jobs: int = os.cpu_count() or 1) -> GamePair:
    """Render the game and its clone, then compile, align and sign both with the Android tools."""
    roots = render_game(plan, workdir, jobs)
    top_up(plan, roots)
    return package_pair(plan, workdir, roots)


def package_pair(plan: GamePlan, workdir: Path, roots: tuple[Path, Path]) -> GamePair:
    """Both rendered games as signed APKs: workdir/original.apk and workdir/clone.apk."""
    original_assets, clone_assets = roots
    game = plan.identity
    original_key = make_key(workdir / "keys", "RSA", game.publisher)
    clone_key = make_key(workdir / "keys", "RSA", "CN=Android Debug, O=Android, C=US")
    densities = {"mdpi": 48, "hdpi": 72, "xhdpi": 96, "xxhdpi": 144, "xxxhdpi": 192}
    common = {"version_code": 320, "version_name": "3.2.0", "schemes": ("v1", "v2")}
    original = build_apk(
        workdir / "original.apk",
        package_id=game.package_id,
        label={"": game.title, "zh-rCN": game.title_zh},
        strings={"": {"menu_start": "Start", "zone_1": game.zone}, "zh-rCN": {"zone_1": game.zone_zh}},
        icons={density: icon(plan, side, clone=False) for density, side in densities.items()},
        assets=FileTree(original_assets),
        key=original_key,
        **common,  # type: ignore[arg-type]
    )
    clone = build_apk(
        workdir / "clone.apk",
        package_id="com.pirate." + game.package_id.rsplit(".", 1)[-1],
        label={"": game.title + " Private", "zh-rCN": game.title_zh + "私服"},
        strings={"": {"menu_start": "Start", "zone_1": "Supreme One"}, "zh-rCN": {"zone_1": "至尊一区"}},
        icons={density: icon(plan, side, clone=True) for density, side in densities.items()},
        assets=FileTree(clone_assets),
        key=clone_key,
        **common,  # type: ignore[arg-type]
    )
    edits: dict[str, int] = {}
    for spec in [*plan.images, *plan.atlases]:
        edits[spec.edit] = edits.get(spec.edit, 0) + 1
    return GamePair(
        original=original,
        clone=clone,
        original_bytes=original.stat().st_size,
        clone_bytes=clone.stat().st_size,
        images=plan.image_count + len(densities),
        frames=frame_count(original_assets, plan),
        strings=plan.strings_per_locale * len(LOCALES),
        edits=dict(sorted(edits.items())),
    )


def resigned_copy(original: Path, workdir: Path) -> Path:
    """workdir/repack.apk: the original signed again with another key, every other entry unchanged - a
    private server's repack at its purest (a new name and server address cost nothing more to compare)."""
    keys = workdir / "keys-repack"
    key = make_key(keys, "RSA", "CN=Private Server, O=Pirate, C=CN")
    out = sign_apk(original, workdir / "repack.apk", key)
    shutil.rmtree(keys, ignore_errors=True)
    return out


OTHER_SEED = 8  # another game: the default plan uses seed 7


def other_game(size: int, workdir: Path, jobs: int) -> Path:
    """workdir/other-<MiB>m.apk: another game of this generator (another seed, name and package, half the
    size), not a copy of the original: its art, icon, strings, tables and audio are its own; it shares the
    art style and the syllables its words are made of, as two games of one genre and language would. Kept
    for the next run."""
    target = workdir / f"other-{size // MIB}m.apk"
    if not target.exists():
        folder = workdir / "other"
        pair = build_pair(plan_game(max(size // 2, 20 * MIB), OTHER_SEED, STARFALL), folder, jobs)
        pair.original.replace(target)
        shutil.rmtree(folder, ignore_errors=True)
    return target
