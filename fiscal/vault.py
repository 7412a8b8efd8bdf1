"""Encryption at rest for signature files and their passwords (Fernet).

The key comes from the environment (settings.FISCAL_CERT_KEY, a Fernet key).
In DEBUG only, a key derived from SECRET_KEY lets development and the demo
work without set-up; production refuses to run without a real key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _key() -> bytes:
    configured = getattr(settings, "FISCAL_CERT_KEY", "")
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "Set FISCAL_CERT_KEY (Fernet.generate_key()) to store signature files."
        )
    digest = hashlib.sha256(b"fiscal-cert-dev:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


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
