"""The lead's settings: staff, access log, reporting link: part of `incidents.views` (see its docstring)."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ppp.accounts.models import Membership
from ppp.audit.services import audit_record
from ppp.links import absolute_url
from ppp.once import submitted_once

from .. import permissions, services
from ..forms import (
    PosterForm,
    RoleForm,
)
from ..models import Incident, IncidentRole
from ..selectors import access_events
from ..services import IncidentError
from ._base import _attachment, _pdf, _school


@login_required
@require_GET
def staff(request):
    organisation = _school(request, "staff")
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "incident_role")
        .order_by("user__email")
    )
    rows = [
        (m, RoleForm(prefix=str(m.public_id), initial=_role_initial(m)) if not m.is_lead else None) for m in memberships
    ]
    return render(request, "incidents/staff.html", {"organisation": organisation, "rows": rows})


def _role_initial(membership) -> dict:
    try:
        role = membership.incident_role
    except IncidentRole.DoesNotExist:
        return {"can_record": False, "can_review": False}
    return {"can_record": role.can_record, "can_review": role.can_review}


@login_required
@require_POST
def role_set(request, pk):
    membership = get_object_or_404(
        Membership.objects.for_user(request.user).select_related("organisation", "user"), public_id=pk
    )
    if not permissions.can_manage_incidents(request.user, membership.organisation):
        raise Http404("Only the school's lead changes who works with incidents.")
    form = RoleForm(request.POST, prefix=str(membership.public_id))
    form.is_valid()
    try:
        services.incident_role_set(
            membership=membership,
            by=request.user,
            can_record=bool(form.cleaned_data.get("can_record")),
            can_review=bool(form.cleaned_data.get("can_review")),
            request=request,
        )
    except IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Saved what {membership.user.get_full_name()} can do with incidents.")
    return redirect("incidents:staff")


@login_required
@require_GET
def access_log(request):
    organisation = _school(request, "access_log")
    events = access_events(organisation)
    person = request.GET.get("person", "")
    reference = request.GET.get("reference", "").strip()
    if person.isdigit():
        events = events.filter(actor_id=int(person))
    if reference:
        events = events.filter(target_repr__iexact=f"Incident {reference}")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    people = Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__email")
    incident_ids = [int(e.target_id) for e in page if e.target_id.isdigit() and e.action.startswith("incident.")]
    links = dict(Incident.objects.filter(pk__in=incident_ids, organisation=organisation).values_list("pk", "public_id"))
    for event in page:
        event.incident_public_id = links.get(int(event.target_id)) if event.target_id.isdigit() else None
    return render(
        request,
        "incidents/access_log.html",
        {
            "organisation": organisation,
            "page": page,
            "querystring": query.urlencode(),
            "people": people,
            "person": person,
            "reference": reference,
        },
    )


@login_required
@require_GET
def reporting_link(request):
    organisation = _school(request, "reporting_link")
    return render(
        request,
        "incidents/reporting_link.html",
        {
            "organisation": organisation,
            "link": services.active_link(organisation),
            "poster_form": PosterForm(),
            # One key a page load: the button pressed twice makes one link (ppp.once), the
            # page opened again and pressed again makes another.
            "page_load": secrets.token_urlsafe(16),
        },
    )


NEW_REPORTING_LINK = "incidents_new_reporting_link"  # session key: a link just made, until shown


def _made_already(request):
    """The same "Make the link" sent twice: the first made it; show it (the first answer's
    redirect was never seen by the browser, which follows the second)."""
    return redirect("incidents:reporting-link-made")


@never_cache
@login_required
@require_POST
@submitted_once(again=_made_already)
def reporting_link_new(request):
    """Make a new link (the old one stops working) and show it once, on the next page: the
    token is not stored, only its hash, so it is kept in the session until that page pops it."""
    organisation = _school(request, "reporting_link")
    try:
        _link, token = services.reporting_link_create(organisation=organisation, by=request.user, request=request)
    except IncidentError as error:
        messages.error(request, str(error))
        return redirect("incidents:reporting-link")
    request.session[NEW_REPORTING_LINK] = {"organisation": organisation.pk, "token": token}
    return redirect("incidents:reporting-link-made")


@never_cache
@login_required
@require_GET
def reporting_link_made(request):
    organisation = _school(request, "reporting_link")
    made = request.session.pop(NEW_REPORTING_LINK, None)
    if not made or made.get("organisation") != organisation.pk:
        messages.info(request, "A new link is shown once, when it is made. If you did not copy it, make a new link.")
        return redirect("incidents:reporting-link")
    url = absolute_url("incidents:tell", token=made["token"])
    return render(
        request,
        "incidents/reporting_link_new.html",
        {
            "organisation": organisation,
            "link": services.active_link(organisation),
            "url": url,
            "qr": _qr(url),
            "poster_form": PosterForm(initial={"link": url}),
        },
    )


def _qr(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, dark="#0b0c0c", title="QR code of the reporting link")


@login_required
@require_POST
def poster(request):
    """The poster for pupils (PDF, with a QR code) for the link the lead pastes in."""
    organisation = _school(request, "reporting_link")
    form = PosterForm(request.POST)
    if form.is_valid():
        link = services.link_for_token(form.token())
        if link is None or link.organisation_id != organisation.pk:
            form.add_error("link", "This is not your school's reporting link. Check it, or make a new one")
        elif link.retired_at is not None:
            form.add_error("link", "This link has been replaced by a newer one. Use the newest link, or make a new one")
        else:
            url = absolute_url("incidents:tell", token=form.token())
            pdf = _pdf(
                render_to_string(
                    "incidents/print/poster.html", {"organisation": organisation, "url": url, "qr": _qr(url)}
                )
            )
            audit_record("incidents.poster_printed", actor=request.user, organisation=organisation, request=request)
            return _attachment(pdf, "application/pdf", "tell-someone-poster.pdf")
    return render(
        request,
        "incidents/reporting_link.html",
        {"organisation": organisation, "link": services.active_link(organisation), "poster_form": form, "form": form},
    )
