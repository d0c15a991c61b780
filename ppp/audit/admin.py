from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only, and for superusers only: the trail must not be editable by anyone."""

    list_display = ["at", "action", "actor", "target_repr", "organisation", "ip"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["action", "actor__email", "target_repr", "organisation__name", "ip"]
    list_select_related = ["actor", "organisation", "target_type"]
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

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
