from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied

from ppp.admin import ChangelistAtScale

from .models import Invitation, Membership, Organisation, User
from .services import AccountsError, invitation_revoke


class SuperuserWritesOnly:
    """Memberships change through the organisation pages (invite, remove, hand over the
    lead), whose services keep the rules; in the admin only superusers may edit them."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipInline(SuperuserWritesOnly, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organisation"]
    fields = ["user", "organisation", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "last_login", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", ("last_login", admin.DateFieldListFilter)]
    search_fields = ["email", "full_name", "memberships__organisation__name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("About them", {"fields": ["full_name", "job_title"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = ["groups", "user_permissions"]

    # Officers may correct a person's name or job title and deactivate a leaver; who is
    # staff, superuser or in which group, email addresses and passwords are for superusers.
    PRIVILEGED = ["email", "is_staff", "is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + self.PRIVILEGED

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """The address a superuser gives is taken as verified (they know it is the
        person's work address), so a new officer can set up two-factor at first sign-in."""
        super().save_model(request, obj, form, change)
        if not change or "email" in form.changed_data:
            EmailAddress.objects.filter(user=obj).exclude(email__iexact=obj.email).delete()
            EmailAddress.objects.update_or_create(
                user=obj, email__iexact=obj.email, defaults={"email": obj.email, "verified": True, "primary": True}
            )

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser can set someone's password. Send them a password reset instead.")
        return super().user_change_password(request, id, form_url)


@admin.register(Organisation)
class OrganisationAdmin(ChangelistAtScale, admin.ModelAdmin):
    list_display = ["name", "kind", "urn", "phase", "local_authority", "postcode", "status"]
    list_filter = ["kind", "status", "local_authority", "phase"]
    search_fields = ["name", "urn", "postcode"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SuperuserWritesOnly, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from the organisation pages; here officers find and cancel them."""

    list_display = ["email", "organisation", "role", "invited_by", "created_at", "expires_at", "state"]
    list_filter = ["role", ("created_at", admin.DateFieldListFilter), ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "organisation__name", "invited_by__email"]
    list_select_related = ["organisation", "invited_by"]
    autocomplete_fields = ["organisation"]
    readonly_fields = [
        "organisation",
        "email",
        "full_name",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    actions = ["cancel_invitations"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Cancel the selected invitations")
    def cancel_invitations(self, request, queryset):
        cancelled = 0
        for invitation in queryset:
            try:
                invitation_revoke(invitation=invitation, by=request.user, request=request)
                cancelled += 1
            except AccountsError as error:
                self.message_user(request, f"{invitation.email}: {error}", messages.WARNING)
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} invitation(s).", messages.SUCCESS)


# Two-factor authenticators: who has one, of what kind, when it was last used — and
# nothing more. Nobody reads, changes or deletes one here; an officer who loses their
# phone is helped by a superuser through `manage.py` (see docs/security-and-privacy.md), never by editing it.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", ("last_used_at", admin.DateFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = readonly_fields = ("user", "type", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
