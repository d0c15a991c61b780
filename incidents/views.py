"""Pages for a school's staff (records, reports, settings), for council officers (the
suppressed figures) and for pupils (telling someone, and coming back with a code).

Every record is fetched through `Incident.objects.for_user`, which is empty for council
officers, so every incident URL is a 404 for them. Every page that shows a record, and
every print or export of one, writes one AuditEvent.
"""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp import disclosure
from ppp.accounts.models import Membership, Organisation
from ppp.accounts.selectors import current_membership
from ppp.audit.services import audit_record, audit_records
from ppp.crypto import blind_index
from ppp.csvsafe import csv_safe
from ppp.decorators import officer_required
from ppp.exports import csv_download, csv_response, stream_csv
from ppp.links import absolute_url
from ppp.once import submitted_once
from ppp.pdf import render_pdf

from . import permissions, reports, selectors, services
from .filters import IncidentFilter
from .forms import (
    FiguresForm,
    IncidentForm,
    InvolvementForm,
    NoteForm,
    PosterForm,
    PupilReferenceForm,
    ReasonForm,
    RemovePersonForm,
    ReplyForm,
    ResolveForm,
    ReviewForm,
    RoleForm,
)
from .models import Incident, IncidentEvent, IncidentRole, Involvement, PupilMessage, Role, Status
from .selectors import EVIDENCE_CRITERIA, access_events, evidence_title
from .services import IncidentError
from .terms import Term

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


# The list and recording


