from django.contrib import admin, messages
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from ppp.admin import ChangelistAtScale, FrozenParentInline

from . import services
from .models import (
    ActionItem,
    Application,
    ApplicationEvent,
    Award,
    Criterion,
    Evidence,
    EvidenceEvent,
    LegacyAward,
    Scheme,
    Standard,
    Visit,
)


class StandardInline(FrozenParentInline, admin.TabularInline):
    model = Standard
    extra = 0
    show_change_link = True

    def frozen(self, scheme) -> bool:
        return scheme.status != Scheme.Status.DRAFT


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """A draft is edited freely; once published a scheme's rules are frozen (the model
    refuses changes too): officers make a new version and publish that."""

    fields = [
        "name",
        "version",
        "status",
        "published_on",
        "description",
        "validity_months",
        "levels",
        "requires_ratification",
        "requires_pledge",
    ]
    list_display = [
        "name",
        "version",
        "status",
        "published_on",
        "validity_months",
        "levels",
        "requires_ratification",
        "requires_pledge",
    ]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [StandardInline]
    actions = ["publish", "new_version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Scheme.Status.DRAFT:
            return ["status", "published_on", *Scheme.FROZEN_FIELDS]
        return ["status", "published_on"]

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.status == Scheme.Status.DRAFT) and super().has_delete_permission(request, obj)

    def _each(self, request, queryset, service, done):
        for scheme in queryset:
            try:
                result = service(scheme=scheme, by=request.user)
            except services.WorkflowError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, done.format(scheme=result), messages.SUCCESS)

    @admin.action(description="Publish the selected draft schemes (opens them for applications)")
    def publish(self, request, queryset):
        self._each(request, queryset, services.scheme_publish, "Published {scheme}.")

    @admin.action(description="Make a new draft version of the selected schemes, to edit")
    def new_version(self, request, queryset):
        self._each(request, queryset, services.scheme_new_version, "Made {scheme} as a draft.")


