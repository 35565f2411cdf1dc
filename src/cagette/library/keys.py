"""A site's Ed25519 key pair, and what it signs (PyNaCl, imported only when used).

* The private key lives in ``local/keys/<site-id>.key`` (32-byte seed, hex, mode 0600):
  ``local/`` is never synced, so the key never leaves the library folder.
* The public key is published in the site's first signed log line (``fields.key``).
* Every signed line carries ``sig``: the signature of :data:`LINE_DOMAIN` followed by the
  line's canonical JSON without ``sig`` (see :func:`cagette.library.log.signing_bytes`).
* A succession (a copied library taking a new site id) is proven by the predecessor's
  key signing :func:`succession_statement`.
* A resource id made by :meth:`cagette.library.library.Library.add` is *bound* to its
  site's key: ``id = sha256(ID_DOMAIN + public key + nonce)[:16 hex]``, the nonce in the
  ``add`` line. Finding another key and nonce giving the same id is a 64-bit preimage.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import Any

from cagette.errors import LibraryError
from cagette.i18n import _

LINE_DOMAIN = b"cagette/line/2\n"
SUCCESSION_DOMAIN = b"cagette/succession/1\n"
ID_DOMAIN = b"cagette/id/1\n"
KEYS_DIR = "keys"


def _nacl() -> Any:
    import nacl.exceptions
    import nacl.signing

    return nacl


_HEX = re.compile(r"[0-9a-f]*")


def is_hex(value: object, length: int) -> bool:
    """*length* lowercase hexadecimal digits."""
    return isinstance(value, str) and len(value) == length and _HEX.fullmatch(value) is not None


def fingerprint(public_hex: str) -> str:
    """16 hex digits naming a public key (what a person compares, and `library join` takes)."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


class SiteKey:
    """A private key of this library (never synced)."""

    def __init__(self, seed: bytes) -> None:
        self._signing = _nacl().signing.SigningKey(seed)
        self.public_hex = bytes(self._signing.verify_key).hex()

    @classmethod
    def generate(cls) -> SiteKey:
        return cls(secrets.token_bytes(32))

    def sign(self, message: bytes) -> str:
        return bytes(self._signing.sign(message).signature).hex()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_hex)

    def seed_hex(self) -> str:
        return bytes(self._signing).hex()


def verify(public_hex: str, message: bytes, sig_hex: str) -> bool:
    """True when *sig_hex* is *public_hex*'s signature of *message*."""
    if not is_hex(public_hex, 64) or not is_hex(sig_hex, 128):
        return False
    nacl = _nacl()
    try:
        nacl.signing.VerifyKey(bytes.fromhex(public_hex)).verify(message, bytes.fromhex(sig_hex))
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False
    return True


def succession_statement(old_site: str, new_site: str, new_public_hex: str) -> bytes:
    """What a predecessor's key signs to hand its resources to a successor site."""
    return SUCCESSION_DOMAIN + f"{old_site}\n{new_site}\n{new_public_hex}\n".encode("ascii")


def bound_id(public_hex: str, nonce: str) -> str:
    """The resource id a key and a nonce make (see the module's docstring)."""
    return hashlib.sha256(ID_DOMAIN + bytes.fromhex(public_hex) + nonce.encode("ascii")).hexdigest()[:16]


def new_nonce() -> str:
    return secrets.token_hex(8)


class KeyStore:
    """``local/keys/``: one private key per site id this library has been."""

    def __init__(self, local_dir: Path) -> None:
        self.dir = Path(local_dir) / KEYS_DIR

    def path(self, site: str) -> Path:
        return self.dir / f"{site}.key"

    def load(self, site: str) -> SiteKey | None:
        p = self.path(site)
        try:
            text = p.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise LibraryError(_("Cannot read the key {path}: {error}").format(path=p, error=exc),
                               _("Restore local/keys/ from a backup of this library.")) from None
        if not is_hex(text, 64):
            raise LibraryError(_("The key {path} is malformed.").format(path=p),
                               _("Restore local/keys/ from a backup of this library."))
        return SiteKey(bytes.fromhex(text))

    def create(self, site: str) -> SiteKey:
        """A new key for *site*, written 0600 before anything is signed with it."""
        key = SiteKey.generate()
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        p = self.path(site)
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (key.seed_hex() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, p)
        from cagette.fsutil import fsync_dir

        fsync_dir(self.dir)
        return key

    def forget(self, site: str) -> None:
        """Drop a predecessor's key once its succession is signed (a copy keeps only its own)."""
        try:
            self.path(site).unlink()
        except FileNotFoundError:
            pass
