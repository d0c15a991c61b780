"""Emails in the admin: what went, what is waiting and what failed, with the error, and
"send again" for failures. No body is shown (it is gone once sent, and an email with a
secret link never had one stored): subject, recipients and what happened."""

from django.contrib import admin, messages

from .models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["subject"]
    show_full_result_count = False
    fields = readonly_fields = (
        "subject",
        "recipients",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
    )
    actions = ["send_again"]

    @admin.display(description="to")
    def recipients(self, email):
        return ", ".join(email.to)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (failed emails)", permissions=["view"])
    def send_again(self, request, queryset):
        from ppp.mail import email_send_again

        failed = list(queryset.filter(status=Email.Status.FAILED))
        for email in failed:
            email_send_again(email=email)
        self.message_user(request, f"{len(failed)} failed emails queued again.", level=messages.SUCCESS)
