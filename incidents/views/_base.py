"""What every part shares: part of `incidents.views` (see its docstring)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from ppp.accounts.selectors import current_membership
from ppp.audit.services import audit_record
from ppp.pdf import render_pdf

from .. import permissions
from ..models import Incident, Involvement

PAGE_SIZE = 25


def _pdf(html: str) -> bytes:
    return render_pdf(html)


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Finding things


def _school(request, action: str = "list"):
    """The school the person works for, if they may do `action` there (see
    `permissions.organisation_actions`). Officers: 404, as for every incident page."""
    if request.user.is_officer:
        raise Http404("Incident records are not shown to council officers.")
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("Incident records belong to a school, and you are not a member of one.")
    organisation = membership.organisation
    if action not in permissions.organisation_actions(request.user, organisation):
        if action in ("list", "record"):
            raise PermissionDenied("Your school's lead has not given you access to incident records.")
        raise PermissionDenied("Only your school's lead or its reviewers can do this.")
    return organisation


def _incident(request, pk) -> Incident:
    return get_object_or_404(
        Incident.objects.for_user(request.user).select_related("organisation", "recorded_by"), public_id=pk
    )


def _involvement(request, pk) -> Involvement:
    return get_object_or_404(
        Involvement.objects.for_user(request.user).select_related("incident__organisation", "incident__recorded_by"),
        public_id=pk,
    )


def _require(check, user, obj):
    """403 with the rule's own sentence unless `user` may (the object was already found)."""
    refusal = check.refusal(user, obj)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _viewed(request, incident, page: str = "record"):
    """Showing a record to someone: one AuditEvent (who, which, when, from where)."""
    audit_record("incident.view", actor=request.user, target=incident, request=request, page=page)
