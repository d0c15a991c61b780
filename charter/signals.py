"""The public register and charter pages are kept a minute in the shared cache
(ppp/pagecache.py); any change to what they show forgets them once it commits, whether it
came through a service, a command or the admin."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ppp.accounts.models import Organisation
from ppp.accounts.signals import organisations_imported
from ppp.pagecache import invalidate_on_commit

from .models import Pledge, PledgeCommitment, Review

PAGES = ("charter-register", "charter")


@receiver([post_save, post_delete], sender=Pledge)
@receiver([post_save, post_delete], sender=PledgeCommitment)
@receiver([post_save, post_delete], sender=Review)
@receiver([post_save, post_delete], sender=Organisation)
@receiver(organisations_imported)
def forget_public_pages(**kwargs):
    invalidate_on_commit(*PAGES)
