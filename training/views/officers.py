"""Officers: part of `training.views` (see its docstring)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.audit.services import audit_record
from ppp.decorators import officer_required
from ppp.exports import csv_response, stream_csv
from ppp.forms import posted
from ppp.pagecache import page_version
from ppp.pagination import CappedPaginator

from .. import permissions, reports, selectors, services
from ..filters import RECENT, ChargeFilter, SessionFilter
from ..forms import (
    AttendanceForm,
    CancelSessionForm,
    CapacityForm,
    ChargeForm,
    ChargesInvoicedForm,
    SessionForm,
)
from ..models import Booking, CertificateBatch, Charge, Course, CourseSession, Evaluation
from ..services import TrainingError
from ._base import _querystring

REPORT_SECONDS = 3600  # a bound only: the version changes with every course, session and place


@officer_required
@require_GET
def officer_home(request):
    sessions = CourseSession.objects.with_counts().select_related("course").order_by("starts_at", "pk")
    # With no "When" chosen (the first view, or its page 2) the list is upcoming sessions and
    # the last 30 days, and its "When" box says so; "Any time" (when=) shows them all.
    data = request.GET.copy()
    data.setdefault("when", RECENT)
    filterset = SessionFilter(data, queryset=sessions)
    sessions = filterset.qs if filterset.is_valid() else filterset.filter_when(sessions, "when", RECENT)
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
@require_http_methods(["GET", "POST"])
def session_new(request):
    """Officers schedule a session; `?copy=<session>` starts from that session's details
    (a repeat: everything but the day)."""
    initial, copied = {}, None
    if request.method == "GET" and request.GET.get("copy"):
        copied = selectors.session_to_copy(request.GET["copy"])
        if copied is None:
            raise Http404("No such session")
        initial = SessionForm.initial_from(copied)
    form = SessionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(by=request.user, **form.session_fields())
        except TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{session} is scheduled and open for booking.")
            return redirect("training:register", session=session.public_id)
    return render(request, "training/session_new.html", {"form": form, "copied": copied})


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
            marked = services.charge_mark(charge=charge, by=request.user, request=request, **form.cleaned_data)
        except TrainingError as error:
            messages.error(request, str(error))
        else:
            # The charge as saved (the one read above is as it was before).
            messages.success(request, f"{marked.organisation.name}: {marked.get_status_display().lower()}.")
    return HttpResponseRedirect(request.POST["next"]) if _safe_next(request) else redirect("training:charges")


@officer_required
@require_POST
def charges_mark_invoiced(request):
    """Several charges ticked on the charges page, marked invoiced in one go."""
    form = ChargesInvoicedForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["charges"][0])
    else:
        try:
            marked, skipped = services.charges_mark_invoiced(
                charges=form.cleaned_data["charges"], by=request.user, request=request
            )
        except TrainingError as error:
            messages.error(request, str(error))
        else:
            text = f"{len(marked)} charge{'' if len(marked) == 1 else 's'} marked invoiced."
            if skipped:
                text += f" Not changed (already invoiced or paid): {', '.join(c.organisation.name for c in skipped)}."
            messages.success(request, text)
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
    # The table adds up every session and place, so it is a fragment kept under the
    # training pages' version, which every change to a course, session or place replaces
    # (training/signals.py); the report is read only when the fragment is drawn.
    return render(
        request,
        "training/reports.html",
        {
            "rows": reports.course_term_report,
            "report_version": page_version(request, "training-catalogue"),
            "report_seconds": REPORT_SECONDS,
        },
    )


@officer_required
@require_GET
def reports_csv(request):
    audit_record("training.report_export", actor=request.user, request=request)
    return csv_response("training-by-course-and-term.csv", reports.course_term_csv(reports.course_term_report()))
