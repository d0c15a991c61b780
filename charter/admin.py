"""The officers' admin for the charter: versions with their principles and commitments,
example pledges, and pledges and reviews (read-mostly; decisions go through services)."""

from django.contrib import admin, messages
from django.db.models import Count

from ppp.admin import ChangelistAtScale, FrozenParentInline, LabelledListEditable

from .models import (
    Charter,
    Commitment,
    ExamplePledge,
    Pledge,
    PledgeCommitment,
    PledgeEvent,
    Principle,
    Review,
    ReviewAnswer,
)
from .services import CharterError, charter_publish, pledge_approve, pledge_restore_to_register


class PublishedCharterFrozen(FrozenParentInline):
    def frozen(self, charter) -> bool:
        return charter.status == Charter.Status.PUBLISHED


class PrincipleInline(PublishedCharterFrozen, admin.TabularInline):
    model = Principle
    extra = 0


class CommitmentInline(PublishedCharterFrozen, admin.StackedInline):
    model = Commitment
    extra = 0


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "status", "published_on", "pledge_count"]
    list_filter = ["status"]
    inlines = [PrincipleInline, CommitmentInline]
    actions = ["publish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pledge_count=Count("pledges"))

    @admin.display(description="pledges", ordering="pledge_count")
    def pledge_count(self, obj):
        return obj.pledge_count

    def get_readonly_fields(self, request, obj=None):
        # A published version is what organisations signed: its text stays as it was.
        if obj and obj.status == Charter.Status.PUBLISHED:
            return [f.name for f in Charter._meta.fields]
        return ["status", "published_on"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Publish the selected draft versions")
    def publish(self, request, queryset):
        for charter in queryset:
            try:
                charter_publish(charter=charter, by=request.user, request=request)
            except CharterError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Version {charter.version} is published.")


@admin.register(ExamplePledge)
class ExamplePledgeAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ["text", "commitment", "order", "is_active"]
    list_filter = ["is_active", "commitment__charter"]
    list_editable = ["order", "is_active"]
    list_select_related = ["commitment"]
    search_fields = ["text"]


class PledgeCommitmentInline(admin.TabularInline):
    model = PledgeCommitment
    extra = 0
    can_delete = False
    readonly_fields = ["commitment", "text"]

    def has_add_permission(self, request, obj=None):
        return False


class PledgeEventInline(admin.TabularInline):
    model = PledgeEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "from_status", "to_status", "by", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Pledge)
class PledgeAdmin(ChangelistAtScale, admin.ModelAdmin):
    list_display = [
        "organisation",
        "status",
        "delivery_role",
        "signed_on",
        "submitted_at",
        "review_due_on",
        "consent_to_list",
    ]
    list_filter = [
        "status",
        "delivery_role",
        "organisation__kind",
        "organisation__local_authority",
        "consent_to_list",
        "charter",
    ]
    search_fields = ["organisation__name", "organisation__urn", "signatory_name", "signatory_email"]
    list_select_related = ["organisation"]
    date_hierarchy = "signed_on"
    inlines = [PledgeCommitmentInline, PledgeEventInline]
    actions = ["approve", "restore"]
    readonly_fields = [f.name for f in Pledge._meta.fields if f.name not in ("verification_token_hash",)]
    exclude = ["verification_token_hash"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Approve the selected pledges", permissions=["approve"])
    def approve(self, request, queryset):
        self._run(request, queryset, pledge_approve, "approved")

    @admin.action(description="Put the selected pledges back on the register", permissions=["approve"])
    def restore(self, request, queryset):
        self._run(request, queryset, pledge_restore_to_register, "put back on the register")

    def has_approve_permission(self, request):
        return request.user.has_perm("charter.approve_pledge")

    def _run(self, request, queryset, action, done):
        count = 0
        for pledge in queryset:
            try:
                action(pledge=pledge, by=request.user, request=request)
            except CharterError as error:
                self.message_user(request, f"{pledge.organisation}: {error}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} pledge(s) {done}. To return or remove one, open it on its page.")


class ReviewAnswerInline(admin.StackedInline):
    model = ReviewAnswer
    extra = 0
    can_delete = False
    readonly_fields = ["commitment", "done", "next_steps"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["pledge", "due_on", "submitted_at", "consent_to_publish", "feedback_at"]
    list_filter = [("feedback_at", admin.EmptyFieldListFilter), "consent_to_publish", "due_on"]
    search_fields = ["pledge__organisation__name"]
    list_select_related = ["pledge__organisation"]
    readonly_fields = [
        "pledge",
        "due_on",
        "submitted_at",
        "submitted_by",
        "consent_to_publish",
        "feedback",
        "feedback_by",
        "feedback_at",
    ]
    inlines = [ReviewAnswerInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
