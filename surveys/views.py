"""Pages for a school's lead (rounds, links, posters, results), for the staff who read
pupils' free text, and for council officers (participation and the protected figures
across settings). The pages people answer on are in answer_views.py.

Every round is fetched through `Round.objects.for_user`, which is empty for council
officers, so a school's round, results and free text are a 404 for them.
"""

import csv
import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.accounts.models import Organisation
from ppp.accounts.selectors import current_membership
from ppp.audit.services import audit_record
from ppp.confirm import Confirmation, confirm_page
from ppp.csvsafe import csv_safe
from ppp.decorators import officer_required
from ppp.exports import csv_response
from ppp.links import absolute_url
from ppp.once import SUBMISSION_WINDOW, submitted_once
from ppp.pagination import CappedPaginator
from ppp.pdf import render_pdf

from . import charts, permissions, releases, reports, selectors, services
from .forms import ExtendForm, PosterForm, RegisterNoteForm, RoundForm
from .models import PUPIL_AUDIENCES, Audience, Response, Round
from .selectors import EVIDENCE_CRITERIA, award_date, evidence_title, not_attachable_message, shows_figures
from .services import SurveyError

PAGE_SIZE = 25
NEW_LINK = "surveys-new-link"


def _pdf(html: str) -> bytes:
    return render_pdf(html)


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _qr(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, dark="#0b0c0c", title="QR code of the survey link")


def _school(request, *actions: str) -> Organisation:
    """The school the person works for, if they may do one of `actions` ("run" unless
    named; 404 for officers)."""
    if request.user.is_officer:
        raise Http404("A school's surveys are not shown to council officers.")
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("Surveys belong to a school, and you are not a member of one.")
    if not set(actions or ["run"]) & permissions.organisation_actions(request.user, membership.organisation):
        raise PermissionDenied("Only your school's lead can run surveys and read their results.")
    return membership.organisation


def _round(request, pk, action: str = "run") -> Round:
    """A round of the person's schools (404 otherwise, officers included), if they may `action`."""
    round_ = get_object_or_404(
        Round.objects.for_user(request.user).select_related("organisation", "question_set"), public_id=pk
    )
    if action not in permissions.organisation_actions(request.user, round_.organisation):
        raise Http404("No such round.")
    return round_


# The lead's pages


@login_required
@require_GET
def round_list(request):
    """The school's rounds: for the lead, to run them and read their results; for the staff
    who review incidents, only to reach what people wrote in each (with how much is flagged)."""
    organisation = _school(request, "run", "comments")
    actions = permissions.organisation_actions(request.user, organisation)
    rounds = Round.objects.filter(organisation=organisation).select_related("question_set")
    if "comments" in actions:
        rounds = selectors.comment_counts(rounds)
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/list.html",
        {"organisation": organisation, "page": page, "actions": actions, "today": timezone.localdate()},
    )


