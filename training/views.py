"""Training pages. Thin: find the object through a scoped QuerySet, call a form or a
service, render. Public: the catalogue, course and session pages, the calendar feed and
the evaluation link. Schools: booking, their places, their training record. Officers:
the register, certificates, evaluations, charges and reports."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.accounts.models import Organisation
from ppp.accounts.selectors import current_membership
from ppp.audit.services import audit_record
from ppp.decorators import officer_required
from ppp.exports import stream_csv
from ppp.links import absolute_url
from ppp.once import submitted_once
from ppp.pagecache import cache_public_page
from ppp.pagination import CappedPaginator
from ppp.ratelimit import ALLOW, limited

from . import permissions, reports, selectors, services
from .calendar import sessions_feed
from .filters import CatalogueFilter, ChargeFilter, SessionFilter, session_q
from .forms import (
    MAX_ATTENDEES,
    AttendanceForm,
    BookingForm,
    CancelBookingForm,
    CancelSessionForm,
    CapacityForm,
    ChargeForm,
    EvaluationForm,
    SubstituteForm,
)
from .models import Booking, CertificateBatch, Charge, Course, CourseSession, Evaluation
from .services import TrainingError


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _organisation(request) -> Organisation | None:
    membership = current_membership(request) if request.user.is_authenticated else None
    return membership.organisation if membership else None


# ---------------------------------------------------------------- public


@require_GET
@cache_public_page("training-catalogue")
def catalogue(request):
    sessions = selectors.catalogue_sessions()
    filterset = CatalogueFilter(request.GET or None, queryset=selectors.active_courses())
    courses = selectors.active_courses()
    if filterset.is_bound and filterset.is_valid():
        courses = filterset.qs
        sessions = sessions.filter(session_q(filterset.form.cleaned_data))
    courses = list(selectors.courses_with_sessions(courses, sessions))
    return render(
        request,
        "training/catalogue.html",
        {"filter": filterset, "courses": courses, "organisation": _organisation(request)},
    )


@require_GET
@cache_public_page("training-catalogue")
def course(request, slug):
    course = get_object_or_404(Course.objects.active().prefetch_related("audiences"), slug=slug)
    sessions = list(selectors.catalogue_sessions().filter(course=course))
    return render(request, "training/course.html", {"course": course, "sessions": sessions})


@require_GET
@cache_public_page("training-catalogue")
def sessions_ics(request):
    """Every upcoming session, streamed a few at a time (kept whole for the next anonymous
    reader once it has been sent)."""
    response = StreamingHttpResponse(
        sessions_feed(selectors.feed_sessions()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="send-support-training.ics"'
    return response


@require_GET
def session_detail(request, session):
    """A session's details. The person's own organisation's places are listed, and the
    joining link shown only when one of them is confirmed (or to officers)."""
    session = get_object_or_404(CourseSession.objects.with_counts().select_related("course"), public_id=session)
    organisation = _organisation(request)
    bookings = selectors.own_booking(request.user, session, organisation)
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "course": session.course,
            "organisation": organisation,
            "bookings": bookings,
            "show_link": selectors.can_see_joining_link(request.user, session, bookings),
            "price": session.course.price_for(organisation) if organisation else None,
            "can_book": organisation is not None and permissions.can_book_for(request.user, organisation),
        },
    )


# ---------------------------------------------------------------- schools


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
    response = HttpResponse(
        reports.record_csv(completed, selectors.certificates_by_booking(completed)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="training-record-{organisation.slug}.csv"'
    return response


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


# ---------------------------------------------------------------- evaluation (private link)


@never_cache  # the address carries the attendee's secret token: never kept by a browser or proxy
@require_http_methods(["GET", "POST"])
@limited("training-evaluate", "30/m", cache_down=ALLOW)
def evaluate(request, token):
    evaluation = (
        Evaluation.objects.by_token(token).select_related("booking__session__course", "booking__organisation").first()
    )
    if evaluation is None or not evaluation.is_open:
        status = 404 if evaluation is None else 410
        done = evaluation is not None and evaluation.submitted_at is not None
        return render(request, "training/evaluate_unusable.html", {"done": done}, status=200 if done else status)
    form = EvaluationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(evaluation=evaluation, **form.cleaned_data)
        except TrainingError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "training/evaluate_unusable.html", {"done": True, "thanks": True})
    booking = evaluation.booking
    return render(
        request,
        "training/evaluate.html",
        {"form": form, "booking": booking, "session": booking.session, "when": services.when(booking.session)},
    )


# ---------------------------------------------------------------- officers


@officer_required
@require_GET
def officer_home(request):
    sessions = CourseSession.objects.with_counts().select_related("course").order_by("starts_at", "pk")
    filterset = SessionFilter(request.GET or None, queryset=sessions)
    if filterset.is_bound and filterset.is_valid():
        sessions = filterset.qs
    else:
        sessions = sessions.filter(starts_at__gte=timezone.now() - timezone.timedelta(days=30))
    page = Paginator(sessions, 25).get_page(request.GET.get("page"))
    check_by = timezone.now() + timezone.timedelta(days=settings.TRAINING_MINIMUM_CHECK_DAYS)
    low = list(
        CourseSession.objects.upcoming()
        .with_counts()
        .select_related("course")
        .filter(starts_at__lte=check_by, go_ahead_confirmed_at__isnull=True)
        .order_by("starts_at")
    )
    low = [s for s in low if s.confirmed_count < s.minimum_numbers]
    to_close = list(
        CourseSession.objects.filter(status=CourseSession.Status.SCHEDULED, starts_at__lt=timezone.now())
        .select_related("course")
        .order_by("starts_at")[:20]
    )
    return render(
        request,
        "training/officer_home.html",
        {"filter": filterset, "page": page, "querystring": _querystring(request), "low": low, "to_close": to_close},
    )


def _officer_session(session) -> CourseSession:
    return get_object_or_404(CourseSession.objects.with_counts().select_related("course"), public_id=session)


@officer_required
@require_GET
def register(request, session):
    """The officer's page for a session: places, waiting list, attendance, certificates."""
    session = _officer_session(session)
    bookings = list(session.bookings.select_related("organisation").order_by("status", "created_at", "pk"))
    confirmed = [b for b in bookings if b.status == Booking.Status.CONFIRMED]
    waiting = [b for b in bookings if b.status == Booking.Status.WAITLISTED]
    cancelled = [b for b in bookings if b.status == Booking.Status.CANCELLED]
    certificates = selectors.certificates_by_booking(confirmed)
    for booking in confirmed:
        booking.certificate = certificates.get(str(booking.pk))
    actions = permissions.session_actions(request.user, session)
    form = AttendanceForm(bookings=sorted(confirmed, key=lambda b: (b.attendee_name.lower(), b.pk)))
    return render(
        request,
        "training/register.html",
        {
            "session": session,
            "confirmed": confirmed,
            "waiting": waiting,
            "cancelled": cancelled,
            "actions": actions,
            "form": form,
            "attendance_open": "attendance" in actions and session.has_started,
            "batch": session.certificate_batches.first(),
            "history": session.events.select_related("by").order_by("-at", "-pk")[:20],
            "when": services.when(session),
            "attended": sum(1 for b in confirmed if b.attendance == Booking.Attendance.ATTENDED),
        },
    )


