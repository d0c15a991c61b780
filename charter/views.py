"""The charter's pages. Thin: find the object through a scoped QuerySet, call a form or
a service, render. Public: the charter, the register, signing up. Signed in: the
organisation's pledge, reviews and providers. Officers: decisions and the overview."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.accounts.models import Organisation
from ppp.accounts.selectors import current_membership, is_lead, set_current_organisation
from ppp.audit.services import audit_record
from ppp.confirm import Confirmation, confirm_page
from ppp.decorators import officer_required
from ppp.exports import stream_csv
from ppp.forms import posted
from ppp.history import history_of
from ppp.once import submitted_once
from ppp.pagecache import cache_public_page
from ppp.ratelimit import ALLOW, REFUSE, limited, over_limit

from . import permissions, reports, selectors, services
from .filters import RegisterFilter
from .forms import (
    CommentForm,
    FeedbackForm,
    PledgeForm,
    ProviderForm,
    RemoveForm,
    ReviewForm,
    SignUpForm,
    VerifyEmailForm,
    WithdrawForm,
)
from .models import Charter, CommissionedProvider, Pledge, PledgeCommitment, Review
from .services import CharterError


def _current_charter() -> Charter:
    charter = Charter.objects.current()
    if charter is None:
        raise Http404("The charter has not been published yet.")
    return charter


# ---------------------------------------------------------------- public


@require_GET
@cache_public_page("charter")
def index(request):
    charter = _current_charter()
    membership = current_membership(request) if request.user.is_authenticated else None
    own_pledge = selectors.current_pledge(membership.organisation) if membership else None
    return render(
        request,
        "charter/index.html",
        {
            "charter": charter,
            "principles": charter.principles.all(),
            "commitments": charter.commitments.all(),
            "membership": membership,
            "own_pledge": own_pledge,
            "signed_count": Pledge.objects.on_register().count(),
        },
    )


@require_GET
@cache_public_page("charter-register")
def register(request):
    queryset = reports.register_queryset()
    filterset = RegisterFilter(request.GET or None, queryset=queryset)
    pledges = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = Paginator(pledges, 20).get_page(request.GET.get("page"))
    page.object_list = reports.with_register_notes(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "charter/register.html", {"filter": filterset, "page": page, "querystring": query.urlencode()}
    )


@require_GET
@cache_public_page("charter-register")
def register_entry(request, pledge):
    pledge = get_object_or_404(reports.register_queryset(), public_id=pledge)
    reports.with_register_notes([pledge])
    return render(request, "charter/register_entry.html", {"pledge": pledge})


@require_http_methods(["GET", "POST"])
@limited("charter-sign", "30/m", cache_down=ALLOW)
@submitted_once
def sign(request):
    """Sign the charter: a signed-in lead signs for their organisation; anyone else
    registers a new organisation (rate-limited, honeypot, email checked first)."""
    if request.user.is_authenticated:
        membership = current_membership(request)
        if membership is not None:
            return redirect("charter:organisation-sign", slug=membership.organisation.slug)
        if request.user.is_officer:
            messages.info(request, "Council officers do not sign the charter. Organisations sign it.")
            return redirect("charter:index")
    charter = _current_charter()
    form = SignUpForm(posted(request), charter=charter)
    if request.method == "POST":
        if form.is_bot():
            return redirect("charter:sign-up-sent")
        if form.is_valid():
            # Only complete sign-ups count: someone correcting mistakes is not locked out. Each
            # emails an address a stranger typed, so with the cache down none is taken.
            if over_limit(request, "charter-sign-up", f"{settings.CHARTER_SIGN_UPS_PER_HOUR}/h", cache_down=REFUSE):
                response = render(request, "errors/429.html", status=429)
                response["Retry-After"] = "3600"
                return response
            data = form.cleaned_data
            try:
                services.pledge_sign_up(
                    organisation_name=data["organisation_name"],
                    kind=data["kind"],
                    urn=data["urn"],
                    address=data["address"],
                    postcode=data["postcode"],
                    local_authority=data["local_authority"],
                    email=data["email"],
                    details=form.details(),
                    request=request,
                )
            except CharterError as error:
                form.add_error(None, str(error))
            else:
                request.session["charter_sign_up_email"] = data["email"]
                return redirect("charter:sign-up-sent")
    return render(request, "charter/sign_up.html", {"form": form, "charter": charter})


@require_GET
def sign_up_sent(request):
    return render(request, "charter/sign_up_sent.html", {"email": request.session.get("charter_sign_up_email", "")})


@require_http_methods(["GET", "POST"])
@limited("charter-verify", "30/m", cache_down=ALLOW)
def verify_email(request, token):
    """The link in the sign-up email: choose a password, and the pledge goes to the officers."""
    pledge = selectors.pledge_for_token(token)
    if pledge is None:
        raise Http404("Unknown link.")
    form = VerifyEmailForm(posted(request), email=pledge.signatory_email)
    if request.method == "POST" and form.is_valid():
        try:
            pledge = services.pledge_verify_email(
                pledge=pledge, password=form.cleaned_data["password1"], request=request
            )
        except CharterError as error:
            form.add_error(None, str(error))
        else:
            user = pledge.organisation.memberships.get(user__email__iexact=pledge.signatory_email).user
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            set_current_organisation(request, pledge.organisation)
            messages.success(request, "Thank you: your email address is confirmed and your pledge is with the council.")
            return redirect(pledge)
    return render(request, "charter/verify_email.html", {"form": form, "pledge": pledge})


# ---------------------------------------------------------------- the organisation's pledge


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
            "remove_form": RemoveForm(),
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


# ---------------------------------------------------------------- reviews


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def review_create(request, pledge):
    pledge = get_object_or_404(_pledges(request.user).prefetch_related("commitments"), public_id=pledge)
    if not is_lead(request.user, pledge.organisation):
        raise PermissionDenied("Only the organisation's lead can submit its review.")
    refusal = permissions.can_review_pledge.refusal(request.user, pledge)
    if refusal:
        messages.error(request, refusal)
        return redirect(pledge)
    form = ReviewForm(posted(request), pledge=pledge)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_submit(
                pledge=pledge,
                by=request.user,
                answers=form.answers(),
                consent_to_publish=form.cleaned_data["consent_to_publish"],
                request=request,
            )
        except CharterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your review is with the council.")
            return redirect(review)
    return render(request, "charter/review_form.html", {"form": form, "pledge": pledge})


@login_required
@require_GET
def review_detail(request, review):
    review = get_object_or_404(
        Review.objects.for_user(request.user).select_related("pledge__organisation", "submitted_by", "feedback_by"),
        public_id=review,
    )
    return render(
        request,
        "charter/review_detail.html",
        {"review": review, "answers": review.answers.select_related("commitment"), "form": FeedbackForm()},
    )


@login_required
@require_POST
def review_feedback(request, review):
    review = get_object_or_404(Review.objects.for_user(request.user), public_id=review)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your feedback.")
        return redirect(review)
    try:
        services.review_feedback(
            review=review, by=request.user, feedback=form.cleaned_data["feedback"], request=request
        )
    except CharterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your feedback has been sent.")
    return redirect(review)


# ---------------------------------------------------------------- commissioners


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def providers(request, slug):
    """A commissioner's providers: who has pledged, who is due for review, who has not signed."""
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    if not selectors.is_approved_commissioner(organisation):
        raise Http404("Only commissioners list providers.")
    can_manage = permissions.can_manage_providers(request.user, organisation)
    form = ProviderForm(posted(request))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only the commissioner's lead can change its list of providers.")
        if form.is_valid():
            data = dict(form.cleaned_data)
            match = data.pop("match", "")
            chosen = None
            if match and match != "new":
                close = selectors.close_organisations(data["name"], commissioner=organisation)
                chosen = next((o for o in close if o.slug == match), None)
            try:
                provider = services.provider_add(
                    commissioner=organisation,
                    by=request.user,
                    request=request,
                    organisation=chosen,
                    new=match == "new",
                    **data,
                )
            except services.CloseNames as close_names:
                form.offer(close_names.name, close_names.matches)
            except CharterError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{provider.name} has been added to your providers.")
                return redirect("charter:providers", slug=organisation.slug)
    return render(
        request,
        "charter/providers.html",
        {
            "organisation": organisation,
            "providers": selectors.providers_with_status(organisation, timezone.localdate()),
            "form": form,
            "can_manage": can_manage,
            "pledge": selectors.current_pledge(organisation),
        },
    )


