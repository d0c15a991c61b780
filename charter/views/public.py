"""Public: part of `charter.views` (see its docstring)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ppp.accounts.selectors import current_membership, set_current_organisation
from ppp.forms import posted
from ppp.once import submitted_once
from ppp.pagecache import cache_public_page, fragment_key
from ppp.pagination import IdsFirstPaginator
from ppp.ratelimit import ALLOW, REFUSE, limited, over_limit

from .. import reports, selectors, services
from ..filters import RegisterFilter
from ..forms import (
    SignUpForm,
    VerifyEmailForm,
)
from ..models import Pledge
from ..services import CharterError
from ._base import _current_charter


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
    queryset = reports.register_list()
    filterset = RegisterFilter(request.GET or None, queryset=queryset, request=request)
    pledges = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page = IdsFirstPaginator(pledges, 20, rows=queryset).get_page(request.GET.get("page"))
    page.object_list = reports.with_register_notes(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "charter/register.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": query.urlencode(),
            "panel": fragment_key(request, "charter-register", filterset.form, kept=("kind", "area")),
        },
    )


@require_GET
@cache_public_page("charter-register")
def register_entry(request, pledge):
    pledge = get_object_or_404(reports.register_queryset(), public_id=pledge)
    reports.with_register_notes([pledge])
    return render(request, "charter/register_entry.html", {"pledge": pledge})


def _signed_up_already(request):
    """The sign-up form sent twice: the first made the pledge and sent the email; the
    second shows the same "Check your email" page, not a blank form."""
    if request.user.is_authenticated:
        return None
    return redirect("charter:sign-up-sent")


@require_http_methods(["GET", "POST"])
@limited("charter-sign", "30/m", cache_down=ALLOW)
@submitted_once(again=_signed_up_already)
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
        # Used already (a second click in the email, another device), expired, or mistyped.
        return render(request, "charter/verify_email_gone.html", status=404)
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
