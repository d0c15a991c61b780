"""The public register and charter pages are kept a minute in the shared cache
(ppp/pagecache.py); any change to what they show forgets them once it commits, whether it
came through a service, a command or the admin.

The register is in the order of its organisations' names, read from each pledge's copy of
the name (`Pledge.sort_name`, ADR 0022): a renamed organisation's pledges take the new name
here, whether the rename came through the admin, a command or an import."""

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


@receiver(post_save, sender=Organisation)
def keep_the_register_in_name_order(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if created or raw or (update_fields is not None and "name" not in update_fields):
        return
    Pledge.objects.filter(organisation=instance).exclude(sort_name=instance.name).update(sort_name=instance.name)


@receiver(organisations_imported)
def keep_the_register_in_name_order_after_an_import(**kwargs):
    # An import saves without post_save and may rename any of its organisations: one UPDATE
    # of the pledges whose name differs from their organisation's.
    Pledge.objects.renamed().take_organisation_names()
