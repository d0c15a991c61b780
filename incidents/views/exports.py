"""Exports (the lead) and reports (reviewers): part of `incidents.views` (see its docstring)."""

import csv
from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.audit.services import audit_record
from ppp.crypto import blind_index
from ppp.csvsafe import csv_safe
from ppp.exports import csv_download, csv_response

from .. import permissions, reports, services
from ..filters import IncidentFilter
from ..forms import (
    PupilReferenceForm,
)
from ..models import CATEGORY_FIELDS, FORM_FIELDS, Category, Form, Incident, Involvement, PupilMessage
from ..selectors import EVIDENCE_CRITERIA, evidence_title
from ..terms import Term
from ._base import _attachment, _pdf, _school

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

# What the export reads of a record: only these columns, as tuples (`values_list`), never
# model instances (with their people prefetched, those are reference cycles that only
# Python's cyclic collector frees: 20 MB of them at 5,000 records before it ran).
EXPORT_FIELDS = (
    "pk",
    "reference",
    "occurred_at",
    "reported_on",
    "reported_at",
    "reported_by",
    "location",
    "mode",
    *FORM_FIELDS.values(),
    *CATEGORY_FIELDS.values(),
    "stop_several_times",
    "stop_on_purpose",
    "stop_power_imbalance",
    "classification",
    "description",
    "immediate_action",
    "restorative_used",
    "parents_informed",
    "parents_informed_on",
    "parents_informed_how",
    "review_date",
    "outcome",
    "status",
    "is_repeat",
    "recorded_by__full_name",
    "recorded_by__email",
    "anonymised_at",
)
PEOPLE_FIELDS = ("incident_id", "pupil_reference", "role", "year_group", "send")


def _labels(model, *names: str) -> dict[str, dict]:
    """Each choice field's labels by value, as `get_<field>_display` shows them."""
    return {name: {value: str(label) for value, label in model._meta.get_field(name).flatchoices} for name in names}


def _people(incident_ids: list[int]) -> dict[int, str]:
    """The people involved in these records, as the export writes them, in one query."""
    labels = _labels(Involvement, "role", "year_group")
    people: dict[int, list[str]] = {}
    rows = (
        Involvement.objects.filter(incident_id__in=incident_ids)
        .order_by("incident_id", "created_at", "id")
        .values_list(*PEOPLE_FIELDS)
    )
    for incident_id, reference, role, year_group, send in rows:
        role_label = labels["role"].get(role, role)
        year_label = labels["year_group"].get(year_group, year_group)
        people.setdefault(incident_id, []).append(
            f"{reference or 'anonymised'} ({role_label}, {year_label}{', SEND' if send else ''})"
        )
    return {incident_id: "; ".join(names) for incident_id, names in people.items()}


def _export_rows(incidents):
    """The export's rows, a chunk of records (and one query for their people) at a time,
    read from a server-side cursor: what is held is one chunk, whatever the number."""
    labels = _labels(Incident, "reported_by", "location", "mode", "classification", "parents_informed_how", "status")
    forms = [(field, str(Form(value).label)) for value, field in FORM_FIELDS.items()]
    categories = [(field, str(Category(value).label)) for value, field in CATEGORY_FIELDS.items()]
    records = incidents.values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
    while chunk := [dict(zip(EXPORT_FIELDS, row, strict=True)) for row in islice(records, EXPORT_CHUNK)]:
        people = _people([i["pk"] for i in chunk])
        for i in chunk:
            occurred_at = i["occurred_at"]
            yield [
                i["reference"],
                timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M") if occurred_at else "",
                i["reported_on"].isoformat(),
                timezone.localtime(i["reported_at"]).strftime("%Y-%m-%d %H:%M"),
                labels["reported_by"].get(i["reported_by"], i["reported_by"]),
                labels["location"].get(i["location"], i["location"]),
                labels["mode"].get(i["mode"], i["mode"]),
                ", ".join(label for field, label in forms if i[field]),
                ", ".join(label for field, label in categories if i[field]),
                _yes_no(i["stop_several_times"]),
                _yes_no(i["stop_on_purpose"]),
                _yes_no(i["stop_power_imbalance"]),
                labels["classification"].get(i["classification"], i["classification"]),
                csv_safe(i["description"]),
                csv_safe(i["immediate_action"]),
                _yes_no(i["restorative_used"]),
                _yes_no(i["parents_informed"]),
                i["parents_informed_on"].isoformat() if i["parents_informed_on"] else "",
                labels["parents_informed_how"].get(i["parents_informed_how"], i["parents_informed_how"]),
                i["review_date"].isoformat() if i["review_date"] else "",
                csv_safe(i["outcome"]),
                labels["status"].get(i["status"], i["status"]),
                _yes_no(i["is_repeat"]),
                csv_safe(people.get(i["pk"], "")),
                csv_safe(i["recorded_by__full_name"] or i["recorded_by__email"] or ""),
                i["anonymised_at"].date().isoformat() if i["anonymised_at"] else "",
            ]


@login_required
@require_GET
def export_csv(request):
    """Every record of the school (or those the filters find), streamed: constant memory
    whatever the number of records. Who read which record is written down first, before
    a byte of them leaves: one event per record, in one INSERT ... SELECT."""
    organisation = _school(request, "export")
    incidents = Incident.objects.for_user(request.user).filter(organisation=organisation)
    filterset = IncidentFilter(request.GET or None, queryset=incidents)
    chosen = (filterset.qs if filterset.is_bound and filterset.is_valid() else incidents).order_by("reported_at", "id")
    records = services.audit_incidents(
        "incident.export",
        chosen,
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
