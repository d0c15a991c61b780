"""Demo incidents for `manage.py seed_demo`: enough at Abbeygate (school A) for every list,
chart and report to show something, a few at other schools so the council's figures
appear, a reviewer and a recorder, and school A's pupils' reporting link (the same on
every run). Safe to run again: a school that already has incidents is left alone.

Everything here is fictional; pupil references are made-up initials and numbers.
"""

import base64
import datetime
import hashlib
import hmac
import random

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from ppp.accounts.models import Membership, User
from ppp.crypto import blind_index
from ppp.discovery import demo_seeders
from ppp.links import absolute_url

from . import figures, releases, services
from .models import (
    Category,
    Form,
    Incident,
    IncidentEvent,
    IncidentRole,
    Location,
    Mode,
    PupilWhen,
    ReportedBy,
    ReportingLink,
    Role,
    Status,
    hash_code,
    hash_token,
)

DEMO_PASSWORD = "Peaceful-Places-2026"  # noqa: S105 - fictional demo account, listed in the README
REVIEWER_EMAIL = "reviewer.a@ppp.example"
DEMO_PUPIL_CODE = "K7QM4XTD9HRW2BCE"  # the demo pupil's follow-up code (K7QM-4XTD-9HRW-2BCE)

DESCRIPTIONS = [
    "{t} says {p} has been calling them names at break for two weeks.",
    "{p} pushed {t} in the lunch queue and knocked their tray; {t} says it happens most days.",
    "{t} was left out of the group chat on purpose and messages about them were shared.",
    "{p} took {t}'s pencil case and broke the pens. Witnessed by a midday supervisor.",
    "{t} reported comments about their family's religion from {p} in the corridor.",
    "{t} and {p} fell out over a football game; both upset, no history between them.",
    "A photo of {t} was edited and shared in an online game chat by {p}.",
    "{p} made comments about {t}'s hearing aids in class.",
]
ACTIONS = [
    "Spoke to both pupils separately; {p} apologised.",
    "Restorative conversation held; class teacher informed.",
    "Screenshots kept; the online safety lead and parents informed.",
    "Supervision increased at lunch; check-ins with {t} each morning this week.",
]


def _reviewer(school_a) -> User:
    user = User.objects.filter(email__iexact=REVIEWER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=REVIEWER_EMAIL, password=DEMO_PASSWORD, full_name="Ruth Reid", job_title="Deputy head (pastoral)"
        )
    EmailAddress.objects.update_or_create(user=user, email=REVIEWER_EMAIL, defaults={"verified": True, "primary": True})
    membership, _ = Membership.objects.get_or_create(user=user, organisation=school_a)
    IncidentRole.objects.update_or_create(membership=membership, defaults={"can_record": True, "can_review": True})
    return user


def _two_factor_like_the_officer(demo, people) -> None:
    """School A's incident staff must use two-factor (ADR 0031): give them the demo
    officer's authenticator, so the one authenticator seed_demo prints signs them all in."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    officer = Authenticator.objects.filter(user=demo.officer, type=Authenticator.Type.TOTP).first()
    if officer is None:
        return
    secret = get_adapter().decrypt(officer.data["secret"])
    for user in people:
        if user is not None and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)


def demo_token(organisation) -> str:
    """The demo school's reporting-link token: the same on every run (derived from
    SECRET_KEY, 192 bits), so the link printed by seed_demo keeps working."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"ppp-demo-link:{organisation.pk}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")


def _link(organisation, lead) -> str:
    token = demo_token(organisation)
    active = services.active_link(organisation)
    if active is None or active.token_hash != hash_token(token):
        existing = ReportingLink.objects.filter(token_hash=hash_token(token)).first()
        if existing is not None:  # made on an earlier run and replaced since: bring it back
            ReportingLink.objects.filter(organisation=organisation, retired_at__isnull=True).update(
                retired_at=timezone.now()
            )
            ReportingLink.objects.filter(pk=existing.pk).update(retired_at=None)
        else:
            services.reporting_link_create(organisation=organisation, by=lead, token=token)
    return absolute_url("incidents:tell", token=token)


def _backdate(incident, occurred_at, *, review_date=None, resolved_days=None, closed_days=None):
    reported = occurred_at + datetime.timedelta(hours=2)
    fields = {"reported_at": reported, "reported_on": timezone.localtime(reported).date(), "review_date": review_date}
    if resolved_days is not None:
        fields["resolved_at"] = reported + datetime.timedelta(days=resolved_days)
    if closed_days is not None:
        fields["closed_at"] = reported + datetime.timedelta(days=closed_days)
    Incident.objects.filter(pk=incident.pk).update(**fields)
    IncidentEvent.objects.filter(incident=incident).update(at=reported)


