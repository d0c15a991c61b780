"""What every part shares: part of `charter.services` (see its docstring)."""

from ppp.errors import DomainError


class CharterError(DomainError):
    """A charter rule was broken; the message says which and is shown to the person."""
