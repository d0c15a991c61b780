from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.audit.services import audit_record
from ppp.confirm import Confirmation, confirm_page
from ppp.decorators import AFTER_TWO_FACTOR, officer_required
from ppp.exports import rows_of, stream_csv
from ppp.forms import posted
from ppp.home import sections_for
from ppp.once import submitted_once
from ppp.pagination import CappedPaginator
from ppp.permissions import allowed_actions
from ppp.search import search

from .filters import OrganisationFilter
from .forms import AcceptInvitationForm, HandOverForm, InvitationForm, OfficerSearchForm
from .models import Invitation, Membership, Organisation
from .permissions import ORGANISATION_RULES, can_invite_lead, can_manage_members
from .selectors import current_membership, set_current_organisation
from .services import (
    AccountsError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_revoke,
    membership_make_lead,
    membership_remove,
    organisation_hand_over,
)


@login_required
def portal(request):
    """Where signing in lands: officers at their own work (OFFICER_HOME, the caseload),
    everyone else at their organisation's task home."""
    if request.user.is_officer:
        return redirect(settings.OFFICER_HOME)
    return redirect("accounts:home")


@officer_required
@require_GET
def officer_search(request):
    """Organisations, applications and pledges matching a name, URN, postcode or reference."""
    form = OfficerSearchForm(request.GET if "q" in request.GET else None)
    groups = search(request.user, form.cleaned_data["q"]) if form.is_bound and form.is_valid() else []
    return render(request, "accounts/officer_search.html", {"form": form, "search_form": form, "groups": groups})


@login_required
@require_GET
def home(request):
    """What needs the person now at the organisation they work for, from every app."""
    if request.user.is_officer:
        return redirect(settings.OFFICER_HOME)
    membership = current_membership(request)
    if membership is None:
        return render(request, "accounts/no_organisation.html")
    sections = sections_for(request.user, membership)
    return render(
        request,
        "accounts/home.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "sections": sections,
            "task_count": sum(len(s.tasks) for s in sections),
            "other_memberships": Membership.objects.filter(user=request.user)
            .exclude(pk=membership.pk)
            .select_related("organisation"),
        },
    )


@login_required
def organisation_list(request):
    """The organisations the person belongs to, to switch between them."""
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(request, "accounts/organisation_list.html", {"memberships": memberships})


@login_required
@require_POST
def organisation_switch(request):
    organisation = get_object_or_404(
        Organisation.objects.filter(memberships__user=request.user), slug=request.POST.get("organisation", "")
    )
    set_current_organisation(request, organisation)
    messages.success(request, f"You are now working as {organisation}.")
    return redirect("accounts:home")


@login_required
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    memberships = organisation.memberships.select_related("user").order_by("role", "user__full_name", "user__email")
    actions = allowed_actions(request.user, organisation, ORGANISATION_RULES)
    invitations = organisation.invitations.pending().select_related("invited_by") if "manage_members" in actions else []
    if any(m.user_id == request.user.id for m in memberships):
        set_current_organisation(request, organisation)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "invitations": invitations,
            "actions": actions,
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def organisation_hand_over_view(request, slug):
    """Officers give an organisation to its real lead (removing whoever holds it now)."""
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    form = HandOverForm(posted(request))
    lead = organisation.memberships.leads().select_related("user").first()
    if request.method == "POST" and form.is_valid():
        try:
            organisation_hand_over(organisation=organisation, by=request.user, request=request, **form.cleaned_data)
        except AccountsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{organisation} has been handed to {form.cleaned_data['email']}.")
            return redirect(organisation)
    return render(
        request, "accounts/organisation_hand_over.html", {"organisation": organisation, "form": form, "lead": lead}
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def organisation_invite(request, slug):
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied("Only the organisation's lead or a council officer can invite people.")
    form = InvitationForm(posted(request), can_invite_lead=can_invite_lead(request.user, organisation))
    if request.method == "POST" and form.is_valid():
        try:
            sent = invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                by=request.user,
                request=request,
            )
        except AccountsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {sent.invitation.email}.")
            return redirect(organisation)
    return render(request, "accounts/organisation_invite.html", {"organisation": organisation, "form": form})


def _organisation_action(request, slug, model, public_id, action, done: str):
    """POST-only actions on a member or invitation of an organisation the person may see:
    fetch both through for_user (404 otherwise), call the service, say what happened."""
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    target = get_object_or_404(model.objects.for_user(request.user), organisation=organisation, public_id=public_id)
    try:
        action(target, by=request.user, request=request)
    except AccountsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(target=target, organisation=organisation))
    return redirect(organisation)


