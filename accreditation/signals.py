"""The public list of award holders is kept a minute in the shared cache
(ppp/pagecache.py); any change to an award or its holder forgets it once that commits,
whether it came through a service, a command or the admin. The caseload's figures and
panels are forgotten likewise when anything they show changes, and a school's award pages
when anything on them changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from ppp.accounts.models import Membership, Organisation
from ppp.accounts.signals import organisations_imported
from ppp.pagecache import invalidate_on_commit

from .models import ActionItem, Application, ApplicationEvent, Award, Evidence, SelfReview, Visit
from .selectors import CASELOAD, award_page_name

PAGES = ("award-holders",)


@receiver([post_save, post_delete], sender=Award)
@receiver([post_save, post_delete], sender=Organisation)
@receiver(organisations_imported)
def forget_public_pages(**kwargs):
    invalidate_on_commit(*PAGES)


@receiver([post_save, post_delete], sender=Application)
@receiver([post_save, post_delete], sender=Evidence)
@receiver([post_save, post_delete], sender=Visit)
@receiver([post_save, post_delete], sender=Award)
@receiver([post_save, post_delete], sender="charter.Pledge")  # the panel of pledges to approve
@receiver([post_save, post_delete], sender=Organisation)
@receiver(organisations_imported)
def forget_caseload(**kwargs):
    invalidate_on_commit(CASELOAD)


def _forget_award_pages(organisation_ids) -> None:
    names = {award_page_name(pk) for pk in organisation_ids if pk is not None}
    if names:
        invalidate_on_commit(*sorted(names))


def _organisations_of_applications(application_ids) -> set[int]:
    return set(
        Application.objects.filter(pk__in=[pk for pk in application_ids if pk is not None]).values_list(
            "organisation_id", flat=True
        )
    )


@receiver([post_save, post_delete], sender=Application)
@receiver([post_save, post_delete], sender=Membership)  # who is lead: the page's actions and wording
@receiver([post_save, post_delete], sender="charter.Pledge")
@receiver([post_save, post_delete], sender="training.Booking")  # the training record offered as evidence
def forget_award_pages_of_organisation(instance, **kwargs):
    _forget_award_pages([instance.organisation_id])


# A renamed organisation needs nothing here: its row is part of each kept page's key.


@receiver([post_save, post_delete], sender=Evidence)
@receiver([post_save, post_delete], sender=Visit)
@receiver([post_save, post_delete], sender=ActionItem)
@receiver([post_save, post_delete], sender=SelfReview)
@receiver([post_save, post_delete], sender=Award)
@receiver([post_save, post_delete], sender=ApplicationEvent)
def forget_award_pages_of_application(instance, **kwargs):
    _forget_award_pages(_organisations_of_applications([instance.application_id]))


@receiver(m2m_changed, sender=Evidence.criteria.through)
def forget_award_pages_of_evidence_criteria(instance, action, pk_set, **kwargs):
    if isinstance(instance, Evidence):
        if action.startswith("post_"):
            _forget_award_pages(_organisations_of_applications([instance.application_id]))
        return
    # criterion.evidence changed: the evidence named, or, cleared, what it showed before.
    if action == "pre_clear":
        instance._ppp_cleared_applications = list(
            Evidence.objects.filter(criteria=instance).values_list("application_id", flat=True)
        )
    elif action == "post_clear":
        _forget_award_pages(_organisations_of_applications(instance.__dict__.pop("_ppp_cleared_applications", [])))
    elif action in ("post_add", "post_remove"):
        applications = Evidence.objects.filter(pk__in=pk_set or ()).values_list("application_id", flat=True)
        _forget_award_pages(_organisations_of_applications(applications))


@receiver([post_save, post_delete], sender="incidents.IncidentRole")  # who may attach incident figures
def forget_award_pages_of_incident_role(instance, **kwargs):
    _forget_award_pages(Membership.objects.filter(pk=instance.membership_id).values_list("organisation_id", flat=True))


@receiver(post_save, sender="training.CourseSession")  # completed: its attendees' record changes
def forget_award_pages_of_session(instance, **kwargs):
    _forget_award_pages(instance.bookings.values_list("organisation_id", flat=True).distinct())


@receiver([post_save, post_delete], sender="certificates.IssuedCertificate")  # revoked: the award pack
def forget_award_pages_of_certificate(instance, **kwargs):
    _forget_award_pages([instance.organisation_id])
