"""Filters for the catalogue and the officers' lists (django-filter)."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ppp.dates import start_of_day

from .models import Audience, Charge, Course, CourseSession, Delivery


def month_choices(months: int = 12) -> list[tuple[str, str]]:
    today = timezone.localdate().replace(day=1)
    choices = []
    for n in range(months):
        year, month = divmod(today.month - 1 + n, 12)
        day = datetime.date(today.year + year, month + 1, 1)
        choices.append((day.strftime("%Y-%m"), day.strftime("%B %Y")))
    return choices


def _month_range(value: str) -> tuple[datetime.datetime, datetime.datetime]:
    year, month = (int(part) for part in value.split("-"))
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return start_of_day(start), start_of_day(end)


def session_q(data: dict) -> Q:
    """The session conditions the catalogue's filters ask for (month, delivery, places left)."""
    q = Q()
    if data.get("month"):
        start, end = _month_range(data["month"])
        q &= Q(starts_at__gte=start, starts_at__lt=end)
    if data.get("delivery") in (CourseSession.Mode.IN_PERSON, CourseSession.Mode.ONLINE):
        q &= Q(mode=data["delivery"])
    if data.get("places"):
        q &= Q(places_left_count__gt=0)
    return q


class CatalogueFilter(django_filters.FilterSet):
    audience = django_filters.ModelChoiceFilter(
        label="Who it is for",
        queryset=Audience.objects.all(),
        to_field_name="code",
        field_name="audiences",
        empty_label="Anyone",
    )
    month = django_filters.ChoiceFilter(label="Month", choices=month_choices, empty_label="Any month", method="noop")
    delivery = django_filters.ChoiceFilter(
        label="How it is delivered",
        choices=[(CourseSession.Mode.IN_PERSON, "In person"), (CourseSession.Mode.ONLINE, "Online")],
        empty_label="In person or online",
        method="noop",
    )
    places = django_filters.BooleanFilter(
        label="Only sessions with places left",
        widget=forms.CheckboxInput,
        method="noop",
    )

    class Meta:
        model = Course
        fields = ["audience"]

    def noop(self, queryset, name, value):
        return queryset  # applied to the sessions: see `filter_queryset`

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset).distinct()
        data = self.form.cleaned_data
        if data.get("delivery"):
            queryset = queryset.filter(delivery__in=[data["delivery"], Delivery.EITHER])
        if data.get("month") or data.get("places") or data.get("delivery"):
            from .selectors import catalogue_sessions

            matching = catalogue_sessions().filter(session_q(data)).filter(course=OuterRef("pk"))
            queryset = queryset.filter(Exists(matching))
        return queryset


RECENT = "recent"  # the officers' list opens on upcoming sessions and those of the last 30 days


class SessionFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.all(), empty_label="All courses")
    status = django_filters.ChoiceFilter(choices=CourseSession.Status.choices, empty_label="Any status")
    when = django_filters.ChoiceFilter(
        label="When",
        choices=[(RECENT, "Upcoming and the last 30 days"), ("upcoming", "Upcoming"), ("past", "Past")],
        empty_label="Any time",
        method="filter_when",
    )

    class Meta:
        model = CourseSession
        fields = ["course", "status"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == RECENT:
            return queryset.filter(starts_at__gte=now - datetime.timedelta(days=30))
        return queryset.filter(starts_at__gte=now) if value == "upcoming" else queryset.filter(starts_at__lt=now)


class ChargeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Charge.Status.choices, empty_label="Any status")
    # A search, not a list: a dropdown of every organisation with a charge is tens of
    # thousands of options at national scale. Part of the name (the trigram index on
    # organisation names serves it) or the exact URN.
    organisation = django_filters.CharFilter(
        label="Organisation",
        method="filter_organisation",
        help_text="Part of its name, or its URN",
        max_length=200,
    )
    course = django_filters.ModelChoiceFilter(
        field_name="session__course", queryset=Course.objects.all(), empty_label="All courses"
    )

    class Meta:
        model = Charge
        fields = ["status", "organisation", "course"]

    def filter_organisation(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(organisation__name__icontains=value) | Q(organisation__urn=value))