@login_required
@require_GET
def incident_list(request):
    organisation = _school(request)
    incidents = Incident.objects.for_user(request.user).filter(organisation=organisation)
    filterset = IncidentFilter(request.GET or None, queryset=incidents)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else incidents
    # In the order of the "Happened" column, newest first; reports whose date is not known
    # yet (a pupil's, waiting to be opened) first of all.
    rows = rows.order_by(F("occurred_at").desc(nulls_first=True), "-reported_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "incidents/list.html",
        {
            "organisation": organisation,
            "filter": filterset,
            "page": page,
            "querystring": query.urlencode(),
            "today": today,
            "actions": permissions.organisation_actions(request.user, organisation),
            "status_counts": reports.status_counts(incidents),
            "overdue": incidents.review_overdue(today).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def incident_new(request):
    organisation = _school(request, "record")
    form = IncidentForm(
        request.POST or None,
        initial={"reported_by": "staff", "parents_informed": "no", "reported_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_record(
                organisation=organisation, by=request.user, details=form.details(), request=request
            )
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Incident {incident.reference} recorded.")
            return redirect(incident)
    return render(request, "incidents/form.html", {"form": form, "organisation": organisation, "mode": "new"})


# One record


@login_required
@require_GET
def incident_detail(request, pk):
    incident = _incident(request, pk)
    user = request.user
    actions = permissions.allowed_actions(user, incident)
    _viewed(request, incident)
    context = {
        "incident": incident,
        "actions": actions,
        "today": timezone.localdate(),
        "involvements": list(incident.involvements.select_related("added_by").order_by("created_at", "id")),
        "conversation": list(incident.messages.select_related("by")) if incident.from_pupil else [],
        "notes": list(incident.notes.select_related("by")),
        "events": list(IncidentEvent.objects.filter(incident=incident).select_related("by").order_by("at", "id")),
        "access": list(
            access_events(incident.organisation).filter(target_id=str(incident.pk), action__startswith="incident.")[:10]
        )
        if "access_log" in actions
        else [],
    }
    return render(request, "incidents/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_edit_incident, request.user, incident)
    if incident.status == Status.NEW and permissions.can_triage_incident(request.user, incident):
        return redirect("incidents:triage", pk=incident.public_id)
    form = IncidentForm(request.POST or None, incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(incident=incident, by=request.user, details=form.details(), request=request)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Record saved. The history shows what changed.")
            return redirect(incident)
    if request.method == "GET":
        _viewed(request, incident, "edit")
    return render(request, "incidents/form.html", {"form": form, "incident": incident, "mode": "edit"})


@login_required
@require_http_methods(["GET", "POST"])
def incident_triage(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_triage_incident, request.user, incident)
    initial = IncidentForm.initial_from(incident)
    if incident.from_pupil and not initial["description"]:
        first = incident.messages.filter(sender=PupilMessage.Sender.PUPIL).order_by("created_at", "id").first()
        initial["description"] = (first.body or "") if first else ""
    initial["parents_informed"] = initial["parents_informed"] or "no"
    form = IncidentForm(request.POST or None, initial=initial, submit_label="Open the incident")
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_triage(incident=incident, by=request.user, details=form.details(), request=request)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Incident {incident.reference} is open. Add the people involved next.")
            return redirect(incident)
    if request.method == "GET":
        _viewed(request, incident, "triage")
    return render(
        request,
        "incidents/form.html",
        {
            "form": form,
            "incident": incident,
            "mode": "triage",
            "conversation": list(incident.messages.all()) if incident.from_pupil else [],
        },
    )


def _small_form(request, pk, *, check, form_class, template_title, service, done, prefill=None):
    """A page with one small form that moves the incident (review, resolve, reopen, dismiss)."""
    incident = _incident(request, pk)
    _require(check, request.user, incident)
    form = form_class(request.POST or None, initial=prefill(incident) if prefill else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(incident, form.cleaned_data)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(incident)
    return render(request, "incidents/small_form.html", {"form": form, "incident": incident, "title": template_title})


@login_required
@require_http_methods(["GET", "POST"])
def incident_review(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_set_review,
        form_class=ReviewForm,
        template_title="Set a review",
        prefill=lambda i: {"review_date": i.review_date},
        service=lambda incident, data: services.incident_review_set(
            incident=incident, by=request.user, review_date=data["review_date"], request=request
        ),
        done="Review set. You will get a reminder on the day.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_resolve(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_resolve_incident,
        form_class=ResolveForm,
        template_title="Resolve the incident",
        service=lambda incident, data: services.incident_resolve(
            incident=incident, by=request.user, outcome=data["outcome"], request=request
        ),
        done="Incident resolved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_reopen(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_reopen_incident,
        form_class=ReasonForm,
        template_title="Reopen the incident",
        service=lambda incident, data: services.incident_reopen(
            incident=incident, by=request.user, reason=data["reason"], request=request
        ),
        done="Incident reopened.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_dismiss(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_dismiss_incident,
        form_class=ReasonForm,
        template_title="Close without recording an incident",
        service=lambda incident, data: services.incident_dismiss(
            incident=incident, by=request.user, reason=data["reason"], request=request
        ),
        done="Report closed. It is kept, and not counted in any figures.",
    )


@login_required
@require_POST
def incident_close(request, pk):
    incident = _incident(request, pk)
    try:
        services.incident_close(incident=incident, by=request.user, request=request)
    except IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Incident closed.")
    return redirect(incident)


@login_required
@require_POST
@submitted_once
def note_add(request, pk):
    incident = _incident(request, pk)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise IncidentError(form.errors["body"][0])
        services.note_add(incident=incident, by=request.user, body=form.cleaned_data["body"], request=request)
    except IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Note added.")
    return redirect(incident)


@login_required
@require_POST
@submitted_once
def pupil_reply(request, pk):
    incident = _incident(request, pk)
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise IncidentError(form.errors["body"][0])
        services.pupil_reply(incident=incident, by=request.user, body=form.cleaned_data["body"], request=request)
    except IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Reply sent. The pupil reads it when they come back with their code.")
    return redirect(f"{incident.get_absolute_url()}#conversation")


@login_required
@require_GET
def incident_print(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_print_incident, request.user, incident)
    html = render_to_string(
        "incidents/print/record.html",
        {
            "incident": incident,
            "involvements": incident.involvements.order_by("created_at", "id"),
            "conversation": incident.messages.all() if incident.from_pupil else [],
            "notes": incident.notes.select_related("by"),
            "events": IncidentEvent.objects.filter(incident=incident).select_related("by").order_by("at", "id"),
            "printed_by": request.user,
            "printed_at": timezone.now(),
        },
    )
    pdf = _pdf(html)
    audit_record("incident.print", actor=request.user, target=incident, request=request)
    return _attachment(pdf, "application/pdf", f"incident-{incident.reference}.pdf")


# People involved


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def involvement_new(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_add_involvement, request.user, incident)
    form = InvolvementForm(request.POST or None, initial={"role": Role.TARGET})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.involvement_add(
                incident=incident,
                by=request.user,
                pupil_reference=c["pupil_reference"],
                year_group=c["year_group"],
                send=c["send"],
                role=c["role"],
                request=request,
            )
        except IncidentError as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(request, "Person added.")
            if request.POST.get("another"):
                return redirect("incidents:involvement-new", pk=incident.public_id)
            return redirect(f"{incident.get_absolute_url()}#people")
    return render(request, "incidents/involvement_form.html", {"form": form, "incident": incident})


@login_required
@require_http_methods(["GET", "POST"])
def involvement_edit(request, pk):
    involvement = _involvement(request, pk)
    incident = involvement.incident
    _require(permissions.can_edit_incident, request.user, incident)
    initial = {
        "pupil_reference": involvement.pupil_reference,
        "role": involvement.role,
        "year_group": involvement.year_group,
        "send": involvement.send,
    }
    form = InvolvementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.involvement_update(
                involvement=involvement,
                by=request.user,
                pupil_reference=c["pupil_reference"],
                year_group=c["year_group"],
                send=c["send"],
                role=c["role"],
                request=request,
            )
        except IncidentError as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(request, "Saved.")
            return redirect(f"{incident.get_absolute_url()}#people")
    if request.method == "GET":
        _viewed(request, incident, "person involved")
    return render(
        request, "incidents/involvement_form.html", {"form": form, "incident": incident, "involvement": involvement}
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_remove(request, pk):
    """A reviewer removes a pupil wrongly attached to the record, with a reason."""
    involvement = _involvement(request, pk)
    incident = involvement.incident
    _require(permissions.can_remove_involvement, request.user, incident)
    form = RemovePersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.involvement_remove(
                involvement=involvement, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except IncidentError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, "Person removed from the record. The history keeps why.")
            return redirect(f"{incident.get_absolute_url()}#people")
    if request.method == "GET":
        _viewed(request, incident, "person involved")
    return render(
        request, "incidents/involvement_remove.html", {"form": form, "incident": incident, "involvement": involvement}
    )


def _pupil_rows(organisation, index: str, user):
    """Every involvement of one pupil reference at the school that `user` may see."""
    return list(
        Involvement.objects.filter(incident__organisation=organisation, pupil_index=index)
        .filter(incident__in=Incident.objects.for_user(user))
        .select_related("incident")
        .order_by("-incident__occurred_at", "-incident__reported_at")
    )


def _shown(request, action, organisation, rows):
    """Each record a look-up showed gets its own audit event, so its "Who has opened this
    record" shows the look-up too (one query, however many records)."""
    incidents = list({row.incident.pk: row.incident for row in rows}.values())
    audit_records(action, actor=request.user, targets=incidents, organisation=organisation, request=request)


@login_required
@require_GET
def pupil_history(request, pk):
    involvement = _involvement(request, pk)
    organisation = involvement.incident.organisation
    _require(permissions.can_review_incidents, request.user, organisation)
    rows = _pupil_rows(organisation, involvement.pupil_index, request.user) if involvement.pupil_index else []
    audit_record(
        "incidents.pupil_history", actor=request.user, target=involvement.incident, request=request, records=len(rows)
    )
    _shown(request, "incident.pupil_history", organisation, rows)
    return render(
        request,
        "incidents/pupil_history.html",
        {"involvement": involvement, "rows": rows, "organisation": organisation, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pupil_search(request):
    """Find a pupil's history by reference. POST, so the reference never sits in a URL."""
    organisation = _school(request, "pupil_search")
    form = PupilReferenceForm(request.POST or None)
    rows = None
    if request.method == "POST" and form.is_valid():
        rows = _pupil_rows(organisation, blind_index(form.cleaned_data["pupil_reference"]), request.user)
        audit_record(
            "incidents.pupil_search", actor=request.user, organisation=organisation, request=request, found=len(rows)
        )
        _shown(request, "incident.pupil_search", organisation, rows)
    return render(
        request,
        "incidents/pupil_search.html",
        {"form": form, "rows": rows, "organisation": organisation, "today": timezone.localdate()},
    )


# Exports (the lead), reports (reviewers)

EXPORT_COLUMNS = [
    "Reference",
    "Happened",
    "Reported",
    "Recorded",
    "Reported by",
    "Where",
    "Face to face or online",
    "Forms",
    "Prejudice-related categories",
    "STOP: several times",
    "STOP: on purpose",
    "STOP: imbalance of power",
    "Recorded as",
    "What happened",
    "Immediate action",
    "Restorative approach used",
    "Parents or carers told",
    "Told on",
    "Told how",
    "Review date",
    "Outcome",
    "Status",
    "Repeat",
    "People involved",
    "Recorded by",
    "Anonymised",
]


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "")


EXPORT_CHUNK = 500  # incidents read at a time, each chunk with one query for its people


def _export_rows(incidents):
    """The export's rows, a chunk of incidents (and their people) at a time."""
    people_in_order = Prefetch("involvements", queryset=Involvement.objects.order_by("created_at", "id"))
    for i in incidents.select_related("recorded_by").prefetch_related(people_in_order).iterator(EXPORT_CHUNK):
        people = "; ".join(
            f"{p.pupil_reference or 'anonymised'} ({p.get_role_display()}, {p.get_year_group_display()}"
            f"{', SEND' if p.send else ''})"
            for p in i.involvements.all()
        )
        yield [
            i.reference,
            timezone.localtime(i.occurred_at).strftime("%Y-%m-%d %H:%M") if i.occurred_at else "",
            i.reported_on.isoformat(),
            timezone.localtime(i.reported_at).strftime("%Y-%m-%d %H:%M"),
            i.get_reported_by_display(),
            i.get_location_display(),
            i.get_mode_display(),
            ", ".join(i.form_labels),
            ", ".join(i.category_labels),
            _yes_no(i.stop_several_times),
            _yes_no(i.stop_on_purpose),
            _yes_no(i.stop_power_imbalance),
            i.get_classification_display(),
            csv_safe(i.description),
            csv_safe(i.immediate_action),
            _yes_no(i.restorative_used),
            _yes_no(i.parents_informed),
            i.parents_informed_on.isoformat() if i.parents_informed_on else "",
            i.get_parents_informed_how_display(),
            i.review_date.isoformat() if i.review_date else "",
            csv_safe(i.outcome),
            i.get_status_display(),
            _yes_no(i.is_repeat),
            csv_safe(people),
            csv_safe(i.recorded_by.get_full_name() if i.recorded_by else ""),
            i.anonymised_at.date().isoformat() if i.anonymised_at else "",
        ]


@login_required
@require_GET
def export_csv(request):
    """Every record of the school (or those the filters find), streamed: constant memory
    whatever the number of records. Who read which record is written down first, before
    a byte of them leaves."""
    organisation = _school(request, "export")
    incidents = Incident.objects.for_user(request.user).filter(organisation=organisation)
    filterset = IncidentFilter(request.GET or None, queryset=incidents)
    chosen = (filterset.qs if filterset.is_bound and filterset.is_valid() else incidents).order_by("reported_at", "id")
    records = services.audit_incidents(
        "incident.export",
        chosen.only("pk", "reference", "organisation_id").iterator(2000),
        actor=request.user,
        request=request,
        format="csv",
    )
    audit_record("incidents.export", actor=request.user, organisation=organisation, request=request, records=records)
    return csv_download(f"incidents-{organisation.slug}.csv", EXPORT_COLUMNS, _export_rows(chosen))


@login_required
@require_http_methods(["GET", "POST"])
def subject_access(request):
    """Everything held about one pupil reference, as a PDF for a subject access request."""
    organisation = _school(request, "subject_access")
    form = PupilReferenceForm(request.POST or None)
    form.submit_label = "Download the PDF"
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["pupil_reference"].strip()
        index = blind_index(reference)
        theirs = list(
            Involvement.objects.filter(incident__organisation=organisation, pupil_index=index)
            .select_related("incident")
            .order_by("incident__occurred_at", "incident__reported_at")
        )
        incident_ids = {p.incident_id for p in theirs}
        incidents = list(
            Incident.objects.filter(pk__in=incident_ids)
            .prefetch_related(
                Prefetch("involvements", queryset=Involvement.objects.order_by("created_at", "id")),
                Prefetch("messages", queryset=PupilMessage.objects.order_by("created_at", "id")),
                "notes",
            )
            .order_by("occurred_at", "reported_at")
        )
        if not incidents:
            form.add_error("pupil_reference", "No records at your school have this pupil reference")
        else:
            html = render_to_string(
                "incidents/print/subject_access.html",
                {
                    "organisation": organisation,
                    "reference": reference,
                    "index": index,
                    "incidents": incidents,
                    "printed_by": request.user,
                    "printed_at": timezone.now(),
                },
            )
            pdf = _pdf(html)
            services.audit_incidents(
                "incident.export",
                incidents,
                actor=request.user,
                request=request,
                format="pdf",
                purpose="subject access",
            )
            audit_record(
                "incidents.subject_access",
                actor=request.user,
                organisation=organisation,
                request=request,
                records=len(incidents),
            )
            return _attachment(pdf, "application/pdf", f"subject-access-{timezone.localdate():%Y-%m-%d}.pdf")
    return render(request, "incidents/subject_access.html", {"form": form, "organisation": organisation})


def _term(request) -> Term:
    return Term.from_slug(request.GET.get("term", "")) or Term.of(timezone.localdate())


@login_required
@require_GET
def school_report(request):
    organisation = _school(request, "report")
    term = _term(request)
    report = reports.school_report(organisation, term)
    audit_record(
        "incidents.report_view", actor=request.user, organisation=organisation, request=request, term=term.slug
    )
    return render(
        request,
        "incidents/report.html",
        {
            "organisation": organisation,
            "report": report,
            "terms": reports.terms_to_choose(),
            "term": term,
            "actions": permissions.organisation_actions(request.user, organisation),
        },
    )


def governors_pdf_bytes(organisation, term: Term, *, suppressed: bool) -> bytes:
    report = reports.school_report(organisation, term, suppressed=suppressed, references=False)
    return _pdf(render_to_string("incidents/print/governors.html", {"report": report, "organisation": organisation}))


@login_required
@require_GET
def governors_pdf(request):
    organisation = _school(request, "governors_report")
    term = _term(request)
    suppressed = request.GET.get("copy") == "award"
    pdf = governors_pdf_bytes(organisation, term, suppressed=suppressed)
    audit_record(
        "incidents.governors_report",
        actor=request.user,
        organisation=organisation,
        request=request,
        term=term.slug,
        format="pdf",
        suppressed=suppressed,
    )
    return _attachment(pdf, "application/pdf", f"governors-report-{term.slug}.pdf")


@login_required
@require_GET
def governors_csv(request):
    organisation = _school(request, "governors_report")
    term = _term(request)
    suppressed = request.GET.get("copy") == "award"
    report = reports.school_report(organisation, term, suppressed=suppressed, references=False)
    response = csv_response(f"governors-report-{term.slug}.csv")
    writer = csv.writer(response)
    writer.writerow([f"{organisation.name}: bullying incidents, {term.label} (counts only)"])
    for row in report.rows_for_csv:
        writer.writerow([csv_safe(cell) for cell in row])
    audit_record(
        "incidents.governors_report",
        actor=request.user,
        organisation=organisation,
        request=request,
        term=term.slug,
        format="csv",
        suppressed=suppressed,
    )
    return response


@login_required
@require_POST
def award_attach(request, application, criterion):
    """Attach this term's governors' report (counts only, small numbers hidden) to the
    award's criterion 1.2 or 1.3, as a PDF evidence item."""
    from accreditation.selectors import application_for, criterion_by_code
    from accreditation.services import WorkflowError, evidence_add

    if request.user.is_officer:
        raise Http404("Incident figures are attached by the school.")
    application = application_for(request.user, application)
    if application is None:
        raise Http404("No such application.")
    organisation = application.organisation
    if criterion not in EVIDENCE_CRITERIA or not permissions.can_see_reports(request.user, organisation):
        raise Http404("Nothing to attach here.")
    criterion_obj = criterion_by_code(application, criterion)
    if criterion_obj is None:
        raise Http404("This scheme has no such criterion.")
    term = Term.of(timezone.localdate())
    pdf = governors_pdf_bytes(organisation, term, suppressed=True)
    name = f"governors-report-{term.slug}.pdf"
    try:
        evidence = evidence_add(
            application=application,
            by=request.user,
            criteria=[criterion_obj],
            title=evidence_title(term),
            kind="file",
            file=ContentFile(pdf, name=name),
            original_filename=name,
            content_type="application/pdf",
            size=len(pdf),
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(application)
    audit_record(
        "incidents.governors_report",
        actor=request.user,
        organisation=organisation,
        request=request,
        term=term.slug,
        format="pdf",
        suppressed=True,
        attached_to=criterion,
    )
    messages.success(request, f"This term's governors' report is attached to {criterion} as a draft.")
    return redirect(evidence)


# The lead's settings: staff, access log, reporting link


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
        },
    )


@never_cache
@login_required
@require_POST
@submitted_once
def reporting_link_new(request):
    """Make a new link and show it this once (it is not stored, so it cannot be shown again)."""
    organisation = _school(request, "reporting_link")
    try:
        link, token = services.reporting_link_create(organisation=organisation, by=request.user, request=request)
    except IncidentError as error:
        messages.error(request, str(error))
        return redirect("incidents:reporting-link")
    url = absolute_url("incidents:tell", token=token)
    return render(
        request,
        "incidents/reporting_link_new.html",
        {
            "organisation": organisation,
            "link": link,
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


# Council officers: the published releases of the council's figures, and participation


def _figures(request):
    """The release asked for (the newest by default) and its view: 2 queries."""
    published = selectors.figure_releases()
    form = FiguresForm(request.GET or None, releases=published)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    which = data.get("which") or "all"
    chosen = Term.from_slug(data.get("release") or "") or (published[0].period if published else None)
    release = chosen and selectors.figure_release(chosen.year, chosen.key)
    view = reports.release_view(release, which) if release is not None else None
    return form, published, view


@officer_required
@require_GET
def figures(request):
    form, published, view = _figures(request)
    term = Term.of(timezone.localdate())
    audit_record(
        "incidents.figures_view", actor=request.user, request=request, release=view and view.release.period.slug
    )
    return render(
        request,
        "incidents/figures.html",
        {
            "form": form,
            "releases": published,
            "view": view,
            "this_term": term,
            "delay_days": settings.INCIDENT_FIGURES_DELAY_DAYS,
            "min_settings": settings.INCIDENT_FIGURES_MIN_SETTINGS,
            "rule_version": disclosure.RULE_VERSION,
            "legend": view.legend if view is not None else disclosure.legend({disclosure.CONFIDENTIAL}),
        },
    )


@officer_required
@require_GET
def figures_csv(request):
    _form, _published, view = _figures(request)
    if view is None or not view.release.published:
        raise Http404("No figures are published for that term.")
    audit_record("incidents.figures_export", actor=request.user, request=request, release=view.release.period.slug)
    rows = view.csv_rows()
    return stream_csv(
        rows,
        header=next(rows),
        filename=f"bullying-incidents-{view.release.period.slug}-{view.which}.csv",
    )


@officer_required
@require_GET
def participation(request):
    """Which settings have recorded anything this term: yes or no, never a count."""
    term = Term.of(timezone.localdate())
    shown = request.GET.get("recorded", "")
    recorded = {"yes": True, "no": False}.get(shown)
    page = Paginator(selectors.participation(term, recorded), 50).get_page(request.GET.get("page"))
    kinds = dict(Organisation.Kind.choices)
    return render(
        request,
        "incidents/participation.html",
        {"term": term, "page": page, "recorded": shown if recorded is not None else "", "kinds": kinds},
    )
