from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ppp.accounts.models import User
from ppp.audit.services import audit_record


class Command(BaseCommand):
    help = (
        "Remove a person's two-factor authenticator and recovery codes (a lost phone). "
        "Officers must set up a new one at their next sign-in. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--reason", required=True, help="Why, for the audit trail (e.g. the helpdesk ticket)")

    @transaction.atomic
    def handle(self, *args, email, reason, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        if not reason.strip():
            raise CommandError("Give the reason with --reason: it is kept in the audit trail.")
        removed = list(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        if not removed:
            raise CommandError(f"{user.email} has no two-factor authenticator.")
        Authenticator.objects.filter(user=user).delete()
        audit_record("auth.mfa_reset", target=user, reason=reason.strip(), removed=removed, by="manage.py")
        self.stdout.write(self.style.SUCCESS(f"Removed {', '.join(removed)} for {user.email}."))
