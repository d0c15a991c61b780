"""Secret links (invitations, email checks, evaluation and reporting links): only a hash
of the token is stored, so a copy of the database does not hold live links."""

import hashlib
import secrets


def new_token() -> str:
    """A new random token, about 256 bits, safe in a URL."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
