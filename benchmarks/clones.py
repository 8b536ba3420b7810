"""The clone kinds of issue 4 as package specifications built from a game's `Content`.

- `original`: the studio's own package (the baseline), or another game used as a hard negative;
- `repack`: a private-server repack: every file byte-identical, new name, id and key, prices cut, a few
  names changed in the translation;
- `reskin`: every image re-encoded, rescaled, recoloured, mirrored, cropped, badged, flattened... (each its
  own transform from benchmarks/transforms.py, in rotation), sprites repacked into TexturePacker atlases
  (trimmed, rotated, one atlas at half scale), Chinese converted to Traditional, the game renamed inside its
  strings, tables converted JSON -> CSV / one JSON array with rows reordered and prices changed;
- `icon_knockoff`: another game wearing the original's icon, recoloured and badged;
- `flip`: another game whose characters are the original's (a character-only asset flip);
- `text_rules`: another game's art with the original's text (Traditional, renamed) and converted tables;
- `listing` / `listing_knockoff`: store pages, the knock-off with a recoloured, badged icon and screenshots
  re-rendered at another aspect with other HUD numbers.

Every transform is seeded by the spec name and the file path, so a run always builds the same packages.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from opencc import OpenCC
from PIL import Image

from benchmarks import transforms
from benchmarks.corpus_games import Art, Content
from benchmarks.packages import AtlasFrame, Member, Spec
from benchmarks.screens import Hud, knockoff_screens, original_screens
from samples import art as sample_art

_TO_TRADITIONAL = OpenCC("s2t")
ATLAS_EVERY = 4  # every 4th single sprite (64 px or smaller) of a reskin goes into an atlas
ATLAS_SIZES = (256, 512, 1024, 2048)
PIRATE = "pirate"
STUDIO = "studio"


def _png(image: Image.Image) -> bytes:
    return transforms.png(image)


def _rng(*parts: str) -> random.Random:
    return random.Random("/".join(parts))


def _image_members(content: Content) -> list[Member]:
    return [Member(path, art.data(), art.identity) for path, art in content.images]


def _file_members(files: Sequence[tuple[str, bytes]]) -> list[Member]:
    return [Member(path, data) for path, data in files]


def original(content: Content, fmt: str = "apk", name: str = "") -> Spec:
    return Spec(
        name=name or content.name,
        format=fmt,
        label=content.label,
        package_id=content.package_id,
        owner=STUDIO,
        icon=content.icon.data(),
        icon_identity=content.icon.identity,
        members=tuple(_image_members(content) + _file_members(content.files)),
    )


# --- text and tables -------------------------------------------------------------------------------------


def traditional(data: bytes) -> bytes:
    return _TO_TRADITIONAL.convert(data.decode("utf-8")).encode("utf-8")


def renamed(data: bytes, names: Mapping[str, str]) -> bytes:
    text = data.decode("utf-8")
    for old, new in names.items():
        text = text.replace(old, new)
    return text.encode("utf-8")


def _is_chinese_file(path: str) -> bool:
    return "_zh" in path or "zh_CN" in path


def pirate_texts(files: Sequence[tuple[str, bytes]], names: Mapping[str, str]) -> list[Member]:
    """String files as a pirate ships them: Chinese converted to Traditional, the game renamed."""
    out = []
    for path, data in files:
        if not path.endswith((".properties", ".po")):
            continue
        edited = renamed(data, names)
        if _is_chinese_file(path):
            edited = traditional(edited)
            path = path.replace("_zh.", "_zh_TW.").replace("zh_CN", "zh_TW")
        out.append(Member(path, edited))
    return out


def _economy_rows(value: object) -> list[dict[str, object]]:
    shops = value if isinstance(value, list) else [value]
    rows = []
    for shop in shops:
        if isinstance(shop, dict):
            for item in shop.get("items", []):
                if isinstance(item, dict):
                    rows.append({"slug": shop.get("slug", ""), **item})
    return rows


def converted_tables(files: Sequence[tuple[str, bytes]], seed: str, price_factor: float) -> list[Member]:
    """Tuxemon's db as a pirate ships it: shops as one CSV (rows reversed, some prices changed), monsters as
    one JSON array (reordered, a catch rate changed), other tables moved; Freeciv rulesets left alone."""
    rng = _rng(seed, "tables")
    shops: list[dict[str, object]] = []
    monsters: list[dict[str, object]] = []
    out: list[Member] = []
    for path, data in files:
        if path.startswith("db/economy/"):
            shops.extend(_economy_rows(json.loads(data)))
        elif path.startswith("db/monster/"):
            monsters.append(json.loads(data))
        elif path.endswith(".json") and path.startswith("db/"):
            out.append(Member("data/" + path.removeprefix("db/"), data))
        elif path.endswith(".ruleset"):
            out.append(Member(path, data))
    if shops:
        columns = ["slug", "item_name", "price", "cost"]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in reversed(shops):
            price = row.get("price")
            if isinstance(price, int) and rng.random() < 0.4:
                price = max(1, round(price * price_factor))
            writer.writerow([row.get("slug", ""), row.get("item_name", ""), price, row.get("cost", "")])
        out.append(Member("data/shop.csv", buffer.getvalue().encode("utf-8")))
    if monsters:
        edited = []
        for record in sorted(monsters, key=lambda r: str(r.get("slug")), reverse=True):
            record = dict(record)
            if isinstance(record.get("catch_rate"), int | float) and rng.random() < 0.3:
                record["catch_rate"] = round(float(record["catch_rate"]) * 1.5, 1)
            edited.append(record)
        out.append(Member("data/monsters.json", (json.dumps(edited, ensure_ascii=False, indent=1)).encode()))
    return out


def cheaper_economy(files: Sequence[tuple[str, bytes]]) -> list[Member]:
    """A private server's shops: every price halved, the files otherwise as they were."""
    out = []
    for path, data in files:
        if path.startswith("db/economy/"):
            value = json.loads(data)
            shops = value if isinstance(value, list) else [value]
            for shop in shops:
                for item in shop.get("items", []) if isinstance(shop, dict) else []:
                    if isinstance(item, dict) and isinstance(item.get("price"), int):
                        item["price"] = max(1, item["price"] // 2)
            data = (json.dumps(value, indent=2) + "\n").encode("utf-8")
        out.append(Member(path, data))
    return out


def renamed_po_entries(data: bytes, count: int) -> bytes:
    """A translation with `count` entries given other names (the zone/monster renames of a private server)."""
    blocks = data.decode("utf-8").split("\n\n")
    changed = 0
    for index, block in enumerate(blocks):
        lines = block.splitlines()
        if (
            changed >= count
            or len(lines) < 2
            or not lines[-1].startswith('msgstr "')
            or lines[-1] == 'msgstr ""'
        ):
            continue
        if "_description" in block:
            continue
        lines[-1] = lines[-1][:-1] + '·私服"'
        blocks[index] = "\n".join(lines)
        changed += 1
    return "\n\n".join(blocks).encode("utf-8")


# --- images ----------------------------------------------------------------------------------------------


def transformed_images(
    content: Content,
    seed: str,
    atlas: bool,
    choose: Callable[[int, Image.Image], transforms.Transform | None],
) -> tuple[list[Member], list[AtlasFrame]]:
    """Every image through its transform; with `atlas`, every ATLAS_EVERY-th small sprite into an atlas."""
    members: list[Member] = []
    packed: dict[str, tuple[Image.Image, Art]] = {}
    for index, (path, art) in enumerate(content.images):
        image = art.image()
        if atlas and index % ATLAS_EVERY == 0 and max(image.size) <= 64 and "sprites" in path:
            packed[path.replace("/", "_").rsplit(".", 1)[0]] = (image, art)
            continue
        transform = choose(index, image)
        if transform is None:
            members.append(Member(path, art.data(), art.identity))
            continue
        encoded = transform.apply(image, _rng(seed, path, transform.name))
        target = path.rsplit(".", 1)[0] + "." + encoded.extension
        members.append(Member(target, encoded.data, art.identity, transform.name))
    frames: list[AtlasFrame] = []
    if packed:
        names = sorted(packed)
        halves = (names[0::2], names[1::2])
        for number, (chosen, scale) in enumerate(zip(halves, (1.0, 0.5), strict=True)):
            if not chosen:
                continue
            sprites = {
                name: transforms.resize(packed[name][0], scale) if scale != 1.0 else packed[name][0]
                for name in chosen
            }
            page = _pack(sprites, rotate=chosen[::3])
            texture = f"atlas/sprites{number}.png"
            members.append(Member(texture, _png(page.image)))
            members.append(
                Member(
                    f"atlas/sprites{number}.json",
                    sample_art.texturepacker_json(page, texture.rsplit("/", 1)[1]),
                )
            )
            label = "atlas" if scale == 1.0 else "atlas-half"
            frames.extend(
                AtlasFrame(texture, name + ".png", packed[name][1].identity, label) for name in chosen
            )
    return members, frames


def _pack(sprites: Mapping[str, Image.Image], rotate: Sequence[str]) -> sample_art.AtlasPage:
    for size in ATLAS_SIZES:
        try:
            return sample_art.pack_atlas(sprites, rotate=rotate, size=size)
        except ValueError:
            continue
    raise ValueError("sprites do not fit one atlas page")


def rotation(seed: str) -> Callable[[int, Image.Image], transforms.Transform | None]:
    """Transforms in turn (each image the next one that applies to it), starting at a seeded offset."""
    offset = _rng(seed, "rotation").randrange(len(transforms.TRANSFORMS))

    def choose(index: int, image: Image.Image) -> transforms.Transform | None:
        usable = transforms.applicable(image)
        return usable[(index + offset) % len(usable)] if usable else None

    return choose


def some_of(
    names: Sequence[str], share: float, seed: str
) -> Callable[[int, Image.Image], transforms.Transform | None]:
    """The named transforms in turn on a share of the images; the rest are copied as they are."""
    rng = _rng(seed, "some")

    def choose(index: int, image: Image.Image) -> transforms.Transform | None:
        if rng.random() >= share:
            return None
        usable = [transforms.BY_NAME[n] for n in names if transforms.BY_NAME[n].applies(image)]
        return usable[index % len(usable)] if usable else None

    return choose


def knockoff_icon(icon: Art, seed: str) -> tuple[bytes, str]:
    """The original's icon recoloured with a badge stamped on, as an icon knock-off shows it."""
    encoded = transforms.chain(transforms.hue, transforms.badge)(icon.image(), _rng(seed, "icon"))
    return encoded.data, "hue+badge"


# --- the clone kinds -------------------------------------------------------------------------------------


def repack(content: Content, fmt: str = "apk") -> Spec:
    files = cheaper_economy(content.files)
    files = [
        Member(m.path, renamed_po_entries(m.data, 5)) if m.path.endswith(".po") and "zh" in m.path else m
        for m in files
    ]
    return replace(
        original(content, fmt),
        name=f"{content.name}-repack" + ("-ipa" if fmt == "ipa" else ""),
        label={
            "": content.label[""] + " Private",
            "zh-rCN": content.label.get("zh-rCN", content.label[""]) + "私服",
        },
        package_id=f"com.pirate.{content.name.replace('-', '')}",
        owner=PIRATE,
        members=tuple(_image_members(content) + files),
    )


def reskin(content: Content, fmt: str, new_name: str) -> Spec:
    name = f"{content.name}-reskin"
    members, frames = transformed_images(content, name, atlas=True, choose=rotation(name))
    texts = pirate_texts(content.files, {content.label[""]: new_name})
    tables = converted_tables(content.files, name, price_factor=0.5)
    icon, icon_transform = knockoff_icon(content.icon, name)
    return Spec(
        name=name,
        format=fmt,
        label={"": new_name},
        package_id=f"com.reskin.{content.name.replace('-', '')}",
        owner=PIRATE,
        icon=icon,
        icon_identity=content.icon.identity,
        icon_transform=icon_transform,
        members=tuple(members + texts + tables),
        frames=tuple(frames),
    )


def icon_knockoff(target: Content, host: Content) -> Spec:
    name = f"{target.name}-icon-knockoff"
    icon, icon_transform = knockoff_icon(target.icon, name)
    return replace(
        original(host, "apk", name),
        owner=PIRATE,
        icon=icon,
        icon_identity=target.icon.identity,
        icon_transform=icon_transform,
    )


def flip(target: Content, host: Content) -> Spec:
    """The host game with its characters replaced by the target's (some transformed)."""
    name = f"{target.name}-flip"
    characters = replace(target, images=tuple((p, a) for p, a in target.images if "sprites/" in p))
    members, frames = transformed_images(
        characters, name, atlas=False, choose=some_of(("mirror", "hue", "upscale", "webp"), 0.5, name)
    )
    members = [replace(m, path="art/" + m.path) for m in members]
    host_images = [m for m in _image_members(host) if "units/" not in m.path]
    return replace(
        original(host, "apk", name),
        owner=PIRATE,
        members=tuple(host_images + members + _file_members(host.files)),
        frames=tuple(frames),
    )


def text_rules(target: Content, host: Content, new_name: str) -> Spec:
    """The host's art with the target's strings (Traditional, renamed) and tables (converted)."""
    name = f"{target.name}-text-rules"
    texts = pirate_texts(target.files, {target.label[""]: new_name})
    tables = converted_tables(target.files, name, price_factor=2.0)
    return replace(
        original(host, "apk", name),
        label={"": new_name},
        owner=PIRATE,
        members=tuple(_image_members(host) + texts + tables),
    )


HUD_ORIGINAL = (Hud("Lv", 12, (45, 60), 1250), Hud("Lv", 7, (12, 30), 310), Hud("Lv", 21, (88, 90), 4020))
HUD_KNOCKOFF = (Hud("Lv", 35, (99, 99), 99999), Hud("Lv", 50, (5, 120), 777), Hud("Lv", 2, (1, 9), 8))


def listing(content: Content, screens: int) -> Spec:
    shots = original_screens(content, screens, [replace(h, title=content.label[""]) for h in HUD_ORIGINAL])
    return Spec(
        name=f"{content.name}-listing",
        format="listing",
        label={"": content.label[""]},
        package_id="",
        owner=STUDIO,
        icon=_png(content.icon.image().resize((512, 512), Image.Resampling.LANCZOS)),
        icon_identity=content.icon.identity,
        members=tuple(
            Member(f"screenshots/{i:02d}.{s.extension}", s.data, s.identity, "", s.contains)
            for i, s in enumerate(shots, start=1)
        ),
        title=content.label[""],
        description=content.description,
    )


def listing_knockoff(content: Content, screens: int, new_name: str) -> Spec:
    name = f"{content.name}-listing-knockoff"
    shots = knockoff_screens(content, screens, [replace(h, title=new_name) for h in HUD_KNOCKOFF])
    icon, icon_transform = knockoff_icon(content.icon, name)
    icon = _png(Image.open(io.BytesIO(icon)).convert("RGBA").resize((512, 512), Image.Resampling.LANCZOS))
    return Spec(
        name=name,
        format="listing",
        label={"": new_name},
        package_id="",
        owner=PIRATE,
        icon=icon,
        icon_identity=content.icon.identity,
        icon_transform=icon_transform,
        members=tuple(
            Member(f"screenshots/{i:02d}.{s.extension}", s.data, s.identity, "letterboxed", s.contains)
            for i, s in enumerate(shots, start=1)
        ),
        title=f"{new_name} - the best new adventure",
        description=f"{new_name}: catch, train and battle. Free to play, VIP rewards every day!",
    )
