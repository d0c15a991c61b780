"""The one error type a rule raises.

Every app's services refuse with a subclass of `DomainError` (AccountsError,
CharterError, WorkflowError, CertificateError…) whose message is a sentence for the
person. Views turn it into a form error or a message, never a 500.
"""


class DomainError(Exception):
    """A rule was broken; `str(error)` says which, in words a person can act on."""
