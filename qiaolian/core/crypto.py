"""Encryption at rest and keyed hashes (blind indexes) for personal data.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys in
``settings.QIAOLIAN_FIELD_KEYS`` (newest first, so keys rotate without re-encrypting at once).
A blind index is HMAC-SHA256 of the normalized value under a key derived per kind, so equal
ID numbers give equal hashes and can be found exactly, while the hash reveals nothing by itself.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.QIAOLIAN_FIELD_KEYS])


@cache
def _index_key(kind: str) -> bytes:
    root = settings.QIAOLIAN_BLIND_INDEX_KEY.encode()
    return hmac.new(root, f"qiaolian-blind-index:{kind}".encode(), hashlib.sha256).digest()


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key is a deployment error, never a silent blank
        raise ValueError("personal data cannot be decrypted with the configured keys") from exc


def blind_index(kind: str, normalized: str) -> str:
    return hmac.new(_index_key(kind), normalized.encode(), hashlib.sha256).hexdigest()


def reset_caches() -> None:
    """Forget derived keys (tests that override the key settings call this)."""
    _fernet.cache_clear()
    _index_key.cache_clear()
