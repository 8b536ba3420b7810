"""A realistic schema_version 1 report, made by hand, for the exhibit and notice tests.

The story is the court's: a private-server repack of a Chinese game. Same icon, characters, interface,
strings and data tables; a new name, package id, signing key, cheaper diamonds (钻石 6 -> 3), new zone names
and the pirate's own server. The tests below keep the hand-made dict honest: it must have exactly the keys
that clonedetect.report.model.build_report writes for a real Comparison.
"""

from __future__ import annotations

import base64
import copy
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from PIL import Image, ImageDraw, ImageOps

from clonedetect.model import (
    Category,
    CategoryScore,
    Comparison,
    Difference,
    Match,
    Package,
    PackageFormat,
    Signer,
    Verdict,
)
from clonedetect.report.model import build_report
from clonedetect.settings import Settings

ORIGINAL_SHA = "3f1c" + "a7" * 30
SUSPECT_SHA = "9b2e" + "51" * 30
ORIGINAL_CERT = "6c0d" + "e4" * 30
SUSPECT_CERT = "a11f" + "08" * 30
PIRATE_IP = "203.0.113.45"  # TEST-NET-3: documentation address, never contacted
COMMAND = ["clonedetect", "compare", "dragons-1.2.0.apk", "dragons-bt.apk", "--json", "report.json"]

CHARACTERS = ["hero_warrior", "hero_mage", "hero_archer", "npc_elder", "monster_slime", "monster_dragon"]
UI = ["btn_start", "btn_shop", "panel_main", "bg_login"]


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _icon(size: int, hue_shift: bool = False) -> Image.Image:
    image = Image.new("RGBA", (size, size), (178, 34, 34, 255) if not hue_shift else (34, 90, 178, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.15, size * 0.15, size * 0.85, size * 0.85), fill=(255, 215, 0, 255))
    draw.polygon(
        [(size * 0.5, size * 0.22), (size * 0.72, size * 0.7), (size * 0.28, size * 0.7)],
        fill=(120, 20, 20, 255),
    )
    return image


def _sprite(index: int) -> Image.Image:
    """A 32 px pixel-art figure, different per index, on a transparent background."""
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    colour = [(200, 60, 60), (60, 60, 200), (60, 160, 60), (150, 120, 60), (90, 200, 200), (160, 40, 160)][
        index
    ]
    draw.rectangle((12, 4, 19, 11), fill=(240, 200, 160, 255))  # head
    draw.rectangle((10, 12, 21, 23), fill=(*colour, 255))  # body
    draw.rectangle((10 + index % 3, 24, 13 + index % 3, 30), fill=(60, 40, 30, 255))  # legs
    draw.rectangle((18, 24, 21, 30), fill=(60, 40, 30, 255))
    draw.rectangle((22, 12 + index, 25, 16 + index), fill=(220, 220, 220, 255))  # weapon / hand
    return image