def _confirmed_membership_action(request, slug, membership, action, done: str, confirmation):
    """GET: the "Are you sure?" page for a decision about a member; POST: make it."""
    if request.method == "POST":
        return _organisation_action(request, slug, Membership, membership, action, done)
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    target = get_object_or_404(
        Membership.objects.for_user(request.user).select_related("user"),
        organisation=organisation,
        public_id=membership,
    )
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied("Only the organisation's lead or a council officer can do this.")
    return confirm_page(request, confirmation(target, organisation))


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove_view(request, slug, membership):
    return _confirmed_membership_action(
        request,
        slug,
        membership,
        lambda m, **kw: membership_remove(membership=m, **kw),
        "{target.user} has been removed from {organisation}.",
        lambda m, organisation: Confirmation(
            question=f"Are you sure you want to remove {m.user} from {organisation}?",
            caption=organisation.name,
            button=f"Yes, remove {m.user}",
            back_url=organisation.get_absolute_url(),
            happens=[
                f"{m.user} can no longer sign in to work for {organisation} or see its award, pledge or training.",
                "What they added stays, with their name on it.",
                f"To give them access again, invite {m.user.email} again.",
            ],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_make_lead_view(request, slug, membership):
    return _confirmed_membership_action(
        request,
        slug,
        membership,
        lambda m, **kw: membership_make_lead(membership=m, **kw),
        "{target.user} is now the lead for {organisation}.",
        lambda m, organisation: Confirmation(
            question=f"Are you sure you want to make {m.user} the lead for {organisation}?",
            caption=organisation.name,
            button=f"Yes, make {m.user} the lead",
            back_url=organisation.get_absolute_url(),
            destructive=False,
            happens=[
                f"{m.user} becomes the lead: they apply for the award, submit evidence, sign the charter "
                "and manage members.",
                "The current lead stays on as a member and can no longer do those things.",
                "An organisation has one lead at a time.",
            ],
        ),
    )


@login_required
@require_POST
def invitation_revoke_view(request, slug, invitation):
    return _organisation_action(
        request,
        slug,
        Invitation,
        invitation,
        lambda i, **kw: invitation_revoke(invitation=i, **kw),
        "The invitation for {target.email} has been cancelled.",
    )


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token):
    """The link in an invitation email. Unknown tokens are 404; used or expired ones
    get a page that says so (410) and change nothing."""
    invitation = get_object_or_404(Invitation.objects.by_token(token).select_related("organisation"))
    try:
        invitation_check(invitation)
    except AccountsError as error:
        return render(request, "accounts/invitation_unusable.html", {"message": str(error)}, status=410)

    signed_in = request.user.is_authenticated
    form = (
        None
        if signed_in
        # The name the inviter typed, to start with: the invitee can change it.
        else AcceptInvitationForm(posted(request), email=invitation.email, initial={"full_name": invitation.full_name})
    )
    context = {"invitation": invitation, "form": form}
    if request.method == "POST" and (form is None or form.is_valid()):  # no form: signed in
        try:
            membership = invitation_accept(
                invitation=invitation,
                user=request.user if signed_in else None,
                full_name="" if form is None else form.cleaned_data["full_name"],
                password="" if form is None else form.cleaned_data["password1"],
                request=request,
            )
        except AccountsError as error:
            if form is None:
                context["error"] = str(error)
            else:
                form.add_error(None, str(error))
        else:
            if not signed_in:
                login(request, membership.user, backend="allauth.account.auth_backends.AuthenticationBackend")
            set_current_organisation(request, membership.organisation)
            messages.success(request, f"Welcome to {membership.organisation} on Positive and Peaceful Places.")
            return redirect(membership.organisation)
    return render(request, "accounts/invitation_accept.html", context)


@login_required
@require_GET
def after_two_factor(request):
    """ "Continue" once two-factor is on: the page the person was sent from to set it up
    (kept in their session by ppp.decorators.to_two_factor_set_up), once; else home."""
    target = request.session.pop(AFTER_TWO_FACTOR, "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("accounts:home")
    return redirect(target)


@login_required
def account(request):
    """The person's own account: password, two-factor, organisations."""
    from allauth.mfa.models import Authenticator

    has_totp = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(request, "accounts/account.html", {"has_totp": has_totp, "memberships": memberships})


def _officer_organisations(request):
    """The officers' organisations list, filtered: (filterset, queryset in name order)."""
    queryset = Organisation.objects.for_user(request.user)
    filterset = OrganisationFilter(request.GET or None, queryset=queryset)
    organisations = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    return filterset, organisations.order_by("name", "pk")


@officer_required
def officer_home(request):
    """Every organisation, filtered, searched and paginated, with member counts.

    Built for national scale: the count stops at 1,000 and so do the pages (people search
    or filter past that), the page is read through the (name, id) index, and members are
    counted for the 25 organisations shown only."""
    filterset, organisations = _officer_organisations(request)
    member_count = (
        Membership.objects.filter(organisation=OuterRef("pk")).order_by().values("organisation").annotate(n=Count("*"))
    )
    annotated = organisations.annotate(member_count=Coalesce(Subquery(member_count.values("n")), 0))
    page = CappedPaginator(annotated, 25, cap=1000, count_from=organisations).get_page(request.GET.get("page"))
    leads = Membership.objects.leads().filter(organisation__in=[o.pk for o in page]).select_related("user")
    lead_by_org = {m.organisation_id: m.user for m in leads}
    for organisation in page:
        organisation.lead = lead_by_org.get(organisation.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/officer_home.html",
        {"filter": filterset, "page": page, "querystring": query.urlencode()},
    )


@officer_required
@require_GET
def officer_organisations_csv(request):
    """The organisations the officer's filters match, every one of them, streamed."""
    _, organisations = _officer_organisations(request)
    audit_record("organisations.export", actor=request.user, request=request, filters=request.GET.urlencode()[:500])
    kinds = dict(Organisation.Kind.choices)
    statuses = dict(Organisation.Status.choices)
    fields = ("name", "urn", "kind", "phase", "local_authority", "postcode", "status")
    rows = (
        (name, urn, kinds.get(kind, kind), phase, area, postcode, statuses.get(status, status))
        for name, urn, kind, phase, area, postcode, status in rows_of(organisations, *fields)
    )
    return stream_csv(
        rows,
        header=["Name", "URN", "Kind", "Phase", "Local authority", "Postcode", "Status"],
        filename=f"ppp-organisations-{timezone.localdate():%Y-%m-%d}.csv",
    )
