"""Schools: part of `training.views` (see its docstring)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.accounts.models import Organisation
from ppp.audit.services import audit_record
from ppp.exports import csv_response
from ppp.links import absolute_url
from ppp.once import submitted_once
from ppp.ratelimit import ALLOW, limited

from .. import permissions, reports, selectors, services
from ..forms import (
    MAX_ATTENDEES,
    BookingForm,
    CancelBookingForm,
    SubstituteForm,
)
from ..models import Booking, Charge, CourseSession
from ..services import TrainingError
from ._base import _organisation


@login_required
@require_http_methods(["GET", "POST"])
# Bookings made, per person: viewing the form counts for nothing, and a whole school
# behind one address is not one person.
@limited("training-book", "30/m", cache_down=ALLOW, methods=("POST",), key="user")
@submitted_once
def book(request, session):
    """A lead or member books named attendees from their organisation."""
    session = get_object_or_404(CourseSession.objects.with_counts().select_related("course"), public_id=session)
    organisation = _organisation(request)
    if organisation is None or not permissions.can_book_for(request.user, organisation):
        return render(request, "training/book_not_member.html", {"session": session}, status=403)
    try:
        rows = int(request.POST.get("rows") or request.GET.get("rows") or 3)
    except ValueError:
        rows = 3
    if request.method == "POST" and "more" in request.POST:
        # "Book for more people": the same names again, with more rows, and nothing booked yet.
        typed = {key: value for key, value in request.POST.items() if key.startswith(("name_", "email_", "role_"))}
        form = BookingForm(initial=typed, rows=MAX_ATTENDEES)
    else:
        form = BookingForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            bookings = services.booking_create(
                session=session, organisation=organisation, attendees=form.attendees(), by=request.user, request=request
            )
        except TrainingError as error:
            form.add_error(None, str(error))
        else:
            confirmed = [b for b in bookings if b.status == Booking.Status.CONFIRMED]
            waiting = [b for b in bookings if b.status == Booking.Status.WAITLISTED]
            if confirmed:
                messages.success(
                    request,
                    f"{len(confirmed)} place{'s' if len(confirmed) != 1 else ''} confirmed: "
                    + ", ".join(b.attendee_name for b in confirmed)
                    + ".",
                )
            if waiting:
                # Joining the waiting list is what was asked for: a success, not a problem.
                messages.success(
                    request,
                    "On the waiting list: "
                    + ", ".join(b.attendee_name for b in waiting)
                    + ". We email them if a place comes up.",
                )
            return redirect(session)
    return render(
        request,
        "training/book.html",
        {
            "session": session,
            "form": form,
            "organisation": organisation,
            "price": session.course.price_for(organisation),
            "rows": form.rows,
            "notice_days": settings.TRAINING_NOTICE_DAYS,
        },
    )


def _booking(request, booking) -> Booking:
    return get_object_or_404(
        Booking.objects.for_user(request.user).select_related("session__course", "organisation", "booked_by"),
        public_id=booking,
    )


@login_required
@require_GET
def booking_detail(request, booking):
    booking = _booking(request, booking)
    certificate = selectors.certificates_by_booking([booking]).get(str(booking.pk))
    return render(
        request,
        "training/booking.html",
        {
            "booking": booking,
            "session": booking.session,
            "actions": permissions.booking_actions(request.user, booking),
            "certificate": certificate,
            "late": services.is_late(booking.session),
            "notice_ends": timezone.localtime(services.notice_ends(booking.session)),
            "history": booking.events.select_related("by").order_by("at", "pk"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, booking):
    booking = _booking(request, booking)
    form = CancelBookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(
                booking=booking, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{booking.attendee_name}'s place is cancelled.")
            return redirect(booking)
    if not permissions.can_cancel_booking(request.user, booking) and not form.errors:
        messages.error(request, "This place can no longer be cancelled.")
        return redirect(booking)
    return render(
        request,
        "training/booking_cancel.html",
        {
            "booking": booking,
            "form": form,
            "late": booking.status == Booking.Status.CONFIRMED and services.is_late(booking.session),
            "notice_days": settings.TRAINING_NOTICE_DAYS,
            "someone_waiting": booking.session.bookings.filter(status=Booking.Status.WAITLISTED).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_substitute(request, booking):
    booking = _booking(request, booking)
    form = SubstituteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_substitute(
                booking=booking, attendee=form.attendee(), by=request.user, request=request
            )
        except TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{booking.attendee_name} now has the place.")
            return redirect(booking)
    if not permissions.can_substitute_booking(request.user, booking) and not form.errors:
        messages.error(request, "The attendee can no longer be changed.")
        return redirect(booking)
    return render(request, "training/booking_substitute.html", {"booking": booking, "form": form})


@login_required
@require_GET
def mine(request):
    organisation = _organisation(request)
    if organisation is None:
        raise Http404("You do not belong to an organisation.")
    return redirect("training:record", slug=organisation.slug)


def _record_organisation(request, slug) -> Organisation:
    return get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)


@login_required
@require_GET
def record(request, slug):
    """An organisation's training: upcoming places, and who completed which course when."""
    organisation = _record_organisation(request, slug)
    now = timezone.now()
    upcoming = list(
        Booking.objects.filter(organisation=organisation, session__starts_at__gte=now)
        .active()
        .select_related("session__course")
        .order_by("session__starts_at", "attendee_name", "pk")
    )
    completed = list(selectors.training_record(organisation))
    certificates = selectors.certificates_by_booking(completed)
    for booking in completed:
        booking.certificate = certificates.get(str(booking.pk))
    charges = (
        list(Charge.objects.filter(organisation=organisation).select_related("session__course")[:50])
        if permissions.can_see_charges(request.user, organisation)
        else None
    )
    return render(
        request,
        "training/record.html",
        {"organisation": organisation, "upcoming": upcoming, "completed": completed, "charges": charges},
    )


