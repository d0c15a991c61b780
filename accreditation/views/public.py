"""The public pages of the award: its holders, and the terms a school agrees to when it applies."""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ppp.pagecache import cache_public_page, fragment_key
from ppp.pagination import IdsFirstPaginator

from ..filters import AwardHolderFilter
from ..models import Award

# What a row of the award holders shows: the award's dates and level, its certificate's
# code and the holder's name, kind and postcode.
HOLDER_COLUMNS = (
    "level",
    "awarded_on",
    "expires_on",
    "certificate__code",
    "application__organisation__name",
    "application__organisation__kind",
    "application__organisation__postcode",
)


@require_GET
@cache_public_page("award-holders")
def award_holders(request):
    today = timezone.localdate()
    awards = (
        Award.objects.current(today)
        .select_related("application__organisation", "certificate")
        .only(*HOLDER_COLUMNS)
        .in_holder_order()
    )
    filterset = AwardHolderFilter(request.GET or None, queryset=awards, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else awards
    page = IdsFirstPaginator(rows, 25, rows=awards).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accreditation/award_holders.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": query.urlencode(),
            "panel": fragment_key(request, "award-holders", filterset.form, kept=("kind", "phase")),
        },
    )


def terms_context() -> dict:
    """The award's prices and terms, from settings (the council changes them there)."""
    return {
        "standard_price": settings.AWARD_STANDARD_PRICE,
        "payment_days": settings.AWARD_PAYMENT_DAYS,
        "free_withdrawal_days": settings.AWARD_FREE_WITHDRAWAL_DAYS,
    }


@require_GET
def award_terms(request):
    """The terms and charges of the award, for anyone to read before applying."""
    return render(request, "accreditation/terms.html", terms_context())
