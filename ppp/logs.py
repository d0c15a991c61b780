"""Logging filters: nothing secret in any log PPP writes.

A school's pupils' reporting link is a secret in its address (`/tell/<token>/`), and
Django logs the path of every refused or missing page ("Not Found: /tell/…", "Too Many
Requests: /tell/…", a CSRF refusal). `RedactSecretPaths` rewrites such a record's message
before any handler sees it, so the token never reaches the application log or an email
to the administrators.
"""

import logging
import re

# /tell/<token>/ but not /tell/follow-up/, wherever it appears in a message.
SECRET_PATHS = re.compile(r"(/tell/)(?!follow-up/)[^/\s?#\"']+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return SECRET_PATHS.sub(REDACTED, text)


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a record whose arguments do not fit its message
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
