"""The certificate ``cagette serve`` shows on the LAN, and its fingerprint.

A served library has its own self-signed certificate (ECDSA P-256, made with
``cryptography``) in ``local/serve-tls/`` (never synced; the key is mode
0600). It names the site id it was made for: a copied library, which takes a
new site id, makes a new one. Peers do not trust it through any authority: the
client pins its fingerprint, given in the address (``https://host:8470?fp=…``,
the way Syncthing names devices), and checks it during the TLS handshake,
before any token is sent.

A fingerprint is the SHA-256 of the certificate (DER), written in base32 in
groups of four (``ABCD-EFGH-…``, 52 letters and digits); case and dashes are
ignored when it is read back.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cagette.errors import SyncError, UsageError
from cagette.i18n import _

TLS_DIR = ("local", "serve-tls")
FP_LEN = 52
_FP_RE = re.compile(r"^[A-Z2-7]{52}$")


def fingerprint(der: bytes) -> str:
    """The fingerprint of a certificate in DER form, as people read it."""
    text = base64.b32encode(hashlib.sha256(der).digest()).decode("ascii").rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse_fingerprint(value: str) -> str:
    """A fingerprint as typed (any case, with or without dashes), in its canonical form."""
    raw = re.sub(r"[\s-]", "", value).upper()
    if not _FP_RE.match(raw):
        raise UsageError(
            _("{value!r} is not a certificate fingerprint.").format(value=value[:80]),
            _("Copy it as 'cagette serve --lan' printed it: 52 letters and digits, in groups of four."),
        )
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path
    fingerprint: str


def ensure_certificate(library_root: Path, site_id: str) -> Certificate:
    """This library's serving certificate, made on first use (or when the site id changed)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    folder = Path(library_root).joinpath(*TLS_DIR)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        if key_path.is_file() and names and names[0].value == f"cagette {site_id}":
            return Certificate(cert_path, key_path, fingerprint(cert.public_bytes(serialization.Encoding.DER)))
    except (OSError, ValueError):
        pass
    return _make(folder, cert_path, key_path, site_id)


def _make(folder: Path, cert_path: Path, key_path: Path, site_id: str) -> Certificate:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from cagette.fsutil import atomic_write_bytes

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"cagette {site_id}")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365 * 20))
            .sign(key, hashes.SHA256()))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        atomic_write_bytes(key_path, key_pem)
        os.chmod(key_path, 0o600)
        atomic_write_bytes(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    except OSError as exc:
        raise SyncError(
            _("Cannot write the serving certificate in {path}: {error}.").format(path=folder, error=exc.strerror),
            _("Check that the library folder is writable."),
        ) from exc
    return Certificate(cert_path, key_path, fingerprint(cert.public_bytes(serialization.Encoding.DER)))
