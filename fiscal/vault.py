"""Encryption at rest for signature files and their passwords (Fernet).

The keys come from the environment: settings.FISCAL_CERT_KEY holds one Fernet
key, or several separated by commas while rotating keys. The first encrypts,
every one decrypts; `manage.py fiscal_rotate_key` re-encrypts the stored
certificates with the first, after which the old keys can be removed.

Only with the development SECRET_KEY (which production refuses to start with)
does a key derived from it let development, tests and the demo work without
set-up; any real deployment must set FISCAL_CERT_KEY.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENERATE_COMMAND = (
    'python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class KeyMissing(ImproperlyConfigured):
    """No FISCAL_CERT_KEY outside development."""


class KeyInvalid(ImproperlyConfigured):
    """FISCAL_CERT_KEY holds something that is not a Fernet key."""


def configured_keys() -> list[str]:
    """The comma-separated keys of settings.FISCAL_CERT_KEY, first one first."""
    value = getattr(settings, "FISCAL_CERT_KEY", "") or ""
    if isinstance(value, bytes):
        value = value.decode()
    return [part.strip() for part in value.split(",") if part.strip()]


def dev_key_allowed() -> bool:
    dev_key = getattr(settings, "DEV_SECRET_KEY", None)
    return bool(dev_key) and dev_key == settings.SECRET_KEY


def key_problem() -> str | None:
    """Why the keys are unusable (for system checks), or None."""
    keys = configured_keys()
    if not keys:
        return None if dev_key_allowed() else "missing"
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            return f"invalid:{position}"
    return None


def _keys() -> list[bytes]:
    keys = configured_keys()
    if keys:
        return [key.encode() for key in keys]
    if not dev_key_allowed():
        raise KeyMissing(
            "Set FISCAL_CERT_KEY to store signature files; generate one with: "
            + GENERATE_COMMAND
        )
    digest = hashlib.sha256(b"fiscal-cert-dev:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except ValueError as exc:
        raise KeyInvalid(
            "FISCAL_CERT_KEY must be Fernet keys (32 url-safe base64-encoded "
            "bytes), separated by commas; generate one with: " + GENERATE_COMMAND
        ) from exc


def key_id() -> str:
    """A fingerprint of the current keys (for caches of decrypted material)."""
    return hashlib.sha256(b",".join(_keys())).hexdigest()


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    """Decrypt, raising ImproperlyConfigured when no key of FISCAL_CERT_KEY fits."""
    try:
        return _fernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Cannot decrypt a stored certificate: FISCAL_CERT_KEY holds no key "
            "it was stored with."
        ) from exc


def rotate(token: bytes) -> bytes:
    """Re-encrypt a token with the first key (any key of the list may decrypt it)."""
    try:
        return _fernet().rotate(bytes(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Cannot re-encrypt a stored certificate: FISCAL_CERT_KEY holds no key "
            "it was stored with."
        ) from exc
