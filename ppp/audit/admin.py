import ipaddress
import re

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import CharField, F, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf

from ppp.admin import ChangelistAtScale
from ppp.postgres import distinct_values

from .models import AuditEvent

ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")


class ActionFilter(admin.SimpleListFilter):
    """The actions in the trail, read with a loose index scan (one index probe per action,
    not a DISTINCT over every event), each filtering on the (action, at) index."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(action, action) for action in distinct_values(AuditEvent, "action")]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


def _is_ip(term: str) -> bool:
    try:
        ipaddress.ip_address(term)
    except ValueError:
        return False
    return True


@admin.register(AuditEvent)
class AuditEventAdmin(ChangelistAtScale, admin.ModelAdmin):
    """Read-only, and for superusers only: the trail must not be editable by anyone.

    Built for a million rows and more: no date hierarchy (it reads the whole table for its
    years), the action filter by index, counts capped at 10,000, and a search that finds
    an email address, an IP address or an action exactly (by index) and anything else in
    the target's text (a trigram index on PostgreSQL; a plain scan on SQLite)."""

    list_display = ["at", "action", "actor_name", "target_repr", "organisation_name", "ip"]
    list_filter = [ActionFilter, ("at", admin.DateFieldListFilter)]
    search_fields = ["target_repr"]  # shows the search box; get_search_results decides
    search_help_text = (
        "An email address, an IP address or an action (such as auth.login) finds exactly that; "
        "other words search what the event was about."
    )
    # A row names its actor and organisation: two columns read with it (get_queryset), not
    # two more objects built a row; the event's detail (JSON) is on its own page.
    list_select_related = False
    list_only = ("at", "action", "target_repr", "ip")
    ordering = ["-at", "-id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                actor_label=Coalesce(
                    NullIf(F("actor__full_name"), Value("")), F("actor__email"), output_field=CharField()
                ),
                organisation_label=F("organisation__name"),
            )
        )

    @admin.display(description="actor")
    def actor_name(self, event):
        return event.actor_label  # the person's name, else their email, as str(user) gives it

    @admin.display(description="organisation")
    def organisation_name(self, event):
        return event.organisation_label

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            # The person's own events, and failed sign-ins typed with that address.
            email = term.lower()
            people = list(get_user_model().objects.filter(email=email).values_list("pk", flat=True))
            return queryset.alias(username=KeyTextTransform("username", "detail")).filter(
                Q(actor_id__in=people) | Q(username=email)
            ), False
        if _is_ip(term):
            return queryset.filter(ip=term), False
        if ACTION.match(term):
            return queryset.filter(action=term), False
        return queryset.filter(target_repr__icontains=term), False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
