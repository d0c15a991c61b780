from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppp.accounts.gias import GIASFileError, import_gias
from ppp.audit.services import audit_record


class Command(BaseCommand):
    help = "Import or update schools from a DfE Get Information About Schools establishment CSV, matched by URN."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the GIAS CSV download")
        parser.add_argument("--la", dest="local_authority", help='Only import this local authority, e.g. "Leicester"')
        parser.add_argument(
            "--encoding",
            default="utf-8-sig",
            help="Text encoding of the file (default utf-8; GIAS downloads may be cp1252)",
        )

    def handle(self, *args, file, local_authority=None, encoding="utf-8-sig", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        try:
            result = import_gias(path.read_bytes(), local_authority=local_authority, encoding=encoding)
        except GIASFileError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        for line, reason in result.rejected:
            self.stderr.write(f"line {line}: rejected: {reason}")
        audit_record(
            "organisations.import",
            file=path.name,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=len(result.rejected),
        )
        summary = (
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"rejected {len(result.rejected)}"
        )
        if local_authority:
            summary += f", other local authorities skipped {result.skipped_other_la}"
        self.stdout.write(self.style.SUCCESS(summary))
