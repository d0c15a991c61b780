"""Encryption at rest for what must not be readable from a database dump alone: free
text about children (incidents) and two-factor secrets.

The keys are Fernet keys from the environment (`FIELD_ENCRYPTION_KEYS`, comma-separated),
kept apart from the database and from SECRET_KEY: the first key encrypts, every key
decrypts, so a key is rotated by putting a new one first, running
`manage.py rotate_encryption_keys` (which rewrites every encrypted value with it) and
then dropping the old one. `EncryptedTextField` is django-fernet-encrypted-fields' field
with these keys instead of keys derived from SECRET_KEY.

Encrypted columns cannot be searched. Where equal values must be found (the same pupil
reference across incidents), store `blind_index(value)` beside it: a keyed hash
(HMAC-SHA256 with `FIELD_INDEX_KEY`) that matches equal values without revealing them.
"""

import hashlib
import hmac
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from encrypted_fields import fields as encrypted_fields


class DecryptionError(Exception):
    """A stored value could not be decrypted with any of FIELD_ENCRYPTION_KEYS."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "The value was encrypted with a key that is no longer in FIELD_ENCRYPTION_KEYS."
        ) from None


def is_encrypted(value: str) -> bool:
    """Does `value` look like a Fernet token (rather than plain text stored before encryption)?"""
    return isinstance(value, str) and value.startswith("gAAAAA")


def blind_index(value: str) -> str:
    """A keyed hash of the normalised `value` (case and spaces ignored), for finding equal values."""
    normalised = " ".join(value.split()).casefold()
    return hmac.new(settings.FIELD_INDEX_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


# encrypted_fields ships no types: to mypy, its fields are the Django fields they extend, so a
# model's encrypted text reads and writes as `str` (ADR 0090).
if TYPE_CHECKING:
    _FieldKeysBase = models.Field
    _EncryptedText = models.TextField
    _EncryptedChar = models.CharField
else:
    _FieldKeysBase = object
    _EncryptedText = encrypted_fields.EncryptedTextField
    _EncryptedChar = encrypted_fields.EncryptedCharField


class EncryptedFieldKeys(_FieldKeysBase):
    """Use FIELD_ENCRYPTION_KEYS (first encrypts, all decrypt) for an encrypted_fields field."""

    @property
    def f(self) -> MultiFernet:  # read each time: settings may change (rotation, tests)
        return _fernet()

    def to_python(self, value):
        if isinstance(value, str) and is_encrypted(value) and not hasattr(self, "_already_decrypted"):
            decrypt(value)  # raises DecryptionError rather than showing the token as text
        return super().to_python(value)


class EncryptedTextField(EncryptedFieldKeys, _EncryptedText):
    """A TextField stored as Fernet ciphertext. Empty values are stored as NULL: give
    the field `null=True, blank=True` unless it is required."""


class EncryptedCharField(EncryptedFieldKeys, _EncryptedChar):
    """A CharField stored as ciphertext (the column is text: ciphertext is longer)."""
