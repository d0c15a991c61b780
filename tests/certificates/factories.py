import datetime

from ppp.certificates.services import certificate_issue


def issue_for(organisation, by, **overrides):
    """A certificate for `organisation` (standing in as its own source)."""
    fields = {
        "source": organisation,
        "kind": "award",
        "holder": organisation.name,
        "title": "Positive and Peaceful Places Award",
        "valid_from": datetime.date(2026, 9, 1),
        "valid_until": datetime.date(2029, 8, 31),
        "organisation": organisation,
        "level": "Gold",
        "by": by,
    }
    return certificate_issue(**{**fields, **overrides})
