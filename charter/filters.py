import functools

import django_filters
from django import forms
from django.db.models import Q

from ppp.accounts.models import Organisation
from ppp.pagecache import kept_data
from ppp.search import may_start_a_postcode, spaced_postcode

from .models import Pledge


def register_areas() -> list[tuple[str, str]]:
    """The areas with an organisation on the register, for the register's area filter."""
    areas = (
        Pledge.objects.on_register()
        .exclude(organisation__local_authority="")
        .order_by("organisation__local_authority")
        .values_list("organisation__local_authority", flat=True)
        .distinct()
    )
    return [(a, a) for a in areas]


class RegisterFilter(django_filters.FilterSet):
    """The public register's search and filters."""

    q = django_filters.CharFilter(label="Search by name or postcode", method="search")
    kind = django_filters.ChoiceFilter(
        label="Kind of organisation",
        field_name="organisation__kind",
        choices=Organisation.Kind.choices,
        empty_label="Any kind",
    )
    area = django_filters.ChoiceFilter(label="Area", field_name="organisation__local_authority", empty_label="Any area")

    class Meta:
        model = Pledge
        fields = ["q", "kind", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the panel is drawn or an area is chosen: a panel kept in the cache
        # (templates/charter/register.html) needs no list of areas. Read once a request
        # (checking the area chosen and drawing the panel both ask), and kept under the
        # register's version (ppp.pagecache.kept_data) for the pages drawn afresh.
        self.filters["area"].extra["choices"] = functools.cache(self.areas)
        self.form.fields["q"].widget = forms.TextInput(attrs={"type": "search"})

    def areas(self) -> list[tuple[str, str]]:
        if self.request is None:
            return register_areas()
        return kept_data(self.request, "charter-register", "areas", register_areas)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The name from the pledge's own copy (ADR 0022) on its trigram index: no join. The
        # organisation's postcode only for what can start one ("LE2", "le22bb").
        matches = Q(sort_name__icontains=value)
        postcode = spaced_postcode(value)
        if may_start_a_postcode(postcode):
            matches |= Q(organisation__postcode__istartswith=postcode)
        return queryset.filter(matches)
