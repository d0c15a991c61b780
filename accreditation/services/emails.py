"""Email: part of `accreditation.services` (see its docstring)."""

from django.conf import settings

from ppp.accounts.models import Membership
from ppp.mail import email_after_commit

from ..models import (
    Application,
)


def lead_emails(application: Application) -> list[str]:
    leads = (
        Membership.objects.leads().filter(organisation=application.organisation).values_list("user__email", flat=True)
    )
    return sorted({*leads, application.contact_email} - {""})


def officer_emails(application: Application) -> list[str]:
    if officer := application.assigned_officer:  # no query when there is none
        return [officer.email]
    return [settings.PPP_TEAM_EMAIL]


def _notify(to: list[str], subject: str, template: str, **context) -> None:
    email_after_commit(f"accreditation/email/{template}.txt", context, subject=f"PPP award: {subject}", to=to)