def _opened_already(request):
    """*Open the round* sent twice (a double click): the first opened it, so the lead goes
    to it, where its link is shown once, not back to a blank form."""
    since = timezone.now() - datetime.timedelta(seconds=SUBMISSION_WINDOW)
    round_ = (
        Round.objects.for_user(request.user)
        .filter(created_by=request.user, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )
    return None if round_ is None else redirect(round_)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@submitted_once(again=_opened_already)
def round_new(request):
    organisation = _school(request)
    form = RoundForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            round_, token = services.round_open(
                organisation=organisation,
                audience=c["audience"],
                opens_on=c["opens_on"],
                closes_on=c["closes_on"],
                year_groups=c["year_groups"],
                class_labels=c["class_labels"],
                reporting_url=c["reporting_link"],
                on_register=c["on_register"],
                by=request.user,
                request=request,
            )
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            # Shown once, on the next page (then forgotten): the round's page pops it.
            request.session[NEW_LINK] = {"round": str(round_.public_id), "token": token}
            return redirect(round_)
    return render(request, "surveys/round_form.html", {"organisation": organisation, "form": form})


@never_cache
@login_required
@require_GET
def round_detail(request, pk):
    round_ = _round(request, pk)
    new = request.session.get(NEW_LINK)
    if new and new.get("round") == str(round_.public_id):
        del request.session[NEW_LINK]
        url = absolute_url("surveys:answer-start", token=new["token"])
        return render(
            request,
            "surveys/round_link.html",
            {
                "organisation": round_.organisation,
                "round": round_,
                "url": url,
                "qr": _qr(url),
                "poster_form": PosterForm(initial={"link": url}),
            },
        )
    results = reports.round_results(round_)
    compared = reports.distance_travelled(results, award_date(round_.organisation))
    audit_record("surveys.results_view", actor=request.user, target=round_, organisation=round_.organisation)
    return render(
        request,
        "surveys/round.html",
        {
            "round": round_,
            "organisation": round_.organisation,
            "results": results,
            "charts": {r.question.position: charts.question_chart(r) for r in results.questions},
            "compared": compared,
            "actions": permissions.organisation_actions(request.user, round_.organisation),
            "extend_form": ExtendForm(),
            "register_form": RegisterNoteForm(initial={"on_register": round_.on_register}),
            "pupils": round_.audience in PUPIL_AUDIENCES,
            "poster_form": PosterForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_close(request, pk):
    """GET asks first (closing cannot be undone: a round closed early cannot be extended);
    POST closes."""
    round_ = _round(request, pk)
    if request.method == "GET":
        if round_.status() == "Closed":
            messages.info(request, "This round is closed already.")
            return redirect(round_)
        return confirm_page(
            request,
            Confirmation(
                question="Are you sure you want to close this round?",
                caption=f"{round_.audience_label}, {round_.organisation.name}",
                button="Yes, close the round",
                back_url=round_.get_absolute_url(),
                back_text="Back to the round",
                happens=[
                    "people will no longer be able to answer: the link will say the survey is not open",
                    "the answers already sent are kept, and their results stay on the round's page",
                ],
                warning="You cannot reopen it or extend it.",
            ),
        )
    try:
        services.round_close(round=round_, by=request.user, request=request)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The round is closed. Its link no longer takes answers.")
    return redirect(round_)


@login_required
@require_POST
def round_register(request, pk):
    round_ = _round(request, pk)
    form = RegisterNoteForm(request.POST)
    form.is_valid()  # a checkbox: anything but "on" is unticked
    on_register = bool(form.cleaned_data.get("on_register"))
    try:
        services.round_register_note(round=round_, on_register=on_register, by=request.user, request=request)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "The charter register now says your school asked its pupils this year."
            if on_register
            else "The charter register no longer says your school asked its pupils this year because of this round.",
        )
    return redirect(round_)


@login_required
@require_http_methods(["GET", "POST"])
def round_extend(request, pk):
    round_ = _round(request, pk)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_extend(
                round=round_, closes_on=form.cleaned_data["closes_on"], by=request.user, request=request
            )
        except SurveyError as error:
            form.add_error("closes_on", str(error))
        else:
            messages.success(request, f"The round now closes on {round_.closes_on:%-d %B %Y}.")
            return redirect(round_)
    latest = round_.opens_on + datetime.timedelta(days=services.MAX_DAYS_OPEN)
    return render(
        request,
        "surveys/extend.html",
        {"round": round_, "form": form, "latest": latest, "max_days": services.MAX_DAYS_OPEN},
        status=200,
    )


@login_required
@require_POST
def round_poster(request, pk):
    round_ = _round(request, pk)
    form = PosterForm(request.POST)
    if form.is_valid():
        found = services.round_for_token(form.token())
        if found is None or found.pk != round_.pk:
            form.add_error("link", "This is not this round's link. Check it and try again")
        else:
            url = absolute_url("surveys:answer-start", token=form.token())
            pdf = _pdf(
                render_to_string(
                    "surveys/print/poster.html",
                    {"organisation": round_.organisation, "round": round_, "url": url, "qr": _qr(url)},
                )
            )
            audit_record("surveys.poster_printed", actor=request.user, target=round_, organisation=round_.organisation)
            return _attachment(pdf, "application/pdf", "survey-poster.pdf")
    return render(request, "surveys/poster_form.html", {"round": round_, "form": form})


def summary_pdf_bytes(round_: Round) -> bytes:
    results = reports.round_results(round_)
    compared = reports.distance_travelled(results, award_date(round_.organisation))
    return _pdf(
        render_to_string(
            "surveys/print/summary.html",
            {
                "round": round_,
                "organisation": round_.organisation,
                "results": results,
                "charts": {r.question.position: charts.question_chart(r) for r in results.questions},
                "compared": compared,
                "made_on": timezone.localdate(),
            },
        )
    )


@login_required
@require_GET
def round_pdf(request, pk):
    round_ = _round(request, pk)
    pdf = summary_pdf_bytes(round_)
    audit_record("surveys.summary_pdf", actor=request.user, target=round_, organisation=round_.organisation)
    return _attachment(pdf, "application/pdf", f"survey-summary-{round_.opens_on:%Y-%m-%d}.pdf")


@login_required
@require_GET
def round_comments(request, pk):
    """What pupils wrote (decrypted here only), flagged ones first. Never for officers, never exported."""
    round_ = _round(request, pk, action="comments")
    comments = (
        Response.objects.for_user(request.user)
        .filter(round=round_, comment__isnull=False)
        .only("pk", "comment", "comment_flagged", "submitted_on", "year_group")
        .order_by("-comment_flagged", "-submitted_on", "-id")
    )
    page = Paginator(comments, PAGE_SIZE).get_page(request.GET.get("page"))
    # The newest flagged answer shown: the home page tells this person only of newer ones.
    flagged_upto = comments.filter(comment_flagged=True).aggregate(upto=Max("pk"))["upto"]
    audit_record(
        selectors.COMMENTS_READ,
        actor=request.user,
        target=round_,
        organisation=round_.organisation,
        flagged_upto=flagged_upto,
    )
    actions = permissions.organisation_actions(request.user, round_.organisation)
    return render(request, "surveys/comments.html", {"round": round_, "page": page, "actions": actions})


@login_required
@require_POST
def award_attach(request, pk, application, criterion):
    """Attach the round's summary (protected figures, no free text) to the award's criterion."""
    from accreditation.selectors import application_for, criterion_by_code
    from accreditation.services import WorkflowError, evidence_add

    round_ = _round(request, pk)
    found = application_for(request.user, application)
    if found is None or found.organisation_id != round_.organisation_id or criterion not in EVIDENCE_CRITERIA:
        raise Http404("Nothing to attach here.")
    criterion_obj = criterion_by_code(found, criterion)
    if criterion_obj is None:
        raise Http404("This scheme has no such criterion.")
    if not shows_figures(round_):
        messages.error(request, not_attachable_message(round_))
        return redirect(found)
    pdf = summary_pdf_bytes(round_)
    name = f"survey-summary-{round_.opens_on:%Y-%m-%d}.pdf"
    try:
        evidence_add(
            application=found,
            by=request.user,
            criteria=[criterion_obj],
            title=evidence_title(round_),
            kind="file",
            file=ContentFile(pdf, name=name),
            original_filename=name,
            content_type="application/pdf",
            size=len(pdf),
        )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(found)
    audit_record(
        "surveys.summary_attached",
        actor=request.user,
        target=round_,
        organisation=round_.organisation,
        attached_to=criterion,
    )
    messages.success(request, f"The survey summary is attached to {criterion} as a draft.")
    return redirect(found)


# Council officers


def _council(request):
    """The term's stored release (`surveys.releases`): the page and the CSV read the same
    figures, a few kilobytes, whatever the number of rounds."""
    audience, term, terms, release = selectors.council_choice(request.GET.get("audience"), request.GET.get("term"))
    by = request.GET.get("by") or "kind"
    if by not in reports.COUNCIL_GROUPINGS:
        by = "kind"
    figures = releases.figures_of(release, by) if release is not None else None
    return audience, term, terms, release, figures, by


@officer_required
@require_GET
def council(request):
    audience, term, terms, release, figures, by = _council(request)
    today = timezone.localdate()
    year_start = (
        today.replace(month=9, day=1) if today.month >= 9 else today.replace(year=today.year - 1, month=9, day=1)
    )
    participation = CappedPaginator(reports.participation(year_start), PAGE_SIZE * 2).get_page(request.GET.get("page"))
    audit_record("surveys.council_view", actor=request.user)
    return render(
        request,
        "surveys/council.html",
        {
            "audiences": Audience.choices,
            "audience": audience,
            "term": term,
            "terms": terms,
            "release": release,
            "ended": term is not None and releases.is_due(term, today),
            "figures": figures,
            "participation": participation,
            "kinds": dict(Organisation.Kind.choices),
            "year_start": year_start,
            "by": by,
            "groupings": [(key, heading) for key, (_field, heading) in reports.COUNCIL_GROUPINGS.items()],
            "group_heading": reports.COUNCIL_GROUPINGS[by][1],
            "querystring": urlencode({"audience": audience, "term": term.slug if term else "", "by": by}),
        },
    )


@officer_required
@require_GET
def council_csv(request):
    audience, term, _terms, release, figures, by = _council(request)
    response = csv_response(f"pupil-voice-{audience}-{term.file_slug if term else 'none'}-by-{by}.csv")
    writer = csv.writer(response)
    if release is None:
        writer.writerow(["The figures for this term have not been published yet."])
    elif figures is None or not figures.enough:
        writer.writerow(["Not enough settings ran this survey in the term for figures to be published."])
    else:
        writer.writerow(
            [
                "Question",
                reports.COUNCIL_GROUPINGS[by][1],
                "Settings",
                "Answers",
                "Answer counted",
                "Gave the answer counted",
                "Gave the answer counted (%)",
            ]
        )
        for question, counted, rows in figures.questions():
            for row in rows:
                writer.writerow(
                    [
                        csv_safe(question),
                        csv_safe(row.label),
                        row.settings,
                        "c" if row.base is None else row.base,
                        csv_safe(counted),
                        "c" if row.positive is None else row.positive,
                        "c" if row.percent is None else row.percent,
                    ]
                )
    audit_record("surveys.council_export", actor=request.user)
    return response
