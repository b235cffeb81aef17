"""Encryption at rest (MultiFernet over CONFIG_ENCRYPTION_KEYS) and keyed HMACs of secrets.

Values are JSON: a secret is `json.dumps(value)` encrypted. The HMAC lets history, diffs and
the compare page say "changed"/"equal" without ever holding either plaintext.
"""

import base64
import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

MASK = "••••••"


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.CONFIG_ENCRYPTION_KEYS))


def hmac_key() -> bytes:
    explicit = getattr(settings, "CONFIG_HMAC_KEY", "")
    if explicit:
        return explicit.encode()
    first = settings.CONFIG_ENCRYPTION_KEYS[0]
    return hashlib.sha256(b"configuration-hmac:" + base64.urlsafe_b64decode(first)).digest()


def encrypt_value(value) -> str:
    return fernet().encrypt(canonical_json(value).encode()).decode()


class DecryptionError(Exception):
    pass


def decrypt_value(ciphertext: str):
    try:
        return json.loads(fernet().decrypt(ciphertext.encode()).decode())
    except (InvalidToken, ValueError) as exc:
        raise DecryptionError("cannot decrypt: no configured key matches (CONFIG_ENCRYPTION_KEYS)") from exc


def rotate(ciphertext: str) -> str:
    return fernet().rotate(ciphertext.encode()).decode()


def value_hmac(value) -> str:
    return hmac.new(hmac_key(), canonical_json(value).encode(), hashlib.sha256).hexdigest()