@login_required
@require_GET
def provider_requests(request, slug):
    """The commissioners that list this organisation as a provider: agree to share its
    charter status with each, or decline."""
    organisation = get_object_or_404(Organisation.objects.for_user(request.user), slug=slug)
    links = (
        CommissionedProvider.objects.for_provider(request.user)
        .filter(provider=organisation)
        .select_related("commissioner")
        .order_by("accepted_at", "commissioner__name")
    )
    return render(
        request,
        "charter/provider_requests.html",
        {"organisation": organisation, "links": links, "is_lead": is_lead(request.user, organisation)},
    )


def _provider_answer(request, provider, action, done: str):
    link = get_object_or_404(
        CommissionedProvider.objects.for_provider(request.user).select_related("commissioner", "provider"),
        public_id=provider,
    )
    try:
        action(provider=link, by=request.user, request=request)
    except CharterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(commissioner=link.commissioner))
    return redirect("charter:provider-requests", slug=link.provider.slug)


@login_required
@require_POST
def provider_accept(request, provider):
    return _provider_answer(
        request, provider, services.provider_accept, "{commissioner} can now see your charter status."
    )


@login_required
@require_POST
def provider_decline(request, provider):
    return _provider_answer(
        request, provider, services.provider_decline, "{commissioner} no longer lists you as a provider."
    )