def _incidents_for(
    organisation, by, rng: random.Random, count: int, *, pupils: list[str], months_back: int = 14, target=None
):
    now = timezone.now()
    today = timezone.localdate()
    made = []
    for _ in range(count):
        days_ago = rng.randint(1, months_back * 30)
        occurred = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 6))
        if target is None:
            this_target, perpetrator = rng.sample(pupils, 2)
        else:
            this_target, perpetrator = target, rng.choice([p for p in pupils if p != target])
        forms = rng.sample(Form.values, rng.choice([1, 1, 1, 2, 2, 3]))
        categories = rng.sample(Category.values, 1) if rng.random() < 0.3 else []
        several, purpose, power = rng.random() < 0.75, rng.random() < 0.85, rng.random() < 0.8
        location = Location.ONLINE if Form.ONLINE in forms and rng.random() < 0.7 else rng.choice(Location.values[:8])
        details = services.IncidentDetails(
            occurred_at=occurred,
            reported_by=rng.choice([ReportedBy.STAFF, ReportedBy.STAFF, ReportedBy.PUPIL, ReportedBy.PARENT_CARER]),
            location=location,
            mode=Mode.ONLINE
            if location == Location.ONLINE
            else rng.choice([Mode.FACE_TO_FACE, Mode.FACE_TO_FACE, Mode.BOTH]),
            forms=forms,
            categories=categories,
            description=rng.choice(DESCRIPTIONS).format(t=this_target, p=perpetrator),
            stop_several_times=several,
            stop_on_purpose=purpose,
            stop_power_imbalance=power,
            immediate_action=rng.choice(ACTIONS).format(t=this_target, p=perpetrator),
            restorative_used=rng.random() < 0.5,
            parents_informed=rng.random() < 0.7,
            parents_informed_on=timezone.localtime(occurred).date() if rng.random() < 0.7 else None,
            parents_informed_how=rng.choice(["phone", "in_person", "writing"]),
        )
        if not details.parents_informed:
            details.parents_informed_on, details.parents_informed_how = None, ""
        incident = services.incident_record(organisation=organisation, by=by, details=details)
        year = rng.choice(["3", "4", "5", "6"] if organisation.kind == "primary" else ["7", "8", "9", "10", "11"])
        services.involvement_add(
            incident=incident,
            by=by,
            pupil_reference=this_target,
            year_group=year,
            send=rng.random() < 0.2,
            role=Role.TARGET,
        )
        services.involvement_add(
            incident=incident,
            by=by,
            pupil_reference=perpetrator,
            year_group=year,
            send=False,
            role=Role.ALLEGED_PERPETRATOR,
        )
        if rng.random() < 0.3:
            witness = rng.choice([p for p in pupils if p not in (this_target, perpetrator)])
            services.involvement_add(
                incident=incident, by=by, pupil_reference=witness, year_group=year, send=False, role=Role.WITNESS
            )
        # Where it has got to: older ones closed, recent ones open or under review.
        if days_ago > 60 and rng.random() < 0.85:
            services.incident_resolve(incident=incident, by=by, outcome="Reviewed with the pupils: it has stopped.")
            if rng.random() < 0.7:
                services.incident_close(incident=incident, by=by)
            _backdate(
                incident,
                occurred,
                review_date=timezone.localtime(occurred).date() + datetime.timedelta(days=14),
                resolved_days=rng.randint(3, 30),
                closed_days=45 if Incident.objects.get(pk=incident.pk).status == Status.CLOSED else None,
            )
        else:
            review = today + datetime.timedelta(days=rng.randint(-12, 20))
            services.incident_review_set(incident=incident, by=by, review_date=max(review, today))
            _backdate(
                incident, occurred, review_date=review if review >= timezone.localtime(occurred).date() else today
            )
        made.append(incident)
    # Recompute repeats now that dates are final.
    services._refresh_repeats(organisation, {blind_index(p) for p in pupils}, by=by)
    return made


