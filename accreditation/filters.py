import functools

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict

from ppp.accounts.models import Organisation, User
from ppp.pagecache import kept_data
from ppp.search import spaced_postcode

from .models import Application, Award


class ApplicationFilter(django_filters.FilterSet):
    """The caseload's filters. With none chosen it shows the officer's own open cases
    (and the unassigned ones): "Everyone's" shows the whole team's."""

    whose = django_filters.ChoiceFilter(
        label="Whose cases",
        choices=[("mine", "Mine and unassigned"), ("everyone", "Everyone's")],
        empty_label=None,
        method="by_whose",
    )
    q = django_filters.CharFilter(label="Search", method="search", help_text="School name, URN or postcode")
    # distinct=False: an application has one status, so the DISTINCT (a sort of every row on
    # ~60 columns at national scale) can never remove anything.
    status = django_filters.MultipleChoiceFilter(label="Status", choices=Application.Status.choices, distinct=False)
    assigned_officer = django_filters.ModelChoiceFilter(
        label="Officer", queryset=User.objects.none(), empty_label="Any officer", method="by_officer"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Application.Kind.choices, empty_label="Any kind")

    class Meta:
        model = Application
        fields = ["whose", "q", "status", "assigned_officer", "kind"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("whose"):
            data["whose"] = "everyone" if data.get("assigned_officer") or data.get("q") else "mine"
        # ?status=a,b and ?status=a&status=b both work; with no status and no search, the open ones.
        statuses = [value for item in data.getlist("status") for value in item.split(",") if value]
        if not statuses and not data.get("q"):
            statuses = list(Application.OPEN_STATUSES)
        data.setlist("status", statuses)
        super().__init__(data, *args, **kwargs)
        # The choices need a name and an id, not each officer's every column.
        self.filters["assigned_officer"].queryset = User.objects.officers().only("pk", "full_name", "email")
        self.form.fields["assigned_officer"].queryset = self.filters["assigned_officer"].queryset
        self.form.fields["status"].widget = forms.CheckboxSelectMultiple(choices=Application.Status.choices)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(organisation__urn=value)
            | Q(organisation__postcode__istartswith=spaced_postcode(value))
        )

    def by_officer(self, queryset, name, value):
        return queryset.filter(assigned_officer=value) if value else queryset

    def by_whose(self, queryset, name, value):
        if value == "mine" and self.request is not None:
            return queryset.filter(Q(assigned_officer=self.request.user) | Q(assigned_officer__isnull=True))
        return queryset

    @property
    def only_mine(self) -> bool:
        return self.form.is_valid() and self.form.cleaned_data.get("whose") == "mine"

    @property
    def qs(self):
        """Invalid filters (a made-up status, say) show the form's errors and no rows."""
        return super().qs if self.form.is_valid() else self.queryset.none()


def holder_phases() -> list[tuple[str, str]]:
    """The phases of schools that hold or held an award, for the award holders' filter."""
    phases = (
        Organisation.objects.filter(applications__award__status=Award.Status.ISSUED)
        .exclude(phase="")
        .order_by("phase")
        .values_list("phase", flat=True)
        .distinct()
    )
    return [(p, p) for p in phases]


class AwardHolderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search by name", method="search")
    kind = django_filters.ChoiceFilter(
        label="Kind of school or setting",
        field_name="application__organisation__kind",
        choices=Organisation.Kind.choices,
        empty_label="Any kind",
    )
    phase = django_filters.ChoiceFilter(
        label="Phase", field_name="application__organisation__phase", empty_label="Any phase"
    )
    area = django_filters.CharFilter(
        label="Area", method="by_area", help_text="A postcode district such as LE2, or a local authority"
    )

    class Meta:
        model = Award
        fields = ["q", "kind", "phase", "area"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the panel is drawn or a phase is chosen: a panel kept in the cache
        # (templates/accreditation/award_holders.html) needs no list of phases. Read once a
        # request, and kept under the page's version (ppp.pagecache.kept_data) for the pages
        # drawn afresh.
        self.filters["phase"].extra["choices"] = functools.cache(self.phases)

    def phases(self) -> list[tuple[str, str]]:
        if self.request is None:
            return holder_phases()
        return kept_data(self.request, "award-holders", "phases", holder_phases)

    def search(self, queryset, name, value):
        # The award's own copy of its holder's name (ADR 0022), on its own trigram index.
        return queryset.filter(holder_name__icontains=value.strip()) if value.strip() else queryset

    def by_area(self, queryset, name, value):
        value = spaced_postcode(value)
        if not value:
            return queryset
        return queryset.filter(
            Q(application__organisation__postcode__istartswith=value + " ")
            | Q(application__organisation__postcode__iexact=value)
            | Q(application__organisation__local_authority__iexact=value)
        )
