"""Import awards held under the council's earlier anti-bullying scheme, so those holders can
be invited to re-accredit. CSV columns: URN, Level, AwardedOn, ExpiresOn (dates as YYYY-MM-DD
or DD/MM/YYYY), optional Notes."""

import csv
import datetime
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accreditation.models import LegacyAward
from ppp.accounts.models import Organisation

REQUIRED = ["URN", "AwardedOn"]


def parse_date(value: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date like 2023-07-01 or 01/07/2023")


class Command(BaseCommand):
    help = "Import awards from the council's earlier scheme (URN, Level, AwardedOn, ExpiresOn, Notes)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--scheme-name", default="Leicester Anti-Bullying Award")

    def handle(self, *args, file, scheme_name, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text. Save it as CSV UTF-8 and try again.") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise CommandError(f"{path}: missing column(s) {', '.join(missing)}. Nothing was imported.")
        created = unchanged = 0
        rejected = []
        with transaction.atomic():
            for row in reader:
                line = reader.line_num
                try:
                    urn = (row.get("URN") or "").strip()
                    organisation = Organisation.objects.filter(urn=urn).first()
                    if organisation is None:
                        raise ValueError(f"no organisation has URN {urn!r} (import schools first)")
                    awarded_on = parse_date(row.get("AwardedOn") or "")
                    if awarded_on is None:
                        raise ValueError("AwardedOn is empty")
                    expires_on = parse_date(row.get("ExpiresOn") or "")
                    if expires_on and expires_on <= awarded_on:
                        raise ValueError("ExpiresOn is not after AwardedOn")
                except ValueError as error:
                    rejected.append((line, str(error)))
                    continue
                _, was_created = LegacyAward.objects.get_or_create(
                    organisation=organisation,
                    scheme_name=scheme_name,
                    awarded_on=awarded_on,
                    defaults={
                        "level": (row.get("Level") or "").strip()[:50],
                        "expires_on": expires_on,
                        "notes": (row.get("Notes") or "").strip(),
                    },
                )
                created += was_created
                unchanged += not was_created
        for line, reason in rejected:
            self.stderr.write(f"line {line}: rejected: {reason}")
        self.stdout.write(self.style.SUCCESS(f"created {created}, unchanged {unchanged}, rejected {len(rejected)}"))