@demo_seeders.register
def seed(demo) -> None:
    orgs = demo.organisations
    school_a = orgs["school_a"]
    lead_a = school_a.memberships.leads().select_related("user").first()
    if lead_a is None:
        return
    lead_a = lead_a.user
    reviewer = _reviewer(school_a)
    member = demo.people.get("member.a@ppp.example")
    if member is not None:
        membership = Membership.objects.filter(user=member, organisation=school_a).first()
        if membership is not None and not membership.is_lead:
            IncidentRole.objects.update_or_create(membership=membership, defaults={"can_record": True})
    _two_factor_like_the_officer(demo, [lead_a, reviewer, member])
    link = _link(school_a, lead_a)
    demo.links["reporting_link:school_a"] = link  # the surveys' open rounds offer it
    rng = random.Random(2026)  # noqa: S311 - repeatable fictional data, not secrets

    if not Incident.objects.filter(organisation=school_a).exists():
        pupils = [f"{a}{b}" for a in "ABCDEFGHJKLMN" for b in "PRSTW"][:40] + ["QR", "LM"]
        made = _incidents_for(school_a, reviewer, rng, 44, pupils=pupils)
        # Two pupils targeted again and again this year: the repeat targets on the report.
        now = timezone.now()
        for days_ago in (80, 45, 20, 6):
            incident = _incidents_for(
                school_a, reviewer, rng, 1, pupils=["ZZ9", "QR", "LM"], months_back=1, target="ZZ9"
            )[0]
            Incident.objects.filter(pk=incident.pk).update(occurred_at=now - datetime.timedelta(days=days_ago))
            made.append(incident)
        services._refresh_repeats(school_a, {blind_index("ZZ9"), blind_index("QR")}, by=reviewer)
        # A pupil's report waiting to be opened, and one the school has answered.
        token_link = services.active_link(school_a)
        waiting, _code = services.pupil_report_submit(
            link=token_link,
            what_happened="Some girls in my class keep leaving me out and say mean things about me in the group chat.",
            where=Location.ONLINE,
            when=PupilWhen.KEEPS_HAPPENING,
            who="girls in 5B",
        )
        Incident.objects.filter(pk=waiting.pk).update(pupil_code_hash=hash_code(DEMO_PUPIL_CODE))
        answered, _code = services.pupil_report_submit(
            link=token_link,
            what_happened="A boy in year 6 takes my football at lunch every day and pushes me.",
            where=Location.PLAYGROUND,
            when=PupilWhen.THIS_WEEK,
            name="Jamie",
            class_name="4C",
        )
        services.incident_triage(
            incident=answered,
            by=reviewer,
            details=services.IncidentDetails(
                occurred_at=now - datetime.timedelta(days=3),
                reported_by=ReportedBy.PUPIL,
                location=Location.PLAYGROUND,
                mode=Mode.FACE_TO_FACE,
                forms=[Form.PHYSICAL, Form.BELONGINGS],
                categories=[],
                description="JM (4C) says a Year 6 boy takes his football at lunch every day and pushes him.",
                stop_several_times=True,
                stop_on_purpose=True,
                stop_power_imbalance=True,
                immediate_action="Midday supervisors asked to watch the football area.",
            ),
        )
        services.involvement_add(
            incident=answered, by=reviewer, pupil_reference="JM", year_group="4", send=False, role=Role.TARGET
        )
        services.pupil_reply(
            incident=answered,
            by=reviewer,
            body="Thank you for telling us, Jamie. Mrs Reid will come and find you tomorrow morning to sort it out.",
        )
    # Incidents at other schools, so the council's figures have enough settings and no
    # single school makes most of each count (the disclosure rule hides such counts).
    for key, count in (("school_b", 60), ("special", 45), ("nursery", 30)):
        organisation = orgs.get(key)
        lead = organisation and organisation.memberships.leads().select_related("user").first()
        if organisation is None or Incident.objects.filter(organisation=organisation).exists():
            continue
        by = lead.user if lead else reviewer
        if lead is None:
            continue
        _incidents_for(organisation, by, rng, count, pupils=[f"P{n:03d}" for n in range(1, 31)])

    # The dates above were moved with update(), past the services: recount the figures.
    figures.rebuild()
    # The council's figures for each closed term, published once as the worker would.
    for term in releases.due_terms():
        releases.publish(term)
    demo.stdout.write(f"Reviewer of school A's incidents: {REVIEWER_EMAIL} (demo password)")
    demo.stdout.write(
        "School A's incident staff (lead.a, reviewer.a, member.a) use two-factor: the officer's authenticator above"
    )
    demo.stdout.write(f"School A's pupils' reporting link: {link}")
    demo.stdout.write("A demo pupil's follow-up code (for /tell/follow-up/): K7QM-4XTD-9HRW-2BCE")
