"""Package-level differences: the fields that tell who runs a copy rather than what was copied.

The court's list: app name (and each localised label), package id, version, signer, server endpoints and
payment/other SDKs. A field unknown on one side (empty: a store listing has no signer) is not a difference;
the same value is not a difference. Everything is sorted, so the same two analyses give the same list.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from urllib.parse import urlsplit

from clonedetect.model import Analysis, Difference, Package, Signer

MAX_ENDPOINT_DIFFERENCES = 100
# SDK names (package prefixes, library or product names) that take payments
_PAYMENT = re.compile(
    r"alipay|wxpay|wechat.?pay|tenpay|unionpay|paypal|stripe|billing|\biap\b|in.?app.?purchase|payment|"
    r"\bpay\b|\.pay\.|paysdk|smspay|mmbilling|storekit|razorpay|paytm|codapay|xsolla|支付|充值",
    re.IGNORECASE,
)


def package_differences(baseline: Analysis, suspect: Analysis) -> list[Difference]:
    """Differences between the two packages' identity and operator facts, sorted by field, where, values."""
    found: list[Difference] = []
    found.extend(_identity(baseline.package, suspect.package))
    found.extend(_labels(baseline.package, suspect.package))
    found.extend(_signers(baseline.package.signers, suspect.package.signers))
    found.extend(_endpoints(baseline.facts.endpoints, suspect.facts.endpoints))
    found.extend(_sdks(baseline.facts.sdks, suspect.facts.sdks))
    return sorted(set(found), key=lambda d: (d.field, d.where, d.baseline, d.suspect))


def _identity(baseline: Package, suspect: Package) -> list[Difference]:
    out = []
    pairs = (
        ("app_name", baseline.app_name, suspect.app_name),
        ("package_id", baseline.package_id, suspect.package_id),
        ("version", _version(baseline), _version(suspect)),
    )
    for field, old, new in pairs:
        if old and new and old != new:
            out.append(Difference(field=field, baseline=old, suspect=new))
    return out


def _version(package: Package) -> str:
    if package.version_name and package.version_code:
        return f"{package.version_name} ({package.version_code})"
    return package.version_name or package.version_code


def _labels(baseline: Package, suspect: Package) -> list[Difference]:
    """Per-locale labels, when both packages declare localised labels at all (else one side is unknown)."""
    if not baseline.app_names or not suspect.app_names:
        return []
    old, new = dict(baseline.app_names), dict(suspect.app_names)
    out = []
    for locale in sorted(set(old) | set(new)):
        before, after = old.get(locale, ""), new.get(locale, "")
        if not locale and (before, after) == (baseline.app_name, suspect.app_name):
            continue  # the default label is the app name, already listed as such
        if before != after:
            where = f"label@{locale}" if locale else "label (default locale)"
            out.append(Difference(field="app_name", baseline=before, suspect=after, where=where))
    return out


def describe_signers(signers: tuple[Signer, ...]) -> str:
    """'CN=Studio, O=Studio [sha256 1a2b3c4d5e6f7a8b]; ...': one entry per certificate, by fingerprint."""
    unique = {s.sha256.lower(): s for s in signers}
    return "; ".join(
        f"{unique[sha].subject or '(no subject)'} [sha256 {sha[:16]}]".strip() for sha in sorted(unique)
    )


def _signers(baseline: tuple[Signer, ...], suspect: tuple[Signer, ...]) -> list[Difference]:
    if not baseline or not suspect:
        return []
    if {s.sha256.lower() for s in baseline} == {s.sha256.lower() for s in suspect}:
        return []
    return [
        Difference(field="signer", baseline=describe_signers(baseline), suspect=describe_signers(suspect))
    ]


def endpoint_host(endpoint: str) -> str:
    """The server an endpoint names: host[:port] of a URL, or the bare host / IP[:port], lower-cased."""
    text = endpoint.strip()
    parsed = urlsplit(text if "://" in text else f"//{text}")
    try:
        host = (parsed.hostname or "").rstrip(".")
        port = parsed.port
    except ValueError:  # malformed port or IPv6 literal: keep the text itself as the server
        return text.lower()
    if not host:
        return text.lower()
    try:
        host = str(ipaddress.ip_address(host))
    except ValueError:
        host = host.lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def _endpoints(baseline: tuple[str, ...], suspect: tuple[str, ...]) -> list[Difference]:
    """Servers (hosts, IPs) only one side talks to; `where` quotes the first such endpoint as written."""
    old, new = _by_host(baseline), _by_host(suspect)
    out = []
    for host in sorted(set(old) - set(new)):
        out.append(Difference(field="endpoint", baseline=host, suspect="", where=min(old[host])))
    for host in sorted(set(new) - set(old)):
        out.append(Difference(field="endpoint", baseline="", suspect=host, where=min(new[host])))
    # the suspect's new servers first: they are what identifies the operator of a copy
    out.sort(key=lambda d: (d.baseline != "", d.baseline, d.suspect))
    return out[:MAX_ENDPOINT_DIFFERENCES]


def _by_host(endpoints: tuple[str, ...]) -> dict[str, list[str]]:
    hosts: dict[str, list[str]] = defaultdict(list)
    for endpoint in endpoints:
        if endpoint.strip():
            hosts[endpoint_host(endpoint)].append(endpoint.strip())
    return hosts


def sdk_field(sdk: str) -> str:
    return "payment_sdk" if _PAYMENT.search(sdk) else "sdk"


def _sdks(baseline: tuple[str, ...], suspect: tuple[str, ...]) -> list[Difference]:
    old, new = set(baseline), set(suspect)
    out = [Difference(field=sdk_field(s), baseline=s, suspect="") for s in sorted(old - new)]
    out.extend(Difference(field=sdk_field(s), baseline="", suspect=s) for s in sorted(new - old))
    return out
