"""Who signed an APK (v1 JAR signatures, APK Signature Scheme v2/v3) or an IPA (provisioning profile).

The certificate is evidence of who publishes a build: a repack is re-signed with the pirate's key. We only
read certificates here, we do not verify signatures (a forged signature still names its certificate, and the
report says "signed with", not "verified"). Formats:
- v1: META-INF/*.RSA|*.DSA|*.EC are PKCS#7 SignedData blobs holding the certificate chain.
- v2/v3: the APK Signing Block sits just before the zip central directory; it holds id-value pairs, and the
  v2 (0x7109871a), v3 (0xf05368c0) and v3.1 (0x1b93ad61) values are length-prefixed sequences of signers ->
  signed data -> certificates (https://source.android.com/docs/security/features/apksigning/v2).
"""

from __future__ import annotations

import hashlib
import re
import struct
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509 import InvalidVersion

from clonedetect.model import AnalysisWarning, Signer
from clonedetect.settings import Limits
from clonedetect.unpack.plist import PlistError, parse_plist

V2_BLOCK_ID = 0x7109871A
V3_BLOCK_ID = 0xF05368C0
V31_BLOCK_ID = 0x1B93AD61
SCHEME_BY_BLOCK = {V2_BLOCK_ID: "v2", V3_BLOCK_ID: "v3", V31_BLOCK_ID: "v3"}
V1_SIGNATURE = re.compile(r"^META-INF/[^/]+\.(RSA|DSA|EC)$", re.IGNORECASE)
MAX_CERTIFICATES = 64
# What cryptography raises on malformed certificates and signature blocks (seen fuzzing real ones)
CERTIFICATE_ERRORS = (ValueError, TypeError, KeyError, UnsupportedAlgorithm, InvalidVersion)


class SigningFormatError(ValueError):
    pass


def key_algorithm(certificate: x509.Certificate) -> str:
    try:
        key = certificate.public_key()
    except CERTIFICATE_ERRORS:
        return ""  # unsupported or damaged key: still a certificate worth naming
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC"
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA"
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return "EdDSA"
    return ""


def signer_from_der(scheme: str, der: bytes) -> Signer:
    """A Signer for one DER certificate; raises ValueError when it does not parse."""
    with _quiet():
        certificate = x509.load_der_x509_certificate(der)
    return _signer(scheme, certificate)


def _signer(scheme: str, certificate: x509.Certificate) -> Signer:
    der = certificate.public_bytes(Encoding.DER)
    try:
        with _quiet():
            subject = certificate.subject.rfc4514_string()
    except CERTIFICATE_ERRORS:
        subject = "(unreadable subject)"  # the certificate's hash is still the evidence
    return Signer(
        scheme=scheme,
        subject=subject,
        sha256=hashlib.sha256(der).hexdigest(),
        key_algorithm=key_algorithm(certificate),
    )


@contextmanager
def _quiet() -> Iterator[None]:
    """cryptography warns (on stderr) about malformed DER it still accepts; for us that is just data."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _leaf_certificates(certificates: list[x509.Certificate]) -> list[x509.Certificate]:
    """The signing certificates of a chain: those that issued no other certificate in the set."""
    if len(certificates) <= 1:
        return certificates
    issuers = {
        cert.issuer.public_bytes()
        for cert in certificates
        if cert.issuer.public_bytes() != cert.subject.public_bytes()
    }
    leaves = [cert for cert in certificates if cert.subject.public_bytes() not in issuers]
    return leaves or certificates


def v1_signers(members: Iterable[tuple[str, bytes]]) -> tuple[list[Signer], list[AnalysisWarning]]:
    """Signers from the PKCS#7 signature blocks among (name, bytes) members (names already filtered)."""
    signers: list[Signer] = []
    problems: list[AnalysisWarning] = []
    for name, data in members:
        try:
            with _quiet():
                certificates = pkcs7.load_der_pkcs7_certificates(data)
            leaves = _leaf_certificates(certificates[:MAX_CERTIFICATES])
            signers.extend(_signer("v1", cert) for cert in leaves)
        except CERTIFICATE_ERRORS as error:
            problems.append(AnalysisWarning(name, f"v1 signature block unreadable ({error})"))
    return signers, problems


def is_v1_signature_block(name: str) -> bool:
    return bool(V1_SIGNATURE.match(name))


