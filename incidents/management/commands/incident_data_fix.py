"""A system administrator's correction to an incident record. Incidents are in no admin
site (nobody browses children's records there), so fixes go through this command: it
shows the change, asks for a reason, and records the fix in the record's history and the
audit trail, with who made it.

    manage.py incident_data_fix --school 990001 --reference 2026-0042 \\
        --set occurred_at=2026-03-02T10:30 --set location=playground \\
        --reason "Date typed wrongly, confirmed by the school's lead (ticket 123)" --by admin@example.org --yes
"""

from django.core.management.base import BaseCommand, CommandError

from incidents.models import Incident
from incidents.services import FIXABLE, IncidentError, incident_data_fix
from ppp.accounts.models import Organisation, User


class Command(BaseCommand):
    help = "Correct fields of one incident record, with a reason, audited. Without --yes it only shows the change."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's URN or slug.")
        parser.add_argument("--reference", required=True, help="The incident's reference, e.g. 2026-0042.")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help=f"A field to change (repeatable). Fields: {', '.join(sorted(FIXABLE))}.",
        )
        parser.add_argument("--reason", required=True, help="Why the fix is needed (kept, encrypted, in the history).")
        parser.add_argument("--by", required=True, help="The email of the superuser making the fix.")
        parser.add_argument("--yes", action="store_true", help="Make the change (otherwise only show it).")

    def handle(self, *args, school, reference, set, reason, by, yes, **options):
        organisation = (
            Organisation.objects.filter(urn=school).first() or Organisation.objects.filter(slug=school).first()
        )
        if organisation is None:
            raise CommandError(f"No school has the URN or slug {school!r}.")
        incident = Incident.objects.filter(organisation=organisation, reference=reference).first()
        if incident is None:
            raise CommandError(f"{organisation} has no incident {reference}.")
        user = User.objects.filter(email__iexact=by).first()
        if user is None or not user.is_superuser:
            raise CommandError(f"{by} is not a superuser: only system administrators make data fixes.")
        values = {}
        for item in set:
            field, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"Write each change as FIELD=VALUE, not {item!r}.")
            values[field.strip()] = value.strip()
        if not values:
            raise CommandError("Say what to change with --set FIELD=VALUE.")
        if not yes:
            self.stdout.write(f"Would change incident {reference} of {organisation}:")
            for field, value in values.items():
                current = getattr(incident, field, "(no such field)")
                self.stdout.write(f"  {field}: {current!r} -> {value!r}")
            self.stdout.write("Nothing changed. Run again with --yes to make the change.")
            return
        try:
            changes = incident_data_fix(incident=incident, by=user, values=values, reason=reason)
        except IncidentError as error:
            raise CommandError(str(error)) from None
        if not changes:
            self.stdout.write("Nothing to change: the record already has these values.")
            return
        for change in changes:
            self.stdout.write(f"  {change['field']}: {change['from']} -> {change['to']}")
        self.stdout.write(
            self.style.SUCCESS(f"Fixed incident {reference}; the fix is in its history and the audit trail.")
        )
