"""Recount survey rounds' tallies from their stored answers. The answering service keeps
them in step; run this after loading answers in bulk, or to check nothing drifted.
`--dry-run` lists the differences and changes nothing; running it again finds none."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Round
from surveys.services import round_tallies_rebuild


class Command(BaseCommand):
    help = (
        "Recount survey tallies from the stored answers: every round, or one with --round <public id>. "
        "--dry-run lists the differences and changes nothing. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="round_id", help="One round's public id (as in its page's address).")
        parser.add_argument("--dry-run", action="store_true", help="List the differences; change nothing.")

    def handle(self, *args, round_id=None, dry_run=False, **options):
        rounds = Round.objects.select_related("organisation", "question_set").order_by("id")
        if round_id is not None:
            try:
                public_id = uuid.UUID(round_id.strip())
            except ValueError:
                raise CommandError(
                    f"{round_id!r} is not a round's id. Give the id from the round's page address, "
                    "for example 3f1c…-…; nothing was changed."
                ) from None
            rounds = rounds.filter(public_id=public_id)
            if not rounds.exists():
                raise CommandError(f"There is no survey round with the id {public_id}. Nothing was changed.")
        seen = differing = cells = 0
        for round_ in rounds:
            seen += 1
            differences, stored, counted = round_tallies_rebuild(round=round_, dry_run=dry_run)
            if not differences and stored == counted:
                continue
            differing += 1
            cells += len(differences)
            verb = "differs" if dry_run else "recounted"
            changed = f"{len(differences)} cell{'s' if len(differences) != 1 else ''}"
            self.stdout.write(
                f"Round {round_.public_id} ({round_.organisation.name}, {round_}): {verb}: "
                f"{changed}, answers stored {stored}, counted {counted}"
            )
            if dry_run:
                for difference in differences:
                    self.stdout.write(f"  {difference}")
        rounds_word = f"{seen} round{'s' if seen != 1 else ''}"
        cells_word = f"{cells} cell{'s' if cells != 1 else ''}"
        if dry_run:
            self.stdout.write(
                f"Dry run: checked {rounds_word}; {differing} differ from their answers ({cells_word}). "
                "Nothing was changed."
            )
        else:
            self.stdout.write(f"Recounted {rounds_word}; {differing} needed changes ({cells_word}).")