def _ui(index: int) -> Image.Image:
    image = Image.new("RGBA", (120, 48), (40, 40, 60, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (4, 4, 115, 43), radius=10, fill=(230, 170, 40 + index * 40, 255), outline=(255, 255, 255)
    )
    draw.rectangle((20, 20, 100 - index * 10, 28), fill=(255, 255, 255, 255))
    return image


def sample_thumbnails() -> dict[str, bytes]:
    """PNG thumbnails keyed as the exhibit looks them up: the suspect's are mirrored / recoloured copies."""
    thumbs: dict[str, bytes] = {}
    for density, size in (("xxxhdpi", 128), ("xxhdpi", 96), ("xhdpi", 64)):
        path = f"res/mipmap-{density}/ic_launcher.png"
        thumbs[f"baseline:{path}"] = _png(_icon(size))
        thumbs[f"suspect:{path}"] = _png(_icon(size, hue_shift=density == "xhdpi"))
    for index, name in enumerate(CHARACTERS):
        sprite = _sprite(index)
        thumbs[f"baseline:assets/sprites/{name}.png"] = _png(sprite)
        copy_ = ImageOps.mirror(sprite) if name == "hero_mage" else sprite
        thumbs[f"suspect:assets/sprites/{name}.png"] = _png(copy_)
    for index, name in enumerate(UI):
        thumbs[f"baseline:assets/ui/{name}.png"] = _png(_ui(index))
        thumbs[f"suspect:assets/ui/{name}.png"] = _png(_ui(index))
    return thumbs


def _image_matches(
    paths: list[str], special: dict[str, tuple[float, str, list[str]]]
) -> list[dict[str, Any]]:
    matches = []
    for path in paths:
        similarity, method, transforms = special.get(path, (1.0, "sha256", []))
        evidence = (
            "sha256 equal" if method == "sha256" else f"{method} distance {round((1 - similarity) * 64)}/64"
        )
        matches.append(
            {
                "baseline": path,
                "suspect": path,
                "similarity": similarity,
                "method": method,
                "transforms": transforms,
                "evidence": evidence,
                "weight": 1.0,
            }
        )
    return sorted(matches, key=lambda m: (m["baseline"], m["suspect"]))


def _text_match(
    key: str, original: str, copy_text: str, similarity: float, method: str, transforms: list[str]
) -> dict[str, Any]:
    path = f"resources.arsc#string/{key}@zh-rCN"
    return {
        "baseline": path,
        "suspect": path,
        "similarity": similarity,
        "method": method,
        "transforms": transforms,
        "evidence": f"rapidfuzz ratio {similarity * 100:.0f}"
        if method == "fuzzy"
        else "normalised text equal",
        "weight": 1.0,
        "baseline_text": original,
        "suspect_text": copy_text,
    }


def sample_report(*, endpoints: bool = True) -> dict[str, Any]:
    """The hand-made report; `endpoints=False` is the same repack with no server address found."""
    icons = [f"res/mipmap-{d}/ic_launcher.png" for d in ("xhdpi", "xxhdpi", "xxxhdpi")]
    sprites = [f"assets/sprites/{n}.png" for n in CHARACTERS]
    ui = [f"assets/ui/{n}.png" for n in UI]
    text_matches = [
        _text_match("app_name", "龙之传说", "龍之傳說", 1.0, "normalised-text", ["traditional"]),
        _text_match(
            "welcome",
            "欢迎来到龙之传说的世界！",
            "欢迎来到龙之传说变态版的世界！",
            0.91,
            "fuzzy",
            ["renamed"],
        ),
        _text_match("shop_title", "商城", "商城", 1.0, "exact-text", []),
        _text_match(
            "recharge_tip", "充值 6 元即可获得 60 钻石", "充值 3 元即可获得 60 钻石", 0.95, "fuzzy", []
        ),
        _text_match(
            "quest_dragon",
            "击败山谷中的巨龙，夺回失落的宝珠。",
            "击败山谷中的巨龙，夺回失落的宝珠。",
            1.0,
            "exact-text",
            [],
        ),
        {
            "baseline": "assets/lang/zh_CN.po#msgid/battle_start",
            "suspect": "assets/lang/zh_TW.po#msgid/battle_start",
            "similarity": 1.0,
            "method": "normalised-text",
            "transforms": ["traditional"],
            "evidence": "normalised text equal",
            "weight": 0.6,
        },
    ]
    report: dict[str, Any] = {
        "schema_version": 1,
        "tool": {"name": "clonedetect", "version": "0.1.0"},
        "settings": Settings().as_dict(),
        "baseline": {
            "path": "dragons-1.2.0.apk",
            "sha256": ORIGINAL_SHA,
            "size": 48_213_770,
            "format": "apk",
            "app_name": "龙之传说",
            "app_names": [
                {"locale": "", "name": "Legend of Dragons"},
                {"locale": "zh-rCN", "name": "龙之传说"},
            ],
            "package_id": "com.example.dragons",
            "version": "1.2.0",
            "version_code": "120",
            "signers": [
                {
                    "scheme": "v2",
                    "subject": "CN=Example Games Ltd, O=Example Games Ltd, C=CN",
                    "sha256": ORIGINAL_CERT,
                    "key_algorithm": "RSA",
                }
            ],
            "icons": icons,
            "entries": 1843,
            "endpoints": ["https://api.example-games.com/v1"],
            "sdks": ["payment:Alipay", "payment:WeChat Pay"],
        },
        "suspect": {
            "path": "dragons-bt.apk",
            "sha256": SUSPECT_SHA,
            "size": 47_990_112,
            "format": "apk",
            "app_name": "龙之传说-变态版",
            "app_names": [{"locale": "", "name": "龙之传说-变态版"}],
            "package_id": "com.pirate.dragonsbt",
            "version": "1.2.0",
            "version_code": "120",
            "signers": [
                {
                    "scheme": "v1",
                    "subject": "CN=Android Debug, O=Android, C=US",
                    "sha256": SUSPECT_CERT,
                    "key_algorithm": "RSA",
                }
            ],
            "icons": icons,
            "entries": 1851,
            "endpoints": [f"http://{PIRATE_IP}:8080/gate", "s1.dragons-bt.example.net"] if endpoints else [],
            "sdks": ["payment:WeChat Pay"],
        },
        "verdict": {
            "score": 0.9634,
            "clone": True,
            "threshold": 0.5,
            "reason": "icon, characters, ui, text and rules of the original reappear in the suspect",
        },
        "categories": {
            "icon": {
                "score": 0.9875,
                "baseline_assets": 3,
                "matched": 3,
                "finding": "identical",
                "matches": _image_matches(icons, {icons[0]: (0.9625, "phash", ["recoloured"])}),
            },
            "characters": {
                "score": 0.9583,
                "baseline_assets": 7,
                "matched": 6,
                "finding": "identical",
                "matches": _image_matches(
                    sprites,
                    {
                        sprites[1]: (0.9844, "phash", ["mirrored"]),
                        sprites[4]: (0.9531, "pixels", ["re-encoded-jpeg"]),
                    },
                ),
            },
            "ui": {
                "score": 1.0,
                "baseline_assets": 4,
                "matched": 4,
                "finding": "identical",
                "matches": _image_matches(ui, {}),
            },
            "text": {
                "score": 0.93,
                "baseline_assets": 7,
                "matched": 6,
                "finding": "identical",
                "matches": sorted(text_matches, key=lambda m: (m["baseline"], m["suspect"])),
            },
            "rules": {
                "score": 0.9667,
                "baseline_assets": 3,
                "matched": 3,
                "finding": "identical",
                "matches": [
                    {
                        "baseline": "assets/db/items.json",
                        "suspect": "assets/db/items.json",
                        "similarity": 1.0,
                        "method": "sha256",
                        "transforms": [],
                        "evidence": "121 of 121 rows equal",
                        "weight": 1.0,
                    },
                    {
                        "baseline": "assets/db/shop.csv",
                        "suspect": "assets/db/shop.csv",
                        "similarity": 0.9,
                        "method": "table",
                        "transforms": ["values-changed"],
                        "evidence": "20 of 20 rows by key 商品; 2 prices changed",
                        "weight": 1.0,
                    },
                    {
                        "baseline": "assets/db/zones.json",
                        "suspect": "assets/db/zones.json",
                        "similarity": 1.0,
                        "method": "table",
                        "transforms": ["values-changed"],
                        "evidence": "3 of 3 rows by key id; names changed",
                        "weight": 1.0,
                    },
                ],
            },
        },
        "differences": [
            {
                "field": "app_name",
                "baseline": "龙之传说",
                "suspect": "龙之传说-变态版",
                "where": "AndroidManifest.xml",
            },
            {
                "field": "endpoint",
                "baseline": "https://api.example-games.com/v1",
                "suspect": f"http://{PIRATE_IP}:8080/gate",
                "where": "assets/config/server.json",
            },
            {
                "field": "endpoint",
                "baseline": "",
                "suspect": "s1.dragons-bt.example.net",
                "where": "assets/config/server.json",
            },
            {
                "field": "package_id",
                "baseline": "com.example.dragons",
                "suspect": "com.pirate.dragonsbt",
                "where": "AndroidManifest.xml",
            },
            {"field": "payment_sdk", "baseline": "com.alipay.sdk", "suspect": "", "where": ""},
            {
                "field": "price",
                "baseline": "6",
                "suspect": "3",
                "where": "assets/db/shop.csv row 钻石 column price",
            },
            {
                "field": "price",
                "baseline": "30",
                "suspect": "15",
                "where": "assets/db/shop.csv row 月卡 column price",
            },
            {"field": "signer", "baseline": ORIGINAL_CERT, "suspect": SUSPECT_CERT, "where": "META-INF"},
            {
                "field": "zone",
                "baseline": "青龙区",
                "suspect": "一区·火爆开服",
                "where": "assets/db/zones.json row 1 column name",
            },
        ],
        "warnings": [{"path": "assets/sprites/broken.png", "message": "not an image: truncated PNG"}],
        "generated_at": "2024-05-01T08:30:00Z",
        "command": COMMAND,
    }
    if not endpoints:
        report["differences"] = [d for d in report["differences"] if d["field"] != "endpoint"]
    return report


def with_thumbnails(report: dict[str, Any]) -> dict[str, Any]:
    """The report as it is saved with its `thumbnails` field (base64 PNGs)."""
    saved = copy.deepcopy(report)
    saved["thumbnails"] = {
        k: base64.b64encode(v).decode("ascii") for k, v in sorted(sample_thumbnails().items())
    }
    return saved


def _real_report() -> dict[str, Any]:
    """What build_report writes for a tiny real Comparison, to compare key sets with the hand-made one."""
    package = Package(
        source="samples/x.apk",
        sha256="0" * 64,
        size=1,
        format=PackageFormat.APK,
        signers=(Signer("v2", "CN=x", "1" * 64, "RSA"),),
    )
    match = Match(Category.ICON, "a.png", "a.png", 1.0, "sha256", ("recoloured",), "sha256 equal")
    return build_report(
        Comparison(
            baseline=package,
            suspect=package,
            categories=(CategoryScore(Category.ICON, 1.0, 1, 1, (match,)),),
            verdict=Verdict(1.0, True, 0.5, "copied"),
            differences=(Difference("price", "6", "3", "shop.csv"),),
            warnings=(),
        ),
        Settings(),
        command=["clonedetect"],
        generated_at="2024-05-01T08:30:00Z",
    )


def test_sample_report_has_the_keys_build_report_writes() -> None:
    real, sample = _real_report(), with_thumbnails(sample_report())
    assert set(sample) == set(real)
    for side in ("baseline", "suspect"):
        assert set(sample[side]) == set(real[side])
        assert set(sample[side]["signers"][0]) == set(real[side]["signers"][0])
    assert set(sample["categories"]["icon"]) == set(real["categories"]["icon"])
    real_match = set(real["categories"]["icon"]["matches"][0])
    for category in sample["categories"].values():
        for match in category["matches"]:
            # baseline_text / suspect_text are the optional fields the exhibit proposes for text matches
            assert set(match) - {"baseline_text", "suspect_text"} == real_match
    assert set(sample["differences"][0]) == set(real["differences"][0])


def test_sample_thumbnails_are_small_pngs_for_every_image_match() -> None:
    thumbs = sample_thumbnails()
    report = sample_report()
    for name in ("icon", "characters", "ui"):
        for match in report["categories"][name]["matches"]:
            for side in ("baseline", "suspect"):
                data = thumbs[f"{side}:{match[side]}"]
                image = Image.open(io.BytesIO(data))
                assert image.format == "PNG"
                assert max(image.size) <= 128


# ------------------------------------------------------------------ a small DOM for structure tests
VOID_ELEMENTS = frozenset({"meta", "img", "br", "col", "link", "input", "hr", "source", "wbr"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def find_all(self, tag: str = "", **attrs: str) -> list[Node]:
        """Every descendant with this tag (any tag if '') whose attributes include `attrs`
        ('class_' matches one class of the class attribute)."""
        found: list[Node] = []
        for child in self.elements():
            if child._matches(tag, attrs):
                found.append(child)
            found.extend(child.find_all(tag, **attrs))
        return found

    def find(self, tag: str = "", **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs}"
        return found[0]

    def _matches(self, tag: str, attrs: dict[str, str]) -> bool:
        if tag and self.tag != tag:
            return False
        for key, value in attrs.items():
            if key == "class_":
                if value not in self.attrs.get("class", "").split():
                    return False
            elif self.attrs.get(key) != value:
                return False
        return True


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.unclosed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        # The exhibit closes every element it opens; a mismatch is a template bug worth failing on.
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(page: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements: " + ", ".join(
        n.tag for n in builder.stack[1:]
    )
    return builder.root


def cells(row: Node) -> list[str]:
    return [" ".join(c.text().split()) for c in row.elements() if c.tag in ("td", "th")]