@officer_required
@require_POST
def attendance(request, session):
    session = _officer_session(session)
    confirmed = session.bookings.confirmed()
    form = AttendanceForm(request.POST, bookings=confirmed)
    if form.is_valid():
        try:
            changed = services.attendance_record(session=session, marks=form.marks(), by=request.user, request=request)
        except TrainingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Attendance saved ({changed} change{'s' if changed != 1 else ''}).")
    else:
        messages.error(request, "Select attended or absent for each attendee.")
    return redirect("training:register", session=session.public_id)


@officer_required
@require_POST
def complete(request, session):
    session = _officer_session(session)
    try:
        services.session_complete(session=session, by=request.user, request=request)
    except TrainingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Session completed: charges raised and evaluation links sent.")
    return redirect("training:register", session=session.public_id)


@officer_required
@require_POST
def certificates(request, session):
    session = _officer_session(session)
    try:
        batch = services.certificates_request(session=session, by=request.user, request=request)
    except TrainingError as error:
        messages.error(request, str(error))
        return redirect("training:register", session=session.public_id)
    return redirect(batch)


@officer_required
@require_GET
def batch(request, batch):
    batch = get_object_or_404(
        CertificateBatch.objects.select_related("session__course", "requested_by"), public_id=batch
    )
    return render(request, "training/batch.html", {"batch": batch, "session": batch.session})


def _batch_action(request, batch, action, done: str):
    batch = get_object_or_404(CertificateBatch.objects.select_related("session"), public_id=batch)
    try:
        action(batch=batch, by=request.user, request=request)
    except TrainingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(batch)


@officer_required
@require_POST
def batch_retry(request, batch):
    return _batch_action(
        request, batch, services.certificates_batch_retry, "Started again: it carries on from where it stopped."
    )


@officer_required
@require_POST
def batch_cancel(request, batch):
    return _batch_action(
        request, batch, services.certificates_batch_cancel, "Cancelled. The certificates issued so far are kept."
    )


