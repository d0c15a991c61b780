"""What every award page needs: the object through `for_user` (another organisation's is
a 404), and the person's standing towards it."""

from django.shortcuts import get_object_or_404

from ppp.accounts.selectors import is_lead, is_member

from ..models import Application, Evidence, Visit
from ..selectors import with_page_counts


def get_application(request, pk) -> Application:
    return get_object_or_404(
        Application.objects.for_user(request.user).select_related("organisation", "scheme", "assigned_officer"),
        public_id=pk,
    )


def get_application_page(request, pk) -> Application:
    """`get_application` for the award page: with the page's summary counts in the same
    query (its award is read on its own: joined here too, PostgreSQL took longer to plan
    the query than the award's own query costs)."""
    return get_object_or_404(
        with_page_counts(
            Application.objects.for_user(request.user).select_related("organisation", "scheme", "assigned_officer")
        ),
        public_id=pk,
    )


def get_evidence(request, pk) -> Evidence:
    return get_object_or_404(
        Evidence.objects.for_user(request.user).select_related(
            "application__organisation", "application__scheme", "application__assigned_officer", "carried_forward_from"
        ),
        public_id=pk,
    )


def get_visit(request, pk) -> Visit:
    return get_object_or_404(
        Visit.objects.for_user(request.user).select_related(
            "application__organisation", "application__scheme", "application__assigned_officer"
        ),
        public_id=pk,
    )


def standing(user, application: Application) -> dict:
    """Who the person is to this school: for wording, not for rules (see permissions)."""
    return {
        "is_officer": user.is_officer,
        "is_lead": is_lead(user, application.organisation),
        "is_member": is_member(user, application.organisation),
    }
