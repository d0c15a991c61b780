"""The public list of award holders is kept a minute in the shared cache
(ppp/pagecache.py); any change to an award or its holder forgets it once that commits,
whether it came through a service, a command or the admin. Nothing signed in is kept."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ppp.accounts.models import Organisation
from ppp.accounts.signals import organisations_imported
from ppp.pagecache import invalidate_on_commit

from .models import Award

PAGES = ("award-holders",)


@receiver([post_save, post_delete], sender=Award)
@receiver([post_save, post_delete], sender=Organisation)
@receiver(organisations_imported)
def forget_public_pages(**kwargs):
    invalidate_on_commit(*PAGES)
