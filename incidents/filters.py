import datetime

import django_filters
from django import forms
from django.utils import timezone

from .models import (
    CATEGORY_FIELDS,
    FORM_FIELDS,
    OPEN_STATUSES,
    Category,
    Form,
    Incident,
    Involvement,
    Status,
    YearGroup,
)


class DateInput(forms.DateInput):
    input_type = "date"


class IncidentFilter(django_filters.FilterSet):
    """The incident list's filters. Nothing here searches free text: it is encrypted."""

    status = django_filters.ChoiceFilter(label="Status", choices=Status.choices, empty_label="Any status")
    form = django_filters.ChoiceFilter(label="Form", choices=Form.choices, empty_label="Any form", method="by_form")
    category = django_filters.ChoiceFilter(
        label="Prejudice", choices=Category.choices, empty_label="Any or none", method="by_category"
    )
    year_group = django_filters.ChoiceFilter(
        label="Year group of a pupil involved", choices=YearGroup.choices, empty_label="Any year", method="by_year"
    )
    occurred_from = django_filters.DateFilter(
        label="Happened on or after", field_name="occurred_at", lookup_expr="date__gte", widget=DateInput
    )
    occurred_to = django_filters.DateFilter(
        label="Happened on or before", field_name="occurred_at", lookup_expr="date__lte", widget=DateInput
    )
    review = django_filters.ChoiceFilter(
        label="Review",
        choices=[("overdue", "Overdue"), ("week", "Due within 7 days"), ("none", "No review date set")],
        empty_label="Any",
        method="by_review",
    )
    repeat = django_filters.BooleanFilter(
        label="Repeats only",
        field_name="is_repeat",
        widget=forms.CheckboxInput,
        method="by_repeat",
    )

    class Meta:
        model = Incident
        fields = []

    def by_form(self, queryset, name, value):
        return queryset.filter(**{FORM_FIELDS[value]: True}) if value in FORM_FIELDS else queryset

    def by_category(self, queryset, name, value):
        return queryset.filter(**{CATEGORY_FIELDS[value]: True}) if value in CATEGORY_FIELDS else queryset

    def by_year(self, queryset, name, value):
        return queryset.filter(pk__in=_involved(value)) if value else queryset

    def by_review(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.review_overdue(today)
        if value == "week":
            return queryset.filter(
                status__in=OPEN_STATUSES,
                review_date__gte=today,
                review_date__lte=today + datetime.timedelta(days=7),
            )
        if value == "none":
            return queryset.filter(status__in=OPEN_STATUSES, review_date__isnull=True)
        return queryset

    def by_repeat(self, queryset, name, value):
        return queryset.filter(is_repeat=True) if value else queryset


def _involved(year_group):
    return Involvement.objects.filter(year_group=year_group).values("incident_id")
