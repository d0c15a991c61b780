from django.conf import settings

from ppp.accounts.selectors import current_membership


def service(request):
    """Who runs the service and how to reach them, for every page (footer, trust pages)."""
    return {
        "service": {
            "council": settings.COUNCIL_NAME,
            "team": settings.CONTACT_TEAM,
            "email": settings.CONTACT_EMAIL,
            "phone": settings.CONTACT_PHONE,
            "hours": settings.CONTACT_HOURS,
            "address": settings.CONTACT_ADDRESS,
            "data_protection_email": settings.DATA_PROTECTION_EMAIL,
            "incident_retention_years": settings.INCIDENT_RETENTION_YEARS,
        },
        "site_url": settings.SITE_URL,
    }


def ppp(request):
    """What every page needs to draw its header: the person's current organisation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "current_membership": membership,
        "current_organisation": membership.organisation if membership else None,
    }