def _provider_action(request, provider, action, done: str):
    provider = get_object_or_404(
        CommissionedProvider.objects.for_user(request.user).select_related("commissioner"), public_id=provider
    )
    try:
        action(provider=provider, by=request.user, request=request)
    except CharterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(provider=provider))
    return redirect("charter:providers", slug=provider.commissioner.slug)


@login_required
@require_POST
def provider_remind(request, provider):
    return _provider_action(request, provider, services.provider_remind, "A reminder has been sent to {provider.name}.")


@login_required
@require_http_methods(["GET", "POST"])
def provider_remove(request, provider):
    if request.method == "POST":
        return _provider_action(
            request, provider, services.provider_remove, "{provider.name} has been removed from your providers."
        )
    provider = get_object_or_404(
        CommissionedProvider.objects.for_user(request.user).select_related("commissioner"), public_id=provider
    )
    if refusal := permissions.can_manage_providers.refusal(request.user, provider.commissioner):
        messages.error(request, refusal)
        return redirect("charter:providers", slug=provider.commissioner.slug)
    return confirm_page(
        request,
        Confirmation(
            question=f"Are you sure you want to remove {provider.name} from your providers?",
            caption=provider.commissioner.name,
            button=f"Yes, remove {provider.name}",
            back_url=reverse("charter:providers", args=[provider.commissioner.slug]),
            happens=[
                f"{provider.name} leaves your list, and you stop seeing its charter status.",
                f"{provider.name} is not told. You can add it again later; it would be asked to agree again.",
            ],
        ),
    )


# ---------------------------------------------------------------- officers


@officer_required
@require_GET
def officer_home(request):
    today = timezone.localdate()
    return render(
        request,
        "charter/officer_home.html",
        {
            "by_kind": reports.counts_by("kind"),
            "by_area": reports.counts_by("local_authority"),
            "today": today,
            # The same window as a pledge's annual review opens (CHARTER_REVIEW_WINDOW_DAYS).
            "due_heading": f"Due for review in the next {settings.CHARTER_REVIEW_WINDOW_DAYS} days or overdue",
            **reports.officer_lists(today),
        },
    )


@officer_required
@require_GET
def register_csv(request):
    audit_record("charter.register_export", actor=request.user, request=request)
    return stream_csv(
        reports.register_csv_rows(),
        header=reports.REGISTER_CSV_HEADER,
        filename=f"charter-register-{timezone.localdate():%Y-%m-%d}.csv",
    )
