"""The organisation's pledge: part of `charter.views` (see its docstring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.accounts.models import Organisation
from ppp.confirm import Confirmation, confirm_page
from ppp.forms import posted
from ppp.history import history_of
from ppp.once import submitted_once

from .. import permissions, selectors, services
from ..forms import (
    CommentForm,
    PledgeForm,
    RemoveForm,
    WithdrawForm,
)
from ..models import CommissionedProvider, Pledge, PledgeCommitment
from ..services import CharterError
from ._base import _current_charter


def _pledges(user):
    return Pledge.objects.for_user(user).select_related("organisation", "charter")


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def organisation_sign(request, slug):
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    existing = selectors.current_pledge(organisation)
    if existing is not None:
        return redirect(existing)
    if not permissions.can_sign(request.user, organisation):
        return render(request, "charter/sign_lead_only.html", {"organisation": organisation}, status=403)
    charter = _current_charter()
    initial = {"signatory_name": request.user.full_name, "signatory_role": request.user.job_title}
    form = PledgeForm(posted(request), charter=charter, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pledge = services.pledge_create(
                organisation=organisation, by=request.user, details=form.details(), request=request
            )
        except CharterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Thank you for signing the charter. Your pledge is with the council for approval."
            )
            return redirect(pledge)
    return render(
        request,
        "charter/pledge_form.html",
        {"form": form, "organisation": organisation, "charter": charter, "mode": "sign"},
    )


@login_required
@require_GET
def pledge_detail(request, pledge):
    pledge = get_object_or_404(
        _pledges(request.user).prefetch_related(
            Prefetch("commitments", queryset=PledgeCommitment.objects.select_related("commitment"))
        ),
        public_id=pledge,
    )
    return render(
        request,
        "charter/pledge_detail.html",
        {
            "pledge": pledge,
            "actions": permissions.pledge_actions(request.user, pledge),
            "events": history_of(pledge),
            "reviews": pledge.reviews.select_related("submitted_by"),
            "certificate": selectors.pledge_certificate(pledge),
            "can_commission": selectors.is_approved_commissioner(pledge.organisation),
            "provider_requests": CommissionedProvider.objects.for_provider(request.user)
            .filter(provider=pledge.organisation)
            .awaiting_acceptance()
            .count(),
            "duplicates": selectors.possible_duplicates(pledge.organisation)
            if request.user.is_officer and pledge.organisation.provisional
            else [],
            "remove_form": _remove_form(pledge),
            "changes_asked": selectors.changes_asked(pledge),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_edit(request, pledge):
    """Change a returned pledge and resubmit it, or renew a lapsed one."""
    pledge = get_object_or_404(_pledges(request.user), public_id=pledge)
    if pledge.status not in (Pledge.Status.RETURNED, Pledge.Status.LAPSED):
        messages.error(request, "Only a pledge returned for changes, or a lapsed one, can be changed here.")
        return redirect(pledge)
    refusal = permissions.can_change_pledge.refusal(request.user, pledge)
    if refusal:
        raise PermissionDenied(refusal)
    renewing = pledge.status == Pledge.Status.LAPSED
    form = PledgeForm(posted(request), charter=pledge.charter, initial=PledgeForm.initial_from(pledge))
    form.helper.inputs[0].value = "Renew our pledge" if renewing else "Resubmit our pledge"
    if request.method == "POST" and form.is_valid():
        action = services.pledge_renew if renewing else services.pledge_resubmit
        try:
            action(pledge=pledge, by=request.user, details=form.details(), request=request)
        except CharterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your pledge is with the council for approval.")
            return redirect(pledge)
    return render(
        request,
        "charter/pledge_form.html",
        {
            "form": form,
            "organisation": pledge.organisation,
            "charter": pledge.charter,
            "pledge": pledge,
            "mode": "renew" if renewing else "resubmit",
        },
    )


def _pledge_action(request, pledge, action, done: str, form_class=None, field: str = ""):
    """POST-only decisions on a pledge the person may see: fetch it through for_user
    (404 otherwise), call the service, say what happened."""
    pledge = get_object_or_404(_pledges(request.user), public_id=pledge)
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, next(iter(form.errors.values()))[0])
            return redirect(pledge)
        kwargs[field] = form.cleaned_data[field]
    try:
        action(pledge=pledge, by=request.user, request=request, **kwargs)
    except CharterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(organisation=pledge.organisation))
    return redirect(pledge)


def _pledge_decision(request, pledge, *, rule, action, done: str, confirmation, form_class=None):
    """A decision that cannot be undone: GET shows the "Are you sure?" page (with the
    form, if the decision needs a comment), POST makes it. Refused decisions go back to
    the pledge with the reason."""
    pledge = get_object_or_404(_pledges(request.user).select_related("organisation"), public_id=pledge)
    refusal = rule.refusal(request.user, pledge)
    if refusal:
        messages.error(request, refusal)
        return redirect(pledge)
    form = form_class(posted(request)) if form_class else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            action(pledge=pledge, by=request.user, request=request, **(form.cleaned_data if form else {}))
        except CharterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done.format(organisation=pledge.organisation))
        return redirect(pledge)
    return confirm_page(request, confirmation(pledge), form)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_withdraw(request, pledge):
    return _pledge_decision(
        request,
        pledge,
        rule=permissions.can_withdraw_pledge,
        action=services.pledge_withdraw,
        done="{organisation}'s pledge has been withdrawn.",
        form_class=WithdrawForm,
        confirmation=lambda p: Confirmation(
            question="Are you sure you want to withdraw your pledge?",
            caption=p.organisation.name,
            button="Yes, withdraw our pledge",
            back_url=p.get_absolute_url(),
            happens=[
                f"{p.organisation} is taken off the public register of charter partners.",
                "Its charter certificates stop being valid: anyone who checks one is told it was withdrawn.",
                "You can sign the charter again later, as a new pledge.",
            ],
            warning="Withdrawing cannot be undone.",
        ),
    )


@login_required
@require_POST
def pledge_listing(request, pledge):
    consent = request.POST.get("consent") == "1"
    done = (
        "{organisation} is listed on the public register."
        if consent
        else ("{organisation} is no longer listed on the public register.")
    )
    return _pledge_action(request, pledge, lambda **kw: services.pledge_set_listing(consent=consent, **kw), done)


def _approval_happens(pledge) -> list[str]:
    happens = []
    if pledge.organisation.provisional:
        happens.append(f"{pledge.organisation} becomes a confirmed organisation (it signed up online).")
    happens += [
        "The pledge is approved and a charter certificate is issued.",
        "It is listed on the public register."
        if pledge.consent_to_list
        else "It is not listed on the public register: the organisation did not agree to be listed.",
        f"Its first annual review is due on {services.next_review_due(timezone.localdate()):%-d %B %Y}.",
        f"{pledge.organisation}'s lead is emailed.",
    ]
    return happens


@login_required
@require_http_methods(["GET", "POST"])
def pledge_approve(request, pledge):
    return _pledge_decision(
        request,
        pledge,
        rule=permissions.can_approve_pledge,
        action=services.pledge_approve,
        done="{organisation}'s pledge is approved.",
        confirmation=lambda p: Confirmation(
            question=f"Are you sure you want to approve {p.organisation}'s pledge?",
            caption=p.organisation.name,
            button="Yes, approve the pledge",
            back_url=p.get_absolute_url(),
            happens=_approval_happens(p),
            destructive=False,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_return(request, pledge):
    return _pledge_decision(
        request,
        pledge,
        rule=permissions.can_return_pledge,
        action=services.pledge_return,
        done="{organisation}'s pledge has been returned with your comment.",
        form_class=CommentForm,
        confirmation=lambda p: Confirmation(
            question=f"Return {p.organisation}'s pledge for changes",
            caption=p.organisation.name,
            button="Return the pledge",
            back_url=p.get_absolute_url(),
            happens=[
                "The organisation's lead is emailed your comment and asked to change the pledge and resubmit it.",
                "The pledge is not listed on the public register until it is approved.",
            ],
            destructive=False,
        ),
    )


@login_required
@require_POST
def pledge_remove(request, pledge):
    return _pledge_action(
        request,
        pledge,
        services.pledge_remove_from_register,
        "{organisation} has been removed from the public register.",
        RemoveForm,
        "reason",
    )


@login_required
@require_POST
def pledge_restore(request, pledge):
    return _pledge_action(
        request, pledge, services.pledge_restore_to_register, "{organisation} is back on the public register."
    )


def _remove_form(pledge) -> RemoveForm:
    """crispy draws the form tag itself: it posts to the remove action."""
    form = RemoveForm()
    form.helper.form_action = reverse("charter:pledge-remove", args=[pledge.public_id])
    return form
