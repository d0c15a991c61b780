"""The public list of award holders is kept a minute in the shared cache
(ppp/pagecache.py); any change to an award or its holder forgets it once that commits,
whether it came through a service, a command or the admin. Nothing signed in is kept.

The list is in the order of its holders' names, read from each award's copy of the name
(`Award.holder_name`, ADR 0022): a renamed organisation's awards take the new name here,
whether the rename came through the admin, a command or an import."""

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


@receiver(post_save, sender=Organisation)
def keep_the_holders_in_name_order(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if created or raw or (update_fields is not None and "name" not in update_fields):
        return
    Award.objects.filter(application__organisation=instance).exclude(holder_name=instance.name).update(
        holder_name=instance.name
    )


@receiver(organisations_imported)
def keep_the_holders_in_name_order_after_an_import(**kwargs):
    Award.objects.renamed().take_holder_names()
