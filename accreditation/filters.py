import django_filters
from django.db.models import Q

from ppp.accounts.models import OFFICERS_GROUP, Organisation, User

from .models import Application, Award


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", help_text="School name, URN or postcode")
    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=Application.Status.choices, widget=django_filters.widgets.CSVWidget
    )
    assigned_officer = django_filters.ModelChoiceFilter(
        label="Officer", queryset=User.objects.none(), empty_label="Any officer", method="by_officer"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Application.Kind.choices, empty_label="Any kind")

    class Meta:
        model = Application
        fields = ["q", "status", "assigned_officer", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assigned_officer"].queryset = User.objects.filter(groups__name=OFFICERS_GROUP, is_active=True)
        self.form.fields["assigned_officer"].queryset = self.filters["assigned_officer"].queryset
        self.form.fields["status"].widget = django_filters.widgets.forms.CheckboxSelectMultiple(
            choices=Application.Status.choices
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(organisation__urn=value)
            | Q(organisation__postcode__istartswith=value)
        )

    def by_officer(self, queryset, name, value):
        return queryset.filter(assigned_officer=value) if value else queryset


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
        phases = (
            Organisation.objects.filter(applications__award__status=Award.Status.ISSUED)
            .exclude(phase="")
            .order_by("phase")
            .values_list("phase", flat=True)
            .distinct()
        )
        self.filters["phase"].extra["choices"] = [(p, p) for p in phases]

    def search(self, queryset, name, value):
        return queryset.filter(application__organisation__name__icontains=value.strip()) if value.strip() else queryset

    def by_area(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(application__organisation__postcode__istartswith=value + " ")
            | Q(application__organisation__postcode__iexact=value)
            | Q(application__organisation__local_authority__iexact=value)
        )
