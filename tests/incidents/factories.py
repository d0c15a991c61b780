"""Incidents built through the real services (so history, audit and repeats are right)."""

import datetime

from django.utils import timezone

from incidents import services
from incidents.models import IncidentRole, Location, Mode, PupilWhen, ReportedBy, Role
from ppp.accounts.models import Membership
from tests.factories import MembershipFactory


def grant(organisation, user=None, *, record=False, review=False, **user_fields):
    """A member of `organisation` (made if `user` is None) with these incident permissions."""
    if user is None:
        membership = MembershipFactory(organisation=organisation, **{f"user__{k}": v for k, v in user_fields.items()})
    else:
        membership, _ = Membership.objects.get_or_create(user=user, organisation=organisation)
    IncidentRole.objects.update_or_create(membership=membership, defaults={"can_record": record, "can_review": review})
    return membership.user


def details(**overrides) -> services.IncidentDetails:
    values = {
        "occurred_at": timezone.now() - datetime.timedelta(hours=3),
        "reported_by": ReportedBy.STAFF,
        "location": Location.PLAYGROUND,
        "mode": Mode.FACE_TO_FACE,
        "forms": ["verbal"],
        "categories": [],
        "description": "AB called CD names at break, again.",
        "stop_several_times": True,
        "stop_on_purpose": True,
        "stop_power_imbalance": True,
        "immediate_action": "Spoke to both pupils.",
        "restorative_used": False,
        "parents_informed": False,
    }
    values.update(overrides)
    return services.IncidentDetails(**values)


def record(organisation, by, **overrides):
    return services.incident_record(organisation=organisation, by=by, details=details(**overrides))


def involve(incident, by, reference="AB", role=Role.TARGET, year_group="5", send=False):
    return services.involvement_add(
        incident=incident, by=by, pupil_reference=reference, year_group=year_group, send=send, role=role
    )


def reporting_link(organisation, lead, token=None):
    return services.reporting_link_create(organisation=organisation, by=lead, token=token)


def pupil_report(organisation, lead, text="Someone keeps taking my lunch.", **kwargs):
    link, _token = (
        (services.active_link(organisation), None)
        if services.active_link(organisation)
        else reporting_link(organisation, lead)
    )
    return services.pupil_report_submit(
        link=link,
        what_happened=text,
        where=kwargs.pop("where", Location.DINING_HALL),
        when=kwargs.pop("when", PupilWhen.TODAY),
        **kwargs,
    )


def triage(incident, by, **overrides):
    return services.incident_triage(
        incident=incident, by=by, details=details(reported_by=ReportedBy.PUPIL, **overrides)
    )
