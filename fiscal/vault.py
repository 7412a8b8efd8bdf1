"""Encryption at rest for signature files and their passwords (Fernet).

The key comes from the environment (settings.FISCAL_CERT_KEY, a Fernet key).
Only with the development SECRET_KEY (which production refuses to start with)
does a key derived from it let development, tests and the demo work without
set-up; any real deployment must set FISCAL_CERT_KEY.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from backoffice.settings import DEV_SECRET_KEY


def _key() -> bytes:
    configured = getattr(settings, "FISCAL_CERT_KEY", "")
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    if settings.SECRET_KEY != DEV_SECRET_KEY:
        raise ImproperlyConfigured(
            "Set FISCAL_CERT_KEY (Fernet.generate_key()) to store signature files."
        )
    digest = hashlib.sha256(b"fiscal-cert-dev:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def key_id() -> str:
    """A fingerprint of the current key (for caches of decrypted material)."""
    return hashlib.sha256(_key()).hexdigest()


def encrypt(data: bytes) -> bytes:
    return Fernet(_key()).encrypt(data)


def decrypt(token: bytes) -> bytes:
    """Decrypt, raising ImproperlyConfigured when FISCAL_CERT_KEY changed."""
    try:
        return Fernet(_key()).decrypt(bytes(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Cannot decrypt a stored certificate: FISCAL_CERT_KEY is not the key "
            "it was stored with."
        ) from exc
