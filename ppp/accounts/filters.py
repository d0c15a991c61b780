import django_filters
from django import forms
from django.db.models import Q

from ppp.postgres import distinct_values
from ppp.search import spaced_postcode

from .models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        help_text="Name, URN or postcode",
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Organisation.Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(label="Status", choices=Organisation.Status.choices, empty_label="Any status")
    local_authority = django_filters.ChoiceFilter(label="Local authority", empty_label="Any local authority")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "status", "local_authority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One index probe per area (a loose index scan), not a DISTINCT over every organisation.
        areas = [a for a in distinct_values(Organisation, "local_authority") if a]
        self.filters["local_authority"].extra["choices"] = [(a, a) for a in areas]
        self.form.fields["q"].widget = forms.TextInput(attrs={"type": "search"})

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        postcode = spaced_postcode(value)
        return queryset.filter(
            Q(name__icontains=value) | Q(urn=value) | Q(postcode__iexact=postcode) | Q(postcode__istartswith=postcode)
        )