def _length_prefixed(data: bytes, offset: int, end: int) -> tuple[bytes, int]:
    """A u32-length-prefixed byte string at offset -> (its bytes, offset after it)."""
    if offset + 4 > end:
        raise SigningFormatError(f"length prefix at {offset} runs past {end}")
    (length,) = struct.unpack_from("<I", data, offset)
    start = offset + 4
    if start + length > end:
        raise SigningFormatError(f"field of {length} bytes at {start} runs past {end}")
    return data[start : start + length], start + length


def _sequence(data: bytes) -> list[bytes]:
    """A sequence of u32-length-prefixed items filling the whole of data."""
    items: list[bytes] = []
    offset = 0
    while offset < len(data):
        item, offset = _length_prefixed(data, offset, len(data))
        items.append(item)
        if len(items) > MAX_CERTIFICATES:
            raise SigningFormatError("too many items in a signing-block sequence")
    return items


def signing_block_pairs(block: bytes) -> list[tuple[int, bytes]]:
    """The id-value pairs of an APK Signing Block (without its leading size and trailing size + magic)."""
    pairs: list[tuple[int, bytes]] = []
    offset = 0
    while offset + 12 <= len(block):
        (length,) = struct.unpack_from("<Q", block, offset)
        if length < 4 or offset + 8 + length > len(block):
            raise SigningFormatError(f"signing block pair at {offset} has bad length {length}")
        (block_id,) = struct.unpack_from("<I", block, offset + 8)
        pairs.append((block_id, block[offset + 12 : offset + 8 + length]))
        offset += 8 + length
    return pairs


def block_signers(block: bytes) -> tuple[list[Signer], list[str]]:
    """Signers of the v2/v3 schemes in an APK Signing Block; problems come back as messages."""
    signers: list[Signer] = []
    problems: list[str] = []
    try:
        pairs = signing_block_pairs(block)
    except SigningFormatError as error:
        return [], [f"APK signing block unreadable ({error})"]
    for block_id, value in pairs:
        scheme = SCHEME_BY_BLOCK.get(block_id)
        if scheme is None:
            continue  # verity padding, source stamp, channel data of Chinese stores ...
        try:
            for signer in _sequence(_length_prefixed(value, 0, len(value))[0]):
                # signer: signed data, then (v3: min/max SDK,) signatures, public key; signed data:
                # digests, certificates, (v3: min/max SDK,) additional attributes
                signed_data, _ = _length_prefixed(signer, 0, len(signer))
                _, after_digests = _length_prefixed(signed_data, 0, len(signed_data))
                certificates, _ = _length_prefixed(signed_data, after_digests, len(signed_data))
                for der in _sequence(certificates):
                    signers.append(signer_from_der(scheme, der))
        except (SigningFormatError, *CERTIFICATE_ERRORS) as error:
            problems.append(f"{scheme} signature unreadable ({error})")
    return signers, problems


def provisioning_signers(data: bytes, limits: Limits) -> tuple[list[Signer], list[str]]:
    """Developer certificates named by an iOS embedded.mobileprovision (a CMS-signed XML plist).

    The plist sits in the CMS content as one DER OCTET STRING, so it can be cut out between its XML
    declaration and '</plist>' without an ASN.1 parser; a profile where that fails becomes a message.
    """
    start = data.find(b"<?xml")
    end = data.find(b"</plist>", start)
    if start < 0 or end < 0:
        return [], ["embedded.mobileprovision holds no readable plist"]
    try:
        profile = parse_plist(data[start : end + len(b"</plist>")], limits)
    except PlistError as error:
        return [], [f"embedded.mobileprovision plist unreadable ({error})"]
    signers: list[Signer] = []
    problems: list[str] = []
    certificates = profile.get("DeveloperCertificates", []) if isinstance(profile, dict) else []
    for der in certificates[:MAX_CERTIFICATES] if isinstance(certificates, list) else []:
        try:
            signers.append(signer_from_der("ios", bytes(der)))
        except CERTIFICATE_ERRORS as error:
            problems.append(f"developer certificate unreadable ({error})")
    return signers, problems


def unique_signers(signers: Iterable[Signer]) -> tuple[Signer, ...]:
    """One signer per (scheme, certificate), sorted."""
    unique = {(signer.scheme, signer.sha256): signer for signer in signers}
    return tuple(unique[key] for key in sorted(unique))