@login_required
@require_GET
def record_csv(request, slug):
    organisation = _record_organisation(request, slug)
    completed = list(selectors.training_record(organisation))
    audit_record("training.record_export", actor=request.user, organisation=organisation, request=request)
    return csv_response(
        f"training-record-{organisation.slug}.csv",
        reports.record_csv(completed, selectors.certificates_by_booking(completed)),
    )


@login_required
@require_POST
def award_attach(request, application, criterion):
    """Attach the organisation's training record to the award as evidence for 2.1 or 2.4."""
    from accreditation.selectors import application_for, criterion_by_code
    from accreditation.services import WorkflowError, evidence_add

    application = application_for(request.user, application)
    if application is None:
        raise Http404("No such application.")
    criterion_obj = criterion_by_code(application, criterion)
    if criterion_obj is None or criterion not in selectors.AWARD_CRITERIA:
        raise Http404("Training offers no evidence for that criterion.")
    organisation = application.organisation
    if not permissions.can_attach_training_evidence(request.user, organisation):
        messages.error(request, "Only the school's own staff can attach its training record.")
        return redirect(application)
    done = selectors.completions(organisation, criterion_code=criterion)
    if not done:
        messages.error(request, "There is no completed training to attach yet.")
        return redirect(application)
    today = timezone.localdate()
    who = selectors.AWARD_CRITERIA[criterion]
    lines = [
        f"SEND Support training completed by {organisation.name}'s {who}, from the council's training records "
        f"on {today:%-d %B %Y}:",
        "",
        *[
            f"- {c.name} ({c.role}): {c.course}, {c.on:%-d %B %Y}"
            + (f", certificate {c.certificate}" if c.certificate else "")
            for c in done
        ],
        "",
        f"Each certificate can be checked at {absolute_url('certificates:verify-lookup')}",
    ]
    try:
        evidence = evidence_add(
            application=application,
            by=request.user,
            criteria=[criterion_obj],
            title=f"Training record: {who} trained ({today:%-d %B %Y})",
            kind="statement",
            statement="\n".join(lines),
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(application)
    messages.success(request, "The training record is attached as draft evidence. Submit it when you are ready.")
    return redirect(evidence)
