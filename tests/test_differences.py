"""Package-level differences between two hand-made analyses."""

from __future__ import annotations

from dataclasses import replace

from clonedetect.match.differences import endpoint_host, package_differences, sdk_field
from clonedetect.model import Analysis, Difference, Facts, Package, PackageFormat, Signer

STUDIO = Signer("v2", "CN=Dragon Studio, O=Dragon Studio Ltd, C=CN", "a1" * 32, "RSA")
PIRATE = Signer("v2", "CN=Android Debug, O=Android, C=US", "0f" * 32, "EC")


NO_FACTS = Facts()


def analysis(package: Package, facts: Facts = NO_FACTS) -> Analysis:
    return Analysis(package=package, facts=facts, prints=())


BASELINE = analysis(
    Package(
        source="dragon.apk",
        sha256="1" * 64,
        size=1,
        format=PackageFormat.APK,
        app_name="龙之传说",
        app_names=(("", "Dragon Legend"), ("zh-CN", "龙之传说"), ("zh-TW", "龍之傳說")),
        package_id="com.dragonstudio.legend",
        version_name="2.3.1",
        version_code="231",
        signers=(STUDIO,),
    ),
    Facts(
        endpoints=(
            "https://api.dragonstudio.com/v1/login",
            "https://api.dragonstudio.com/v1/pay",
            "cdn.dragonstudio.com",
        ),
        sdks=("com.alipay.sdk", "com.tencent.mm.opensdk", "com.umeng.analytics"),
    ),
)

SUSPECT = analysis(
    Package(
        source="dragon-private.apk",
        sha256="2" * 64,
        size=1,
        format=PackageFormat.APK,
        app_name="龙之传说私服",
        app_names=(("", "Dragon Legend"), ("zh-CN", "龙之传说私服")),
        package_id="com.sf.longzhi",
        version_name="2.3.1",
        version_code="231",
        signers=(PIRATE,),
    ),
    Facts(
        endpoints=(
            "http://47.98.12.34:8080/login",
            "cdn.dragonstudio.com",
            "HTTPS://CDN.DragonStudio.com/res/",
        ),
        sdks=("com.tencent.mm.opensdk", "com.umeng.analytics", "com.unionpay.sdk"),
    ),
)


def test_private_server_copy_shows_name_ids_signer_servers_and_payment() -> None:
    assert package_differences(BASELINE, SUSPECT) == [
        Difference("app_name", "龙之传说", "龙之传说私服", ""),
        Difference("app_name", "龙之传说", "龙之传说私服", "label@zh-CN"),
        Difference("app_name", "龍之傳說", "", "label@zh-TW"),
        Difference("endpoint", "", "47.98.12.34:8080", "http://47.98.12.34:8080/login"),
        Difference("endpoint", "api.dragonstudio.com", "", "https://api.dragonstudio.com/v1/login"),
        Difference("package_id", "com.dragonstudio.legend", "com.sf.longzhi", ""),
        Difference("payment_sdk", "", "com.unionpay.sdk", ""),
        Difference("payment_sdk", "com.alipay.sdk", "", ""),
        Difference(
            "signer",
            f"CN=Dragon Studio, O=Dragon Studio Ltd, C=CN [sha256 {'a1' * 8}]",
            f"CN=Android Debug, O=Android, C=US [sha256 {'0f' * 8}]",
            "",
        ),
    ]


def test_same_values_and_unknown_values_are_no_differences() -> None:
    assert package_differences(BASELINE, BASELINE) == []
    listing = analysis(Package(source="listing/", sha256="3" * 64, size=1, format=PackageFormat.LISTING))
    # a store listing knows no id, version, signer or labels: unknown is not different
    assert package_differences(BASELINE, listing) == [
        Difference("endpoint", "cdn.dragonstudio.com", "", "cdn.dragonstudio.com"),
        Difference("endpoint", "api.dragonstudio.com", "", "https://api.dragonstudio.com/v1/login"),
        Difference("payment_sdk", "com.alipay.sdk", "", ""),
        Difference("sdk", "com.tencent.mm.opensdk", "", ""),
        Difference("sdk", "com.umeng.analytics", "", ""),
    ]


def test_version_and_a_second_signer() -> None:
    newer = replace(BASELINE.package, version_name="2.4.0", version_code="240", signers=(STUDIO, PIRATE))
    found = package_differences(BASELINE, analysis(newer, BASELINE.facts))
    assert [d.field for d in found] == ["signer", "version"]
    assert found[1] == Difference("version", "2.3.1 (231)", "2.4.0 (240)", "")
    assert found[0].suspect.count("[sha256 ") == 2
    # the same certificates in another order (or repeated) are the same signer
    reordered = replace(BASELINE.package, signers=(STUDIO, STUDIO))
    assert package_differences(BASELINE, analysis(reordered, BASELINE.facts)) == []


def test_endpoints_compare_by_server() -> None:
    assert endpoint_host("https://API.Example.com:443/x") == "api.example.com:443"
    assert endpoint_host("47.98.12.34:8080") == "47.98.12.34:8080"
    assert endpoint_host("ws://[2001:db8::1]:9000/socket") == "[2001:db8::1]:9000"
    assert endpoint_host("game.example.cn.") == "game.example.cn"
    assert endpoint_host("http://host:notaport/") == "http://host:notaport/"


def test_payment_sdks_are_told_apart() -> None:
    assert [
        sdk_field(s) for s in ("com.alipay.sdk", "com.tencent.mm.opensdk.wxpay", "Google Play Billing")
    ] == [
        "payment_sdk",
        "payment_sdk",
        "payment_sdk",
    ]
    assert [sdk_field(s) for s in ("com.umeng.analytics", "com.facebook.login", "bugly")] == [
        "sdk",
        "sdk",
        "sdk",
    ]


def test_differences_are_deterministic() -> None:
    shuffled = analysis(
        SUSPECT.package,
        Facts(endpoints=tuple(reversed(SUSPECT.facts.endpoints)), sdks=tuple(reversed(SUSPECT.facts.sdks))),
    )
    assert package_differences(BASELINE, shuffled) == package_differences(BASELINE, SUSPECT)
