"""What the answering pages keep of a round (surveys.selectors.answering_round) and their
kept start and question pages (ppp.pagecache, "survey-answering") are forgotten when a round or its school is
saved, whether through a service, a command or the admin. The round is forgotten at once and
again once the change commits: a page drawn in between may have kept the round as it was."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from ppp.accounts.models import Organisation
from ppp.accounts.signals import organisations_imported
from ppp.pagecache import invalidate_on_commit

from . import selectors
from .models import Round

ANSWER_PAGES = "survey-answering"


@receiver([post_save, post_delete], sender=Round)
def forget_round(instance, **kwargs):
    _forget(instance.token_hash)


@receiver(post_save, sender=Organisation)
def forget_rounds_of_organisation(instance, created, **kwargs):
    if created:
        return
    hashes = list(Round.objects.filter(organisation=instance).values_list("token_hash", flat=True))
    if hashes:
        _forget(*hashes)


@receiver(organisations_imported)
def forget_rounds_still_answered(**kwargs):
    """A bulk import (no post_save) may have renamed schools: forget every round that can
    still be answered (those past their closing date show only the "closed" page)."""
    live = Round.objects.filter(closed_at__isnull=True, closes_on__gte=timezone.localdate())
    hashes = list(live.values_list("token_hash", flat=True))
    if hashes:
        _forget(*hashes)


def _forget(*token_hashes: str) -> None:
    selectors.forget_rounds(*token_hashes)
    transaction.on_commit(lambda: selectors.forget_rounds(*token_hashes), robust=True)
    invalidate_on_commit(ANSWER_PAGES)