@officer_required
@require_GET
def sign_in_sheet(request, session):
    session = _officer_session(session)
    audit_record("training.sign_in_sheet", actor=request.user, target=session, request=request)
    response = HttpResponse(reports.sign_in_sheet_pdf(session), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sign-in-sheet-{session.public_id}.pdf"'
    return response


@officer_required
@require_http_methods(["GET", "POST"])
def session_cancel(request, session):
    session = _officer_session(session)
    form = CancelSessionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                session=session, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The session is cancelled and everyone booked has been emailed.")
            return redirect("training:register", session=session.public_id)
    return render(request, "training/session_cancel.html", {"session": session, "form": form})


@officer_required
@require_http_methods(["GET", "POST"])
def capacity(request, session):
    session = _officer_session(session)
    form = CapacityForm(request.POST if request.method == "POST" else None, initial={"capacity": session.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                session=session, by=request.user, capacity=form.cleaned_data["capacity"], request=request
            )
        except TrainingError as error:
            form.add_error("capacity", str(error))
        else:
            messages.success(request, f"The session now has {form.cleaned_data['capacity']} places.")
            return redirect("training:register", session=session.public_id)
    return render(request, "training/capacity.html", {"session": session, "form": form})


@officer_required
@require_POST
def go_ahead(request, session):
    session = _officer_session(session)
    try:
        services.session_confirm_go_ahead(session=session, by=request.user, request=request)
    except TrainingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The session is confirmed to go ahead.")
    return redirect("training:register", session=session.public_id)


def _evaluations_page(request, evaluations, *, title, back, back_text):
    evaluations = evaluations.select_related("booking__session__course", "booking__organisation")
    return render(
        request,
        "training/evaluations.html",
        {
            "title": title,
            "summary": reports.evaluation_summary(evaluations),
            "evaluations": evaluations.filter(submitted_at__isnull=False).order_by("-submitted_at")[:200],
            "back": back,
            "back_text": back_text,
        },
    )


@officer_required
@require_GET
def session_evaluations(request, session):
    session = _officer_session(session)
    return _evaluations_page(
        request,
        Evaluation.objects.filter(booking__session=session),
        title=f"Evaluations: {session}",
        back=reverse("training:register", kwargs={"session": session.public_id}),
        back_text="Back to the session",
    )


@officer_required
@require_GET
def course_evaluations(request, slug):
    course = get_object_or_404(Course, slug=slug)
    return _evaluations_page(
        request,
        Evaluation.objects.filter(booking__session__course=course),
        title=f"Evaluations: {course.title}",
        back=reverse("training:reports"),
        back_text="Back to the reports",
    )


@officer_required
@require_GET
def charges(request):
    queryset = reports.charges_queryset()
    filterset = ChargeFilter(request.GET or None, queryset=queryset)
    charges = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = CappedPaginator(charges.only(*reports.CHARGES_PAGE_COLUMNS), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "training/charges.html",
        {"filter": filterset, "page": page, "querystring": _querystring(request)},
    )


@officer_required
@require_GET
def charges_csv(request):
    queryset = reports.charges_queryset()
    filterset = ChargeFilter(request.GET or None, queryset=queryset)
    charges = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    audit_record("training.charges_export", actor=request.user, request=request)
    return stream_csv(
        reports.charges_csv_rows(charges),
        header=reports.CHARGES_HEADER,
        filename=f"training-charges-{timezone.localdate():%Y-%m-%d}.csv",
    )


@officer_required
@require_POST
def charge_mark(request, charge):
    charge = get_object_or_404(Charge.objects.for_user(request.user), public_id=charge)
    form = ChargeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose invoiced, paid or not invoiced.")
    else:
        try:
            services.charge_mark(charge=charge, by=request.user, request=request, **form.cleaned_data)
        except TrainingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{charge.organisation.name}: {charge.get_status_display().lower()}.")
    return HttpResponseRedirect(request.POST["next"]) if _safe_next(request) else redirect("training:charges")


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    # A path on this site only: anything else ("abc", a view's name, another host) goes to the charges page.
    return (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    )


@officer_required
@require_GET
def reports_page(request):
    rows = reports.course_term_report()
    courses = {c.title: c for c in Course.objects.all()}
    return render(request, "training/reports.html", {"rows": rows, "courses": courses})


@officer_required
@require_GET
def reports_csv(request):
    audit_record("training.report_export", actor=request.user, request=request)
    response = HttpResponse(reports.course_term_csv(reports.course_term_report()), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="training-by-course-and-term.csv"'
    return response
