"""Commissioners: part of `charter.views` (see its docstring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.accounts.models import Organisation
from ppp.accounts.selectors import is_lead
from ppp.confirm import Confirmation, confirm_page
from ppp.forms import posted
from ppp.once import submitted_once

from .. import permissions, selectors, services
from ..forms import (
    ProviderForm,
)
from ..models import CommissionedProvider
from ..services import CharterError


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
