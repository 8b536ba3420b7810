"""Package specifications with ground truth, and their building into real APKs, IPAs and store listings.

A `Spec` lists every file a package will hold, each `Member` with the identity of the artwork it shows (the
corpus file it came from, whatever was done to it), the transform applied, and, for screenshots, the
artworks drawn inside it. `build` writes the package with the project's own sample builders (aapt, zipalign,
apksigner for APKs; CgBI icons for IPAs; listing folders) and returns a `Built` whose `identity_of` maps an
asset path as clonedetect reports it back to that ground truth.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from samples.build import SigningKey, build_apk, build_ipa, build_listing

IOS_ICONS: Mapping[str, int] = {
    "AppIcon60x60@2x.png": 120,
    "AppIcon60x60@3x.png": 180,
    "AppIcon76x76@2x~ipad.png": 152,
}
IOS_RESOURCES = "res"  # game files inside the .app


@dataclass(frozen=True, slots=True)
class Member:
    """One file of a package, with its ground truth."""

    path: str  # relative to the package's asset folder (assets/ in an APK, <App>.app/res/ in an IPA)
    data: bytes
    identity: str = ""  # the artwork it shows; '' for text and tables
    transform: str = ""  # the benchmark transform applied to the baseline's art ('' = none)
    contains: tuple[str, ...] = ()  # identities of the artworks drawn inside it (screenshots)


@dataclass(frozen=True, slots=True)
class AtlasFrame:
    page: str  # Member.path of the atlas page image
    name: str  # frame name as the atlas data file gives it
    identity: str
    transform: str


@dataclass(frozen=True, slots=True)
class Spec:
    name: str  # file name stem: 'spd-reskin'
    format: str  # 'apk', 'ipa', 'listing'
    label: Mapping[str, str]
    package_id: str
    owner: str  # whose signing key: 'studio' or 'pirate'
    icon: bytes  # the launcher icon master (PNG); scaled to every density / iOS size
    icon_identity: str
    icon_transform: str = ""
    members: tuple[Member, ...] = ()
    frames: tuple[AtlasFrame, ...] = ()
    strings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # Android string resources
    title: str = ""  # listing
    description: str = ""


@dataclass(frozen=True, slots=True)
class Truth:
    identity: str
    transform: str = ""
    contains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Built:
    spec: Spec
    path: Path

    def truth_of(self, asset_path: str) -> Truth | None:
        """The ground truth of an image asset as clonedetect names it, or None when it is not known art."""
        page, _, frame = asset_path.partition("#")
        if frame:
            for item in self.spec.frames:
                if page.endswith(item.page) and frame in (item.name, item.name.rsplit(".", 1)[0]):
                    return Truth(item.identity, item.transform)
            return None
        name = page.rsplit("/", 1)[-1]
        if _is_icon(self.spec.format, page, name):
            return Truth(self.spec.icon_identity, self.spec.icon_transform)
        for member in self.spec.members:
            if member.identity and (page == member.path or page.endswith("/" + member.path)):
                return Truth(member.identity, member.transform, member.contains)
        return None


def _is_icon(kind: str, path: str, name: str) -> bool:
    if kind == "apk":
        return path.startswith("res/mipmap") and name.startswith("ic_launcher")
    if kind == "ipa":
        return name.startswith("AppIcon")
    return "/" not in path and name.startswith("icon.")


def resized_png(data: bytes, side: int) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGBA").resize((side, side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


DENSITIES: Mapping[str, int] = {"mdpi": 48, "hdpi": 72, "xhdpi": 96, "xxhdpi": 144, "xxxhdpi": 192}


def build(spec: Spec, out_dir: Path, keys: Mapping[str, SigningKey]) -> Built:
    """Write the package into out_dir; APKs are signed with keys[spec.owner]."""
    if spec.format == "apk":
        path = build_apk(
            out_dir / f"{spec.name}.apk",
            package_id=spec.package_id,
            version_code=1,
            version_name="1.0",
            label=spec.label,
            strings=spec.strings,
            icons={density: resized_png(spec.icon, side) for density, side in DENSITIES.items()},
            assets={m.path: m.data for m in spec.members},
            key=keys[spec.owner],
        )
    elif spec.format == "ipa":
        path = build_ipa(
            out_dir / f"{spec.name}.ipa",
            bundle_id=spec.package_id,
            version="1.0",
            display_name=spec.label[""],
            icons={name: resized_png(spec.icon, side) for name, side in IOS_ICONS.items()},
            files={f"{IOS_RESOURCES}/{m.path}": m.data for m in spec.members},
        )
    elif spec.format == "listing":
        shots = sorted((m for m in spec.members if m.path.startswith("screenshots/")), key=lambda m: m.path)
        path = build_listing(
            out_dir / spec.name,
            icon=spec.icon,
            screenshots=[m.data for m in shots],
            title=spec.title,
            description=spec.description,
        )
        # the listing builder names screenshots 01.<ext>, 02.<ext>...: the spec must use the same names
        expected = [f"screenshots/{i:02d}." for i in range(1, len(shots) + 1)]
        if [m.path[: len(e)] for m, e in zip(shots, expected, strict=True)] != expected:
            raise ValueError(f"{spec.name}: listing screenshots must be named screenshots/01.*, 02.*, ...")
    else:
        raise ValueError(f"unknown package format {spec.format!r}")
    return Built(spec, path)
