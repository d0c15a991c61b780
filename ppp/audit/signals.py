"""Sign-ins, failed sign-ins, lockouts and admin changes go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .services import audit_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record("auth.login", actor=user, target=user, request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record("auth.logout", actor=user, target=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("email") or credentials.get("username") or ""
    audit_record("auth.login_failed", request=request, username=username[:254])


@receiver(user_locked_out)
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record("auth.locked_out", request=request, username=(username or "")[:254])


@receiver(post_save, sender=LogEntry)
def on_admin_change(sender, instance: LogEntry, created, **kwargs):
    if not created:
        return
    action = {1: "admin.add", 2: "admin.change", 3: "admin.delete"}.get(instance.action_flag, "admin.other")
    audit_record(
        action,
        actor=instance.user,
        model=instance.content_type.model if instance.content_type_id else "",  # type: ignore[attr-defined]  # untyped FK in django-stubs
        object_id=instance.object_id or "",
        object=instance.object_repr,
        message=instance.get_change_message(),
    )