class CriterionInline(FrozenParentInline, admin.StackedInline):
    model = Criterion
    extra = 0

    def frozen(self, standard) -> bool:
        return standard.scheme.status != Scheme.Status.DRAFT


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme"]
    list_filter = ["scheme"]
    list_select_related = ["scheme"]
    inlines = [CriterionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.scheme.status != Scheme.Status.DRAFT:
            return ["scheme", "number", "title", "description"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scheme":  # standards are added to drafts only
            kwargs["queryset"] = Scheme.objects.filter(status=Scheme.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.scheme.status == Scheme.Status.DRAFT


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """Criteria of a published scheme keep their meaning: guidance may be improved, but the
    statement schools answered cannot change (make a new scheme version instead)."""

    list_display = ["code", "statement", "standard", "evidence_required"]
    list_filter = ["standard__scheme", "evidence_required"]
    search_fields = ["code", "statement"]
    list_select_related = ["standard__scheme"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.standard.scheme.status != Scheme.Status.DRAFT:
            return ["standard", "code", "order", "statement", "evidence_required"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "standard":  # criteria are added to drafts only
            kwargs["queryset"] = Standard.objects.filter(scheme__status=Scheme.Status.DRAFT).select_related("scheme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.standard.scheme.status == Scheme.Status.DRAFT


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ChangelistAtScale, admin.ModelAdmin):
    """Status only changes through the services: use the actions or the officer pages."""

    list_display = ["organisation", "scheme", "kind", "status", "assigned_officer", "created_at", "last_activity_at"]
    list_filter = ["status", "kind", "package", "scheme", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["organisation__name", "organisation__urn", "purchase_order", "contact_email"]
    list_select_related = ["organisation", "scheme", "assigned_officer"]
    autocomplete_fields = ["organisation", "assigned_officer"]
    readonly_fields = [
        "organisation",
        "scheme",
        "kind",
        "status",
        "previous_application",
        "previous_legacy_award",
        "terms_accepted_at",
        "action_plan_agreed_at",
        "created_by",
        "created_at",
        "last_activity_at",
        "assigned_officer",
    ]
    inlines = [ApplicationEventInline]
    actions = ["assign_to_me"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Assign the selected applications to me")
    def assign_to_me(self, request, queryset):
        for application in queryset:
            try:
                services.application_assign(application=application, officer=request.user, by=request.user)
            except services.WorkflowError as error:
                self.message_user(request, f"{application.organisation}: {error}", messages.WARNING)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "mode", "status", "starts_at"]
    list_filter = ["status", "kind", "mode", ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["application__organisation__name", "location"]
    list_select_related = ["application__organisation", "application__scheme"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # visits are booked, moved and recorded on the visit page, which tells the school


class EvidenceEventInline(admin.TabularInline):
    model = EvidenceEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(ChangelistAtScale, admin.ModelAdmin):
    list_display = ["title", "application", "kind", "status", "submitted_at"]
    list_filter = ["status", "kind", ("submitted_at", admin.DateFieldListFilter)]
    search_fields = ["title", "application__organisation__name"]
    list_select_related = ["application__organisation", "application__scheme"]
    SEARCH_ID_LIST_MAX = 2000
    readonly_fields = [
        "application",
        "kind",
        "stored_file",
        "original_filename",
        "content_type",
        "size",
        "status",
        "carried_forward_from",
        "created_by",
        "created_at",
        "submitted_at",
    ]
    # The file itself is never drawn by the admin (it would need a public address): see stored_file.
    exclude = ["file"]
    inlines = [EvidenceEventInline]

    @admin.display(description="file")
    def stored_file(self, evidence):
        """Evidence files have no public address (private storage): the link is PPP's
        permission-checked download, which audits each download."""
        if not evidence.file:
            return "–"
        url = reverse("accreditation:evidence-download", kwargs={"pk": evidence.public_id})
        return format_html('<a class="govuk-link" href="{}">{}</a>', url, evidence.original_filename or "Download")

    def get_search_results(self, request, queryset, search_term):
        """A title, or the school's name: each through its own trigram index, rather than
        one OR across the join that reads every row."""
        term = search_term.strip()
        if not term:
            return queryset, False
        # The schools' applications as a list of ids lets PostgreSQL OR two index scans
        # (title trigrams, application_id): 234 -> 36 ms at national size. A term that
        # names thousands of schools is left as a subquery (correct, slower).
        applications = Application.objects.filter(organisation__name__icontains=term).values_list("pk", flat=True)
        ids = list(applications[: self.SEARCH_ID_LIST_MAX + 1])
        by_school = ids if len(ids) <= self.SEARCH_ID_LIST_MAX else applications
        return queryset.filter(Q(title__icontains=term) | Q(application_id__in=by_school)), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the school changes evidence; officers review it on the evidence page


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["action", "application", "owner", "due_date", "status"]
    list_filter = ["status", ("due_date", admin.DateFieldListFilter)]
    search_fields = ["action", "application__organisation__name"]
    list_select_related = ["application__organisation", "application__scheme"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["application", "level", "awarded_on", "expires_on", "status", "awarded_by", "ratified_by"]
    list_filter = ["status", ("expires_on", admin.DateFieldListFilter)]
    search_fields = ["application__organisation__name"]
    list_select_related = ["application__organisation", "application__scheme", "awarded_by", "ratified_by"]
    readonly_fields = [
        "application",
        "level",
        "awarded_on",
        "expires_on",
        "status",
        "awarded_by",
        "ratified_by",
        "ratified_at",
        "certificate",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegacyAward)
class LegacyAwardAdmin(admin.ModelAdmin):
    """Awards held under the council's earlier scheme (also: manage.py import_legacy_awards)."""

    list_display = ["organisation", "scheme_name", "level", "awarded_on", "expires_on", "invited_at"]
    list_filter = ["scheme_name", "level", ("invited_at", admin.EmptyFieldListFilter)]
    search_fields = ["organisation__name", "organisation__urn"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    actions = ["invite_to_reaccredit"]

    @admin.action(description="Invite the selected schools to re-accredit (emails their lead)")
    def invite_to_reaccredit(self, request, queryset):
        for legacy_award in queryset.select_related("organisation"):
            try:
                services.legacy_award_invite(legacy_award=legacy_award, by=request.user)
            except services.WorkflowError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, f"Invited {legacy_award.organisation}.", messages.SUCCESS)
