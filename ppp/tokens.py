"""Secret links (invitations, email checks, evaluation and reporting links): only a hash
of the token is stored, so a copy of the database does not hold live links."""

import hashlib
import secrets


def new_token() -> str:
    """A new random token, about 256 bits, safe in a URL."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """A token as stored: its SHA-256 (the token itself is never kept). Spaces around it,
    as a copied link may bring, are not part of it."""
    return hashlib.sha256(token.strip().encode()).hexdigest()
