"""THE model-specific part of the national dataset: which rows PPP's pages need and how
they relate. Everything that names a PPP model, field or status lives in this module, so
a model renamed or moved (as when accreditation's StatusChange became ApplicationEvent and
the history tables moved onto ppp.history.HistoryEntry) is a small edit here and nowhere
else. The loading itself (`bench/bulk.py`) reads table and column names from the models.

Rows are generated from one seeded random generator, so the same seed and scale give the
same dataset (dates are relative to the day it is built). Ids are given explicitly, so
rows refer to each other without asking the database.

Sizes at scale 1.0 (issue 13): 25,000 organisations, 50,000 users, 20,000 applications,
300,000 evidence items, 30,000 visits, 20,000 pledges and 1,000,000 audit events, plus
what those pages need around them: memberships, status history, evidence criteria links
and history, awards with certificates, pledge commitments, history and reviews, action
items, officers with two-factor set up. Issue 22 added incidents and training; issue 24
two survey rounds a year at every school (about 300 answers each, about 13.5 million at
scale 1.0) with their tallies, a stage that can also be built on its own into a built
dataset (`National.surveys`, `national.py build --only surveys`).
"""

import datetime
import random
import time
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify

from ppp.dates import add_months

from .bulk import copy_rows, reset_sequences

BASE_SIZES = {
    "organisations": 25_000,
    "users": 50_000,
    "applications": 20_000,
    "evidence": 300_000,
    "visits": 30_000,
    "pledges": 20_000,
    "audit_events": 1_000_000,
    "officers": 60,
    # issue 22: incidents and training at every school in England
    "incidents": 2_000_000,
    "sessions": 5_000,
    "bookings": 100_000,
}
# The bench lead's school has the same history at every scale, so its pages (the termly
# incident report, the records export, the training record) compare like for like.
BENCH_SCHOOL_INCIDENTS = 5_000
BENCH_SCHOOL_BOOKINGS = 60
# Pupil voice (issue 24): the bench lead's school runs BENCH_SURVEY_ROUNDS closed rounds of
# BENCH_SURVEY_ANSWERS answers half a year apart (so its results page shows the distance
# travelled) and one round open now, at every scale; its link's token is fixed so the
# answering pages can be loaded. Every other school runs two rounds a year.
BENCH_SURVEY_AUDIENCE = "pupils_11_18"
BENCH_SURVEY_ROUNDS = 4
BENCH_SURVEY_ANSWERS = 300
BENCH_SURVEY_TOKEN = "bench-national-survey-link-0c7a2d5e9b1f4e8a9d3c"
SURVEY_COMMENT_SHARE = 0.05  # answers with free text ("anything else"), encrypted as the app does
# Who a school asks, by kind of school (drawn at random for each round).
SURVEY_AUDIENCES = {
    "primary": ["pupils_7_11", "pupils_7_11", "pupils_5_7", "parents", "staff"],
    "secondary": ["pupils_11_18", "pupils_11_18", "pupils_11_18", "parents", "staff"],
    "all_through": ["pupils_11_18", "pupils_7_11", "parents", "staff"],
    "special": ["pupils_7_11", "pupils_11_18", "parents", "staff"],
    "nursery": ["parents", "staff"],
    "alternative_provision": ["pupils_11_18", "pupils_11_18", "staff"],
}
# The year groups a pupil round asks.
SURVEY_YEARS = {
    "pupils_5_7": lambda rng: ["R", "1", "2"],
    "pupils_7_11": lambda rng: ["3", "4", "5", "6"],
    "pupils_11_18": lambda rng: ["7", "8", "9", "10", "11"] + (["12", "13"] if rng.random() < 0.3 else []),
}
SURVEY_CLASSES = "Oak Ash Elm Beech Holly Birch Cedar Hazel Rowan Maple Willow Yew".split()
# How many different certificates, register pages and searches the public mixes use.
MIX_SIZE = 20_000

# The accounts the benchmark signs in as (see bench/harness.py).
BENCH_OFFICER = "bench-officer@national.example"
BENCH_SUPERUSER = "bench-superuser@national.example"
BENCH_LEAD = "bench-lead@national.example"  # lead of the school whose application has 30 evidence items
PASSWORD = "Peaceful-Places-2026"
BENCH_EVIDENCE_ITEMS = 30
# The history action recorded when an application reaches each status.
APPLICATION_ACTION = {
    "applied": "applied",
    "planning": "planning",
    "evidencing": "plan_agreed",
    "assessment": "submitted",
    "accredited": "accredited",
    "withdrawn": "withdrawn",
    "expired": "expired",
}
VISIT_ACTION = {"requested": "requested", "scheduled": "booked", "completed": "recorded"}

PREFIXES = (
    "Oak Ash Willow Elm Beech Holly Birch Cedar Hazel Rowan Maple Alder Larch Pine Yew Thorn Heather Fern"
    " Ivy Bram Kings Queens Church Mill Bridge Brook Park Green Meadow Castle Abbey Priory Grange Manor "
    "Moor Vale Forest Hill Lake River Stone Red White Black North South East West New Old Long High Low "
    "Fair Bright Sun Star"
).split()
SUFFIXES = (
    "field wood bank brook dale hill side gate ford ley mead ton worth bury stead croft lands view way well court"
).split()
KINDS = [  # (kind, phase, suffix, weight)
    ("primary", "Primary", "Primary School", 60),
    ("secondary", "Secondary", "Academy", 14),
    ("all_through", "All-through", "All-through School", 2),
    ("special", "Not applicable", "Special School", 4),
    ("nursery", "Nursery", "Nursery", 8),
    ("alternative_provision", "Not applicable", "Pupil Referral Unit", 2),
    ("college", "16 plus", "College", 2),
    ("youth_service", "", "Youth Club", 3),
    ("childrens_home", "", "Children's Home", 2),
    ("partner_agency", "", "Family Support Service", 2),
    ("commissioner", "", "Children's Services", 1),
]
AREAS = (
    "Leicester,Leicestershire,Rutland,Nottingham,Nottinghamshire,Derby,Derbyshire,Lincolnshire,"
    "Northamptonshire,Birmingham,Coventry,Dudley,Sandwell,Solihull,Walsall,Wolverhampton,Staffordshire,"
    "Stoke-on-Trent,Warwickshire,Worcestershire,Herefordshire,Shropshire,Telford and Wrekin,Manchester,"
    "Salford,Trafford,Stockport,Tameside,Oldham,Rochdale,Bury,Bolton,Wigan,Liverpool,Sefton,Knowsley,"
    "St Helens,Wirral,Cheshire East,Cheshire West,Lancashire,Blackpool,Blackburn with Darwen,Cumberland,"
    "Westmorland and Furness,Leeds,Bradford,Calderdale,Kirklees,Wakefield,Sheffield,Rotherham,Barnsley,"
    "Doncaster,York,North Yorkshire,East Riding of Yorkshire,Hull,North Lincolnshire,"
    "North East Lincolnshire,Newcastle upon Tyne,Gateshead,North Tyneside,South Tyneside,Sunderland,"
    "Durham,Northumberland,Darlington,Hartlepool,Middlesbrough,Redcar and Cleveland,Stockton-on-Tees,"
    "Norfolk,Suffolk,Cambridgeshire,Peterborough,Essex,Southend-on-Sea,Thurrock,Hertfordshire,Bedford,"
    "Central Bedfordshire,Luton,Milton Keynes,Buckinghamshire,Oxfordshire,Reading,Wokingham,"
    "West Berkshire,Slough,Windsor and Maidenhead,Bracknell Forest,Surrey,Kent,Medway,East Sussex,"
    "West Sussex,Brighton and Hove,Hampshire,Southampton,Portsmouth,Isle of Wight,Dorset,"
    "Bournemouth Christchurch and Poole,Wiltshire,Swindon,Somerset,North Somerset,"
    "Bath and North East Somerset,Bristol,South Gloucestershire,Gloucestershire,Devon,Plymouth,Torbay,"
    "Cornwall,Camden,Hackney,Islington,Lambeth,Southwark,Lewisham,Greenwich,Tower Hamlets,Newham,"
    "Barking and Dagenham,Havering,Redbridge,Waltham Forest,Haringey,Enfield,Barnet,Harrow,Brent,Ealing,"
    "Hounslow,Hillingdon,Richmond upon Thames,Kingston upon Thames,Merton,Sutton,Croydon,Bromley,Bexley,"
    "Wandsworth,Hammersmith and Fulham,Kensington and Chelsea,Westminster,City of London"
).split(",")
FIRST = (
    "Amira Ben Chloe Dev Ella Femi Grace Hassan Isla Jack Kiran Leah Mo Nia Oscar Priya Ravi Sara Tom Uma Zoe"
).split()
LAST = (
    "Patel Smith Khan Jones Brown Taylor Wilson Evans Singh Ahmed Clarke Hughes Lewis Walker Wood Hall Green"
).split()
EVIDENCE_TITLES = [
    "Anti-bullying policy {y}",
    "Pupil voice survey results",
    "Staff training log",
    "Governors' minutes on behaviour",
    "Incident log analysis, term {t}",
    "Parent workshop presentation",
    "Peer mentor scheme report",
    "Online safety assembly",
    "Restorative practice case study {t}",
    "Anti-Bullying Week plan {y}",
    "Playground buddies rota",
    "Equality objectives {y}",
]


def scaled(scale: float) -> dict[str, int]:
    return {name: max(5, round(n * scale)) for name, n in BASE_SIZES.items()}


@dataclass
class Ids:
    """Ids handed out so far, per model: every row gets its id here."""

    counters: dict = field(default_factory=dict)

    def next(self, key: str) -> int:
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]


class National:
    """Builds every row. `build()` runs the steps in dependency order."""

    def __init__(self, *, scale: float, seed: int):
        from accreditation import models as award
        from charter import models as charter
        from ppp.accounts import models as accounts
        from ppp.audit.models import AuditEvent
        from ppp.certificates.models import IssuedCertificate

        self.scale, self.sizes = scale, scaled(scale)
        self.rng = random.Random(seed)
        self.seed = seed
        self.ids = Ids()
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.accounts, self.award, self.charter = accounts, award, charter
        self.AuditEvent, self.IssuedCertificate = AuditEvent, IssuedCertificate
        self.password = make_password(PASSWORD)
        # Filled as the steps run, for later steps and the audit trail
        self.organisations: list[dict] = []
        self.lead_of: dict[int, int] = {}
        self.members_of: dict[int, list[int]] = {}
        self.officer_ids: list[int] = []
        self.applications: list[dict] = []
        self.evidence_samples: list[tuple[int, str, int]] = []
        self.pledge_samples: list[tuple[int, int]] = []
        self.visit_samples: list[tuple[int, int]] = []
        self.certificate_samples: list[tuple[int, int]] = []
        self.bench: dict = {}
        self.visit_events: list[dict] = []
        self.award_events: list[dict] = []

    # ------------------------------------------------------------------ helpers

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ago(self, days_max: float, days_min: float = 0) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.uniform(days_min, days_max))

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def text(self, words: int) -> str:
        vocabulary = [
            "pupils",
            "staff",
            "bullying",
            "policy",
            "safe",
            "heard",
            "respect",
            "kind",
            "report",
            "listen",
            "support",
            "restorative",
            "review",
            "parents",
            "governors",
            "online",
            "playground",
            "assembly",
            "survey",
            "learning",
            "culture",
            "diversity",
            "equality",
        ]
        return " ".join(self.rng.choice(vocabulary) for _ in range(words)).capitalize() + "."

    def certificate_code(self, taken: set) -> str:
        from ppp.certificates.models import CODE_ALPHABET

        while True:
            chars = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(12))
            code = "PPP-" + "-".join(chars[i : i + 4] for i in range(0, 12, 4))
            if code not in taken:
                taken.add(code)
                return code

    # ------------------------------------------------------------------ steps

    def build(self):
        self.organisations_and_people()
        self.applications_and_evidence()
        self.pledges()
        self.audit_trail()
        self.incidents()
        self.training()
        self.surveys()
        reset_sequences(self.models_with_ids())
        self.two_factor()
        self.releases()

    def models_with_ids(self):
        a, c, acc = self.award, self.charter, self.accounts
        return [
            acc.User,
            acc.User.groups.through,
            acc.Organisation,
            acc.Membership,
            a.Application,
            a.ApplicationEvent,
            a.Visit,
            a.VisitEvent,
            a.ActionItem,
            a.Evidence,
            a.Evidence.criteria.through,
            a.EvidenceEvent,
            a.Award,
            a.AwardEvent,
            c.Pledge,
            c.PledgeCommitment,
            c.PledgeEvent,
            c.Review,
            c.ReviewAnswer,
            self.IssuedCertificate,
            self.AuditEvent,
            *self.incident_models(),
            *self.training_models(),
            *self.survey_models(),
        ]

    def organisations_and_people(self):
        acc, rng, sizes = self.accounts, self.rng, self.sizes
        kinds = [k for k in KINDS for _ in range(k[3])]
        orgs = []
        for i in range(1, sizes["organisations"] + 1):
            kind, phase, suffix, _ = rng.choice(kinds)
            place = rng.choice(PREFIXES) + rng.choice(SUFFIXES)
            name = f"{place} {suffix}"
            area = rng.choice(AREAS)
            is_school = kind in {"primary", "secondary", "all_through", "special", "nursery", "alternative_provision"}
            orgs.append(
                {
                    "id": i,
                    "name": name,
                    "slug": f"{slugify(name)}-{i}",
                    "urn": str(100000 + i) if is_school else None,
                    "kind": kind,
                    "phase": phase,
                    "local_authority": area,
                    "address": f"{rng.randint(1, 200)} {place} Road\n{area}",
                    "postcode": f"{area[:2].upper()}{rng.randint(1, 30)} {rng.randint(1, 9)}"
                    + "".join(rng.choices("ABDEFGHJLNPQRSTUWXYZ", k=2)),
                    "status": "closed" if rng.random() < 0.03 else "open",
                    "website": "",
                    "provisional": rng.random() < 0.01,
                    "claimed_urn": "",
                    "created_at": self.ago(2000, 30),
                    "updated_at": self.ago(30),
                }
            )
        self.organisations = orgs
        copy_rows(acc.Organisation, orgs, label="organisations")

        users, memberships, group_rows = [], [], []
        officers_group = Group.objects.get(name=acc.OFFICERS_GROUP).pk

        def user(email, full_name, **extra):
            uid = self.ids.next("user")
            users.append(
                {
                    "id": uid,
                    "email": email,
                    "password": self.password,
                    "full_name": full_name,
                    "job_title": extra.pop("job_title", ""),
                    "is_staff": extra.pop("is_staff", False),
                    "is_superuser": extra.pop("is_superuser", False),
                    "is_active": True,
                    "date_joined": extra.pop("date_joined", self.ago(1500, 30)),
                    "last_login": self.ago(30),
                }
            )
            return uid

        self.bench["superuser"] = user(BENCH_SUPERUSER, "Bench Superuser", is_staff=True, is_superuser=True)
        self.bench["officer"] = user(BENCH_OFFICER, "Bench Officer", is_staff=True, job_title="Council officer")
        self.officer_ids = [self.bench["officer"]]
        for n in range(sizes["officers"] - 1):
            self.officer_ids.append(user(f"officer{n}@council.example", self.name(), is_staff=True))
        for uid in self.officer_ids:
            group_rows.append({"id": self.ids.next("user_group"), "user": uid, "group": officers_group})

        def membership(uid, org_id, role):
            memberships.append(
                {
                    "id": self.ids.next("membership"),
                    "public_id": self.uuid(),
                    "user": uid,
                    "organisation": org_id,
                    "role": role,
                    "created_at": self.ago(1500, 1),
                }
            )

        # The bench lead leads organisation 1 (its application gets exactly 30 evidence items).
        for org in orgs:
            email = BENCH_LEAD if org["id"] == 1 else f"lead{org['id']}@{org['slug'][:40]}.example"
            uid = user(email, self.name(), job_title="Anti-bullying lead")
            self.lead_of[org["id"]] = uid
            membership(uid, org["id"], "lead")
        remaining = max(0, sizes["users"] - len(users))
        for n in range(remaining):
            org_id = rng.randint(1, len(orgs))
            uid = user(f"member{n}@staff{org_id}.example", self.name(), job_title="Teacher")
            self.members_of.setdefault(org_id, []).append(uid)
            membership(uid, org_id, "member")
        copy_rows(acc.User, users, label="users")
        copy_rows(acc.User.groups.through, group_rows, label="officers in the group")
        copy_rows(acc.Membership, memberships, label="memberships")

    def applications_and_evidence(self):
        a, rng, sizes = self.award, self.rng, self.sizes
        scheme = a.Scheme.current()
        criteria = list(a.Criterion.objects.filter(standard__scheme=scheme).values_list("pk", flat=True))
        n_apps = sizes["applications"]
        n_earlier = round(n_apps * 0.15)
        n_current = n_apps - n_earlier
        schools = [o["id"] for o in self.organisations if o["urn"] and o["id"] != 1]
        rng.shuffle(schools)
        current_orgs = [1, *schools[: n_current - 1]]
        plan = (
            [("applied", 0.05), ("planning", 0.06), ("evidencing", 0.15), ("assessment", 0.065)]
            + [("accredited", 0.40), ("withdrawn", 0.06)]
            + [("expired", 0.065)]
        )
        statuses = []
        for status, share in plan:
            statuses += [status] * round(share * n_apps)
        statuses = (statuses + ["accredited"] * n_current)[:n_current]
        rng.shuffle(statuses)
        statuses[0] = "evidencing"  # the bench school's application
        apps = []
        for org_id, status in zip(current_orgs, statuses, strict=True):
            apps.append({"org": org_id, "status": status, "kind": "new", "previous": None})
        for org_id in current_orgs[1 : n_earlier + 1]:
            earlier_status = "expired" if rng.random() < 0.66 else "accredited_superseded"
            apps.append({"org": org_id, "status": earlier_status, "kind": "new", "previous": None, "earlier": True})

        app_rows, history, visits, actions, awards, certificates = [], [], [], [], [], []
        path = ["applied", "planning", "evidencing", "assessment", "accredited"]
        codes: set[str] = set()
        award_type = ContentType.objects.get_for_model(a.Award).pk
        self.certificate_codes = codes
        by_org_earlier = {}
        # earlier applications first, so the later ones can name them as previous
        apps.sort(key=lambda x: not x.get("earlier"))
        for app in apps:
            app_id = self.ids.next("application")
            app["id"] = app_id
            earlier = app.get("earlier", False)
            status = "accredited" if app["status"] == "accredited_superseded" else app["status"]
            age_days = rng.uniform(1900, 2400) if earlier else rng.uniform(20, 1300)
            if status == "expired" and not earlier:
                age_days = rng.uniform(1150, 1800)
            created = self.now - datetime.timedelta(days=age_days)
            lead = self.lead_of[app["org"]]
            officer = rng.choice(self.officer_ids) if status != "applied" or rng.random() < 0.5 else None
            previous = by_org_earlier.get(app["org"]) if not earlier else None
            if earlier:
                by_org_earlier[app["org"]] = app_id
            app["created"] = created
            app["officer"] = officer
            app_rows.append(
                {
                    "id": app_id,
                    "public_id": self.uuid(),
                    "organisation": app["org"],
                    "scheme": scheme.pk,
                    "kind": "reaccreditation" if previous else "new",
                    "previous_application": previous,
                    "package": "bespoke" if rng.random() < 0.1 else "standard",
                    "contact_name": self.name(),
                    "contact_email": f"contact{app_id}@school.example",
                    "terms_accepted_at": created,
                    "assigned_officer": officer,
                    "status": status,
                    "action_plan_agreed_at": created + datetime.timedelta(days=40)
                    if status not in ("applied", "planning", "withdrawn")
                    else None,
                    "created_by": lead,
                    "created_at": created,
                    "last_activity_at": min(self.now, created + datetime.timedelta(days=rng.uniform(1, 120))),
                }
            )
            steps = path[: path.index(status) + 1] if status in path else path[: rng.randint(1, 3)] + [status]
            if status == "expired":
                steps = [*path, "expired"]
            at = created
            previous_step = ""
            for step in steps:
                history.append(
                    {
                        "id": self.ids.next("application_event"),
                        "application": app_id,
                        "action": APPLICATION_ACTION[step],
                        "from_status": previous_step,
                        "to_status": step,
                        "by": lead if step == "applied" else officer,
                        "at": at,
                        "note": "",
                    }
                )
                previous_step = step
                at = min(self.now, at + datetime.timedelta(days=rng.uniform(10, 90)))
            # Visits: initial for everyone past "applied", assessment for those assessed
            # (none kept for the earlier application of a re-accrediting school).
            if earlier:
                pass
            elif status == "applied":
                visits.append(self._visit(app_id, "initial", "requested", created, requested=True))
            else:
                visits.append(self._visit(app_id, "initial", "completed", created + datetime.timedelta(days=20)))
            if status == "evidencing":
                roll = rng.random()
                if roll < 0.2:  # a monitoring visit this week, next month, or overdue for its write-up
                    when = self.now + datetime.timedelta(days=rng.uniform(0, 7))
                elif roll < 0.35:
                    when = self.now - datetime.timedelta(days=rng.uniform(1, 60))
                else:
                    when = self.now + datetime.timedelta(days=rng.uniform(8, 90))
                visits.append(self._visit(app_id, "monitoring", "scheduled", when))
            if status in ("assessment", "accredited", "expired") and not earlier:
                visits.append(self._visit(app_id, "assessment", "completed", created + datetime.timedelta(days=300)))
            if status in ("planning", "evidencing", "assessment"):
                for _ in range(4):
                    actions.append(
                        {
                            "id": self.ids.next("action_item"),
                            "public_id": self.uuid(),
                            "application": app_id,
                            "criterion": rng.choice(criteria),
                            "action": self.text(10),
                            "owner": self.name(),
                            "due_date": self.today + datetime.timedelta(days=rng.randint(-60, 180)),
                            "success_measure": self.text(8),
                            "status": rng.choice(["not_started", "in_progress", "done"]),
                            "created_by": lead,
                        }
                    )
            if status in ("accredited", "expired") or (status == "assessment" and rng.random() < 0.05):
                award_id = self.ids.next("award")
                if status == "assessment":
                    awarded_on, award_status = (
                        self.today - datetime.timedelta(days=rng.randint(1, 20)),
                        "awaiting_ratification",
                    )
                elif earlier:
                    awarded_on = self.today - datetime.timedelta(days=rng.randint(1100, 1500))
                    award_status = "superseded" if app["status"] == "accredited_superseded" else "expired"
                elif status == "expired":
                    awarded_on, award_status = self.today - datetime.timedelta(days=rng.randint(1100, 1700)), "expired"
                else:
                    awarded_on, award_status = self.today - datetime.timedelta(days=rng.randint(1, 1080)), "issued"
                expires_on = add_months(awarded_on, scheme.validity_months)
                if award_status == "issued" and expires_on < self.today:
                    expires_on = self.today + datetime.timedelta(days=rng.randint(1, 300))
                certificate = None
                if award_status != "awaiting_ratification":
                    certificate = self.ids.next("certificate")
                    org = self.organisations[app["org"] - 1]
                    certificates.append(
                        {
                            "id": certificate,
                            "code": self.certificate_code(codes),
                            "kind": "award",
                            "organisation": app["org"],
                            "holder": org["name"],
                            "title": "Positive and Peaceful Places Award",
                            "level": "",
                            "valid_from": awarded_on,
                            "valid_until": expires_on,
                            "source_type": award_type,
                            "source_id": str(award_id),
                            "issued_by": officer or self.officer_ids[0],
                            "issued_at": timezone.make_aware(datetime.datetime.combine(awarded_on, datetime.time(10))),
                            "revoked_at": None,
                            "revoked_reason": "",
                        }
                    )
                    if len(self.certificate_samples) < 2000 and award_status == "issued":
                        self.certificate_samples.append((certificate, app["org"]))
                made_at = timezone.make_aware(datetime.datetime.combine(awarded_on, datetime.time(10)))
                for action, to_status in [("made", "awaiting_ratification"), ("issued", "issued")] + (
                    [(award_status, award_status)] if award_status in ("superseded", "expired") else []
                ):
                    if award_status == "awaiting_ratification" and action == "issued":
                        continue
                    self.award_events.append(
                        {
                            "id": self.ids.next("award_event"),
                            "award": award_id,
                            "action": action,
                            "from_status": "",
                            "to_status": to_status,
                            "by": officer or self.officer_ids[0],
                            "at": min(self.now, made_at),
                            "note": "",
                        }
                    )
                awards.append(
                    {
                        "id": award_id,
                        "application": app_id,
                        "level": "",
                        "awarded_on": awarded_on,
                        "expires_on": expires_on,
                        "status": award_status,
                        "awarded_by": officer or self.officer_ids[0],
                        "certificate": certificate,
                        "holder_name": self.organisations[app["org"] - 1]["name"],
                    }
                )
        copy_rows(a.Application, app_rows, label="applications")
        copy_rows(a.ApplicationEvent, history, label="application history")
        copy_rows(a.Visit, visits, label="visits")
        copy_rows(a.VisitEvent, self.visit_events, label="visit history")
        copy_rows(a.ActionItem, actions, label="action items")
        copy_rows(self.IssuedCertificate, certificates, label="award certificates")
        copy_rows(a.Award, awards, label="awards")
        copy_rows(a.AwardEvent, self.award_events, label="award history")
        self.applications = apps
        self.bench["application"] = next(x for x in apps if x["org"] == 1 and not x.get("earlier"))
        self.bench["certificate_code"] = certificates[-1]["code"] if certificates else ""
        self._evidence(criteria)

    def _visit(self, app_id, kind, status, when, requested=False):
        rng = self.rng
        visit_id = self.ids.next("visit")
        if len(self.visit_samples) < 5000:
            self.visit_samples.append((visit_id, app_id))
        self.visit_events.append(
            {
                "id": self.ids.next("visit_event"),
                "visit": visit_id,
                "action": VISIT_ACTION[status],
                "from_status": "",
                "to_status": status,
                "by": None,
                "at": min(self.now, when),
                "note": "",
            }
        )
        return {
            "id": visit_id,
            "public_id": self.uuid(),
            "application": app_id,
            "kind": kind,
            "mode": "online" if rng.random() < 0.2 else "in_person",
            "status": status,
            "preferred_1": when if requested else None,
            "preferred_2": when + datetime.timedelta(days=2) if requested else None,
            "starts_at": None if requested else when,
            "duration_minutes": 90,
            "location": "School office",
            "notes": self.text(12) if status == "completed" else "",
            "outcome": self.text(10) if status == "completed" else "",
            "report": self.text(30) if status == "completed" else "",
            "completed_at": when + datetime.timedelta(hours=2) if status == "completed" else None,
            "created_at": min(self.now, when - datetime.timedelta(days=14)) if not requested else when,
        }

    def _evidence(self, criteria):
        a, rng = self.award, self.rng
        weights = {
            "evidencing": 12,
            "assessment": 22,
            "accredited": 20,
            "expired": 16,
            "accredited_superseded": 16,
            "withdrawn": 3,
        }
        eligible = [x for x in self.applications if x["status"] in weights and x["org"] != 1]
        total_weight = sum(weights[x["status"]] for x in eligible)
        target = self.sizes["evidence"] - BENCH_EVIDENCE_ITEMS
        factor = target / total_weight if total_weight else 0
        counts = [(x, weights[x["status"]] * factor) for x in eligible]
        planned = [(self.bench["application"], BENCH_EVIDENCE_ITEMS)]
        carry = 0.0
        for app, expected in counts:
            n = expected * rng.uniform(0.4, 1.6) + carry
            planned.append((app, int(n)))
            carry = n - int(n)
        shortfall = target - sum(n for _, n in planned[1:])
        for i in range(max(0, shortfall)):
            app, n = planned[1 + i % (len(planned) - 1)]
            planned[1 + i % (len(planned) - 1)] = (app, n + 1)
        evidence_rows, links, events = [], [], []
        statuses = {
            "evidencing": [("draft", 25), ("submitted", 35), ("accepted", 30), ("changes_requested", 10)],
            "assessment": [("submitted", 70), ("accepted", 30)],
            "withdrawn": [("draft", 50), ("submitted", 50)],
        }
        pools = {k: [s for s, w in v for _ in range(w)] for k, v in statuses.items()}

        def pick_status(app_status):
            return rng.choice(pools[app_status]) if app_status in pools else "accepted"

        for app, n in planned:
            lead = self.lead_of[app["org"]]
            app_status = app["status"]
            if app is self.bench["application"]:
                app_status = "evidencing"
            for _ in range(n):
                ev_id = self.ids.next("evidence")
                kind = rng.choice(["statement", "statement", "link", "file", "file"])
                status = pick_status(app_status)
                created = min(self.now, app["created"] + datetime.timedelta(days=rng.uniform(30, 400)))
                submitted = created + datetime.timedelta(days=rng.uniform(0, 20)) if status != "draft" else None
                if submitted and submitted > self.now:
                    submitted = self.now - datetime.timedelta(hours=rng.uniform(1, 500))
                title = rng.choice(EVIDENCE_TITLES).format(y=created.year, t=rng.randint(1, 3))
                evidence_rows.append(
                    {
                        "id": ev_id,
                        "public_id": self.uuid(),
                        "application": app["id"],
                        "title": title,
                        "kind": kind,
                        "file": f"evidence/bench/{ev_id}.pdf" if kind == "file" else "",
                        "original_filename": f"{slugify(title)}.pdf" if kind == "file" else "",
                        "content_type": "application/pdf" if kind == "file" else "",
                        "size": rng.randint(20_000, 4_000_000) if kind == "file" else None,
                        "url": "https://example.org/evidence" if kind == "link" else "",
                        "statement": self.text(40) if kind == "statement" else "",
                        "status": status,
                        "carried_forward_from": None,
                        "created_by": lead,
                        "created_at": created,
                        "submitted_at": submitted,
                    }
                )
                if len(self.evidence_samples) < 20000:
                    self.evidence_samples.append((ev_id, title, app["org"]))
                for criterion in rng.sample(criteria, 2 if rng.random() < 0.4 else 1):
                    links.append({"id": self.ids.next("evidence_criterion"), "evidence": ev_id, "criterion": criterion})
                events.append(self._evidence_event(ev_id, "created", lead, created))
                if submitted:
                    events.append(self._evidence_event(ev_id, "submitted", lead, submitted))
                if status in ("accepted", "changes_requested"):
                    reviewer = app["officer"] or self.officer_ids[0]
                    at = min(self.now, submitted + datetime.timedelta(days=rng.uniform(1, 30)))
                    events.append(self._evidence_event(ev_id, status, reviewer, at))
        copy_rows(a.Evidence, evidence_rows, label="evidence")
        copy_rows(a.Evidence.criteria.through, links, label="evidence criteria links")
        copy_rows(a.EvidenceEvent, events, label="evidence history")

    def _evidence_event(self, evidence_id, action, by, at):
        return {
            "id": self.ids.next("evidence_event"),
            "evidence": evidence_id,
            "action": action,
            "to_status": "draft" if action == "created" else action,
            "by": by,
            "at": at,
        }

    def pledges(self):
        c, rng = self.charter, self.rng
        charter = c.Charter.objects.current()
        commitments = list(c.Commitment.objects.filter(charter=charter).values_list("pk", flat=True))
        org_ids = [o["id"] for o in self.organisations]
        rng.shuffle(org_ids)
        mix = [
            ("approved", 72),
            ("submitted", 8),
            ("returned", 4),
            ("lapsed", 7),
            ("withdrawn", 4),
            ("unverified", 5),
        ]
        pool = [s for s, w in mix for _ in range(w)]
        pledges, pledge_commitments, events, reviews, answers, certificates = [], [], [], [], [], []
        event_type = ContentType.objects.get_for_model(c.PledgeEvent).pk
        review_months = 12
        for org_id in org_ids[: self.sizes["pledges"]]:
            status = rng.choice(pool)
            pledge_id = self.ids.next("pledge")
            lead = self.lead_of[org_id]
            created = self.ago(1400, 10)
            signed_on = timezone.localtime(created).date()
            approved_at = (
                created + datetime.timedelta(days=rng.uniform(2, 30)) if status in ("approved", "lapsed") else None
            )
            if approved_at and approved_at > self.now:
                approved_at = self.now
            review_due = None
            if status == "approved":
                review_due = self.today + datetime.timedelta(days=rng.randint(-20, 365))
            elif status == "lapsed":
                review_due = self.today - datetime.timedelta(days=rng.randint(61, 400))
            org = self.organisations[org_id - 1]
            pledges.append(
                {
                    "id": pledge_id,
                    "public_id": self.uuid(),
                    "organisation": org_id,
                    "sort_name": org["name"],
                    "charter": charter.pk,
                    "status": status,
                    "delivery_role": "commissioner" if org["kind"] == "commissioner" else "direct",
                    "signatory_name": self.name(),
                    "signatory_role": "Headteacher",
                    "signatory_email": f"head{org_id}@school.example",
                    "children_covered": rng.randint(20, 1800),
                    "staff_covered": rng.randint(5, 200),
                    "leader_statement": self.text(60),
                    "signed_on": signed_on,
                    "consent_to_list": rng.random() < 0.85,
                    "created_by": lead,
                    "created_at": created,
                    "submitted_at": created if status != "unverified" else None,
                    "approved_at": approved_at,
                    "review_due_on": review_due,
                    "removed_from_register_at": self.ago(100) if status == "approved" and rng.random() < 0.01 else None,
                    "removed_from_register_reason": "",
                    "verification_token_hash": "",
                    "verification_expires_at": None,
                }
            )
            if len(self.pledge_samples) < 5000:
                self.pledge_samples.append((pledge_id, org_id))
            for commitment in commitments:
                pledge_commitments.append(
                    {
                        "id": self.ids.next("pledge_commitment"),
                        "pledge": pledge_id,
                        "commitment": commitment,
                        "text": self.text(25),
                    }
                )
            steps = [("signed", "", "unverified" if status == "unverified" else "submitted", lead, created)]
            if status == "returned":
                steps.append(("returned", "submitted", "returned", rng.choice(self.officer_ids), created))
            if status in ("approved", "lapsed"):
                steps.append(("approved", "submitted", "approved", rng.choice(self.officer_ids), approved_at))
            if status == "lapsed":
                steps.append(("lapsed", "approved", "lapsed", None, self.ago(60)))
            if status == "withdrawn":
                steps.append(("withdrawn", "submitted", "withdrawn", lead, self.ago(300)))
            approved_event = None
            for action, from_status, to_status, by, at in steps:
                event_id = self.ids.next("pledge_event")
                if action == "approved":
                    approved_event = event_id
                events.append(
                    {
                        "id": event_id,
                        "pledge": pledge_id,
                        "action": action,
                        "from_status": from_status,
                        "to_status": to_status,
                        "by": by,
                        "at": at,
                        "note": "",
                    }
                )
            if status == "approved" and approved_event:
                certificates.append(
                    {
                        "id": self.ids.next("certificate"),
                        "code": self.certificate_code(self.certificate_codes),
                        "kind": "pledge",
                        "organisation": org_id,
                        "holder": org["name"],
                        "title": "Anti-Bullying Charter pledge",
                        "level": "",
                        "valid_from": timezone.localtime(approved_at).date(),
                        "valid_until": review_due,
                        "source_type": event_type,
                        "source_id": str(approved_event),
                        "issued_by": self.officer_ids[0],
                        "issued_at": approved_at,
                        "revoked_at": None,
                        "revoked_reason": "",
                    }
                )
            if status == "approved" and rng.random() < 0.2:
                review_id = self.ids.next("review")
                feedback = rng.random() < 0.4
                reviews.append(
                    {
                        "id": review_id,
                        "public_id": self.uuid(),
                        "pledge": pledge_id,
                        "due_on": add_months(signed_on, review_months),
                        "submitted_at": self.ago(200),
                        "submitted_by": lead,
                        "consent_to_publish": rng.random() < 0.5,
                        "feedback": self.text(20) if feedback else "",
                        "feedback_by": self.officer_ids[0] if feedback else None,
                        "feedback_at": self.ago(100) if feedback else None,
                    }
                )
                for commitment in commitments:
                    answers.append(
                        {
                            "id": self.ids.next("review_answer"),
                            "review": review_id,
                            "commitment": commitment,
                            "done": self.text(20),
                            "next_steps": self.text(15),
                        }
                    )
        copy_rows(c.Pledge, pledges, label="pledges")
        copy_rows(c.PledgeCommitment, pledge_commitments, label="pledge commitments")
        copy_rows(c.PledgeEvent, events, label="pledge history")
        copy_rows(c.Review, reviews, label="pledge reviews")
        copy_rows(c.ReviewAnswer, answers, label="review answers")
        copy_rows(self.IssuedCertificate, certificates, label="pledge certificates")

    def audit_trail(self):
        """1,000,000 events over three years, oldest first, in the proportions a live
        service writes them: sign-ins and evidence dominate."""
        rng, n = self.rng, self.sizes["audit_events"]
        types = {
            key: ContentType.objects.get_for_model(model).pk
            for key, model in {
                "user": self.accounts.User,
                "evidence": self.award.Evidence,
                "application": self.award.Application,
                "visit": self.award.Visit,
                "pledge": self.charter.Pledge,
                "certificate": self.IssuedCertificate,
                "organisation": self.accounts.Organisation,
            }.items()
        }
        user_count = self.ids.counters["user"]
        apps = [(x["id"], x["org"]) for x in self.applications[:5000]]
        orgs = self.organisations
        mix = [
            ("auth.login", 30),
            ("auth.logout", 17),
            ("auth.login_failed", 4),
            ("evidence.add", 9),
            ("evidence.submitted", 6),
            ("evidence.review", 5),
            ("evidence.download", 4),
            ("application.applied", 1),
            ("application.planning", 1),
            ("application.evidencing", 1),
            ("application.assessment", 1),
            ("application.accredited", 1),
            ("pledge.signed", 2),
            ("pledge.approved", 2),
            ("pledge.returned", 1),
            ("visit.schedule", 2),
            ("visit.request", 1),
            ("certificate.issue", 1),
            ("certificate.download", 3),
            ("invitation.create", 2),
            ("invitation.accept", 2),
            ("membership.remove", 1),
            ("organisation.viewed", 1),
            ("caseload.export", 1),
            ("charter.register_export", 1),
        ]
        pool = [a for a, w in mix for _ in range(w)]
        span = datetime.timedelta(days=3 * 365).total_seconds()
        start = self.now - datetime.timedelta(seconds=span)
        ips = [
            f"{rng.randint(11, 220)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            for _ in range(20000)
        ]

        def rows():
            for i in range(n):
                action = rng.choice(pool)
                family = action.split(".")[0]
                actor = rng.randint(1, user_count)
                org = None
                target_type, target_id, target_repr, detail = None, "", "", {}
                if family == "auth":
                    if action == "auth.login_failed":
                        actor, detail = None, {"username": f"lead{rng.randint(1, len(orgs))}@school.example"}
                    else:
                        target_type, target_id, target_repr = types["user"], str(actor), f"user {actor}"
                elif family == "evidence":
                    ev_id, title, org = rng.choice(self.evidence_samples)
                    target_type, target_id, target_repr = types["evidence"], str(ev_id), title
                elif family == "application":
                    app_id, org = rng.choice(apps)
                    target_type, target_id = types["application"], str(app_id)
                    status = action.split(".")[1]
                    target_repr = f"{orgs[org - 1]['name']} — Positive and Peaceful Places award ({status})"
                    detail = {"from": "", "to": status}
                elif family in ("visit",):
                    visit_id, app_id = rng.choice(self.visit_samples)
                    target_type, target_id, target_repr = types["visit"], str(visit_id), "Initial visit"
                elif family == "pledge":
                    pledge_id, org = rng.choice(self.pledge_samples)
                    target_type, target_id = types["pledge"], str(pledge_id)
                    target_repr = f"{orgs[org - 1]['name']}'s pledge (Approved)"
                elif family == "certificate":
                    cert_id, org = rng.choice(self.certificate_samples)
                    target_type, target_id, target_repr = types["certificate"], str(cert_id), f"certificate {cert_id}"
                elif family in ("invitation", "membership", "organisation"):
                    org = rng.randint(1, len(orgs))
                    target_type, target_id, target_repr = types["organisation"], str(org), orgs[org - 1]["name"]
                at = start + datetime.timedelta(seconds=span * i / n + rng.uniform(0, 30))
                yield {
                    "id": i + 1,
                    "actor": actor,
                    "action": action,
                    "target_type": target_type,
                    "target_id": target_id,
                    "target_repr": target_repr[:200],
                    "organisation": org,
                    "at": at,
                    "ip": rng.choice(ips),
                    "detail": detail,
                }

        copy_rows(self.AuditEvent, rows(), label="audit events")

    # ------------------------------------------------------------------ incidents (issue 22)

    def incident_models(self):
        from incidents.models import Incident, Involvement

        return [Incident, Involvement]

    def incidents(self):
        """About 2 million incidents (scale 1.0) over three school years at every school,
        each with a target and an alleged perpetrator (a witness in three of ten), the free
        text and pupil references encrypted with the app's key and the references' blind
        index as the app writes them; then the monthly figures, recounted by the app."""
        from incidents import figures
        from incidents.models import (
            CATEGORY_FIELDS,
            FORM_FIELDS,
            Incident,
            Involvement,
            Location,
            Mode,
            ReportedBy,
            Role,
            Status,
            YearGroup,
        )
        from incidents.services import classify
        from ppp.crypto import blind_index, encrypt

        rng = self.rng
        schools = [o["id"] for o in self.organisations if o["urn"] is not None]
        total = max(10, round(BASE_SIZES["incidents"] * self.scale))
        counts = dict.fromkeys(schools, 0)
        for _ in range(max(0, total - BENCH_SCHOOL_INCIDENTS)):
            counts[schools[rng.randrange(len(schools))]] += 1
        counts[1] = BENCH_SCHOOL_INCIDENTS
        # Ciphertexts made by the app's own encryption, a pool of each (encrypting two
        # million texts one by one would be most of the build, and each is as long).
        texts = [encrypt(self.text(rng.randint(8, 40))) for _ in range(300)]
        actions = [encrypt(self.text(rng.randint(5, 15))) for _ in range(100)]
        outcomes = [encrypt(self.text(rng.randint(5, 20))) for _ in range(100)]
        pupils = [(encrypt(ref), blind_index(ref)) for ref in (f"P{n:05d}" for n in range(2_000))]
        forms, categories = list(FORM_FIELDS.values()), list(CATEGORY_FIELDS.values())
        years = YearGroup.values[:-1]
        locations, modes, reporters = Location.values, Mode.values, ReportedBy.values
        statuses = [Status.OPEN, Status.UNDER_REVIEW, Status.RESOLVED, Status.CLOSED, Status.CLOSED]
        span = 3 * 365 * 86400
        incidents: list[dict] = []
        people: list[dict] = []
        incident_id = 0

        def write():
            # Incidents first, then their people (each COPY is checked on its own).
            copy_rows(Incident, incidents, label="incidents (a batch)")
            copy_rows(Involvement, people, label="people involved (a batch)")
            incidents.clear()
            people.clear()

        for org_id, count in counts.items():
            recorder = self.lead_of.get(org_id)
            for n in range(count):
                incident_id += 1
                occurred = self.now - datetime.timedelta(seconds=rng.randrange(span) + 3600)
                reported = min(self.now, occurred + datetime.timedelta(hours=rng.randint(1, 48)))
                several, purpose, power = rng.random() < 0.7, rng.random() < 0.85, rng.random() < 0.8
                status = rng.choice(statuses)
                done = status in (Status.RESOLVED, Status.CLOSED)
                resolved = min(self.now, reported + datetime.timedelta(days=rng.randint(1, 40))) if done else None
                flags = dict.fromkeys(forms + categories, False)
                for f in rng.sample(forms, rng.choice([1, 1, 2, 3])):
                    flags[f] = True
                if rng.random() < 0.25:
                    flags[rng.choice(categories)] = True
                informed = rng.random() < 0.6
                incidents.append(
                    {
                        "id": incident_id,
                        "public_id": self.uuid(),
                        "organisation": org_id,
                        "reference": f"{timezone.localtime(occurred).year}-{n + 1:05d}",
                        "occurred_at": occurred,
                        "reported_at": reported,
                        "reported_by": rng.choice(reporters),
                        "location": rng.choice(locations),
                        "mode": rng.choice(modes),
                        **flags,
                        "description": rng.choice(texts),
                        "stop_several_times": several,
                        "stop_on_purpose": purpose,
                        "stop_power_imbalance": power,
                        "classification": classify(several, purpose, power),
                        "immediate_action": rng.choice(actions),
                        "restorative_used": rng.random() < 0.4,
                        "parents_informed": informed,
                        "parents_informed_on": timezone.localtime(reported).date() if informed else None,
                        "parents_informed_how": "phone" if informed else "",
                        "review_date": (timezone.localtime(occurred) + datetime.timedelta(days=14)).date(),
                        "outcome": rng.choice(outcomes) if done else None,
                        "status": status,
                        "is_repeat": rng.random() < 0.2,
                        "recorded_by": recorder,
                        "created_at": reported,
                        "updated_at": resolved or reported,
                        "resolved_at": resolved,
                        "closed_at": resolved if status == Status.CLOSED else None,
                    }
                )
                roles = (Role.TARGET, Role.ALLEGED_PERPETRATOR) + ((Role.WITNESS,) if rng.random() < 0.3 else ())
                for role in roles:
                    cipher, index = rng.choice(pupils)
                    people.append(
                        {
                            "id": self.ids.next("involvement"),
                            "public_id": self.uuid(),
                            "incident": incident_id,
                            "pupil_reference": cipher,
                            "pupil_index": index,
                            "year_group": rng.choice(years),
                            "send": rng.random() < 0.15,
                            "role": role,
                            "added_by": recorder,
                            "created_at": reported,
                        }
                    )
            if len(incidents) >= 200_000:
                write()
        write()
        started = time.perf_counter()
        written = figures.rebuild()
        took = time.perf_counter() - started
        print(f"  {'monthly figures (the app recounts)':38} {written:>10,} rows  {took:6.1f} s")

    # ------------------------------------------------------------------ training (issue 22)

    def training_models(self):
        from training import models as t

        return [t.CourseSession, t.Booking, t.BookingEvent, t.Charge, t.TrainingAccount]

    def training(self):
        """The 8 courses (from the migrations) with 5,000 sessions over three years and the
        next one, 100,000 places booked by schools' leads (scale 1.0), their history,
        attendance, charges and traded-services accounts; the bench school has the same
        60 places at every scale."""
        from django.contrib.contenttypes.models import ContentType

        from training import models as t

        rng = self.rng
        courses = list(t.Course.objects.values("id", "slug", "title", "price_traded", "price_standard"))
        schools = [o["id"] for o in self.organisations if o["urn"] is not None]
        traded = {org: rng.random() < 0.3 for org in schools}
        copy_rows(
            t.TrainingAccount,
            (
                {
                    "id": self.ids.next("training_account"),
                    "organisation": org,
                    "buys_traded_services": traded[org],
                    "finance_contact": f"finance@school{org}.example",
                    "updated_at": self.ago(400),
                }
                for org in schools
                if rng.random() < 0.6 or org == 1
            ),
            label="training accounts",
        )
        n_sessions = max(8, round(BASE_SIZES["sessions"] * self.scale))
        n_bookings = max(50, round(BASE_SIZES["bookings"] * self.scale))
        sessions = []
        for _ in range(n_sessions):
            course = rng.choice(courses)
            day = self.today + datetime.timedelta(days=rng.randint(-3 * 365, 365))
            starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
            online = rng.random() < 0.2
            capacity = rng.randint(20, 30)
            past = starts < self.now
            cancelled = rng.random() < (0.06 if past else 0.03)
            sessions.append(
                {
                    "id": self.ids.next("session"),
                    "public_id": self.uuid(),
                    "course": course["id"],
                    "starts_at": starts,
                    "ends_at": starts + datetime.timedelta(hours=6),
                    "mode": "online" if online else "in_person",
                    "venue": "" if online else f"{rng.choice(PREFIXES)} Training Centre",
                    "venue_address": "" if online else f"{rng.randint(1, 99)} High Street\nLeicester",
                    "joining_link": f"https://meet.example.org/{self.uuid().hex}" if online else "",
                    "capacity": capacity,
                    "minimum_numbers": 6,
                    "trainer": self.name(),
                    "booking_deadline": starts - datetime.timedelta(days=2),
                    "status": "cancelled" if cancelled else ("completed" if past else "scheduled"),
                    "go_ahead_confirmed_at": None,
                    "notes": "",
                    "cancellation_reason": "Too few places booked." if cancelled else "",
                    "created_at": starts - datetime.timedelta(days=rng.randint(30, 120)),
                    "_course": course,
                }
            )
        copy_rows(t.CourseSession, ({k: v for k, v in s.items() if k != "_course"} for s in sessions), label="sessions")
        # Places: each session gets its share, a school books one to three people at a time.
        per_session = [0] * len(sessions)
        for _ in range(max(0, n_bookings - BENCH_SCHOOL_BOOKINGS)):
            per_session[rng.randrange(len(sessions))] += 1
        bench_sessions = set(rng.sample(range(len(sessions)), min(len(sessions), BENCH_SCHOOL_BOOKINGS)))
        bookings, events, charges = [], [], {}
        roles = list(t.Booking.Role.values)
        for index, session in enumerate(sessions):
            wanted = [1] * (1 if index in bench_sessions else 0)
            orgs = [1] * len(wanted)
            while len(orgs) < per_session[index] + len(wanted):
                org = schools[rng.randrange(len(schools))]
                orgs += [org] * rng.randint(1, 3)
            orgs = orgs[: per_session[index] + len(wanted)]
            confirmed = 0
            course = session["_course"]
            for org in orgs:
                booking_id = self.ids.next("booking")
                booked_at = session["created_at"] + datetime.timedelta(days=rng.randint(1, 25))
                price = course["price_traded"] if traded.get(org) else course["price_standard"]
                if session["status"] == "cancelled":
                    status, cancelled_at = "cancelled", session["starts_at"] - datetime.timedelta(days=5)
                elif rng.random() < 0.08:
                    status, cancelled_at = "cancelled", booked_at + datetime.timedelta(days=2)
                elif confirmed < session["capacity"]:
                    status, cancelled_at = "confirmed", None
                    confirmed += 1
                else:
                    status, cancelled_at = "waitlisted", None
                late = status == "cancelled" and session["status"] == "completed" and rng.random() < 0.3
                attendance = "not_recorded"
                if status == "confirmed" and session["status"] == "completed":
                    attendance = "attended" if rng.random() < 0.9 else "absent"
                bookings.append(
                    {
                        "id": booking_id,
                        "public_id": self.uuid(),
                        "session": session["id"],
                        "organisation": org,
                        "attendee_name": self.name(),
                        "attendee_email": f"b{booking_id}@staff{org}.example",
                        "attendee_role": rng.choice(roles),
                        "booked_by": self.lead_of[org],
                        "status": status,
                        "attendance": attendance,
                        "price": price,
                        "late_cancellation": late,
                        "created_at": booked_at,
                        "cancelled_at": cancelled_at,
                    }
                )
                first = "waitlisted" if status == "waitlisted" or rng.random() < 0.05 else "booked"
                events.append(self._booking_event(booking_id, first, self.lead_of[org], booked_at))
                if status == "cancelled":
                    events.append(self._booking_event(booking_id, "cancelled", self.lead_of[org], cancelled_at))
                if session["status"] == "completed" and (status == "confirmed" or late):
                    charge = charges.setdefault(
                        (org, session["id"]),
                        {"places": 0, "no_shows": 0, "late": 0, "amount": 0, "at": session["ends_at"]},
                    )
                    charge["places"] += status == "confirmed"
                    charge["no_shows"] += attendance == "absent"
                    charge["late"] += late
                    charge["amount"] += price
        copy_rows(t.Booking, bookings, label="training places")
        copy_rows(t.BookingEvent, events, label="training places' history")
        copy_rows(
            t.Charge,
            (
                {
                    "id": self.ids.next("charge"),
                    "public_id": self.uuid(),
                    "organisation": org,
                    "session": session_id,
                    "places": c["places"],
                    "no_shows": c["no_shows"],
                    "late_cancellations": c["late"],
                    "amount": c["amount"],
                    "status": "paid" if c["at"] < self.now - datetime.timedelta(days=120) else "not_invoiced",
                    "invoice_reference": "",
                    "created_at": c["at"],
                }
                for (org, session_id), c in charges.items()
            ),
            label="training charges",
        )
        # The bench school's certificates (its training record shows them).
        booking_type = ContentType.objects.get_for_model(t.Booking)
        by_id = {s["id"]: s for s in sessions}
        copy_rows(
            self.IssuedCertificate,
            (
                {
                    "id": self.ids.next("certificate"),
                    "code": self.certificate_code(self.certificate_codes),
                    "kind": "training",
                    "organisation": 1,
                    "holder": b["attendee_name"],
                    "title": by_id[b["session"]]["_course"]["title"],
                    "level": "",
                    "valid_from": timezone.localtime(by_id[b["session"]]["starts_at"]).date(),
                    "valid_until": None,
                    "source_type": booking_type.pk,
                    "source_id": str(b["id"]),
                    "issued_by": self.officer_ids[0],
                    "issued_at": by_id[b["session"]]["ends_at"],
                    "revoked_at": None,
                    "revoked_reason": "",
                }
                for b in bookings
                if b["organisation"] == 1 and b["attendance"] == "attended"
            ),
            label="training certificates (bench school)",
        )
        from training import counts

        started = time.perf_counter()
        written = counts.rebuild()
        took = time.perf_counter() - started
        print(f"  {'training counts (the app recounts)':38} {written:>10,} rows  {took:6.1f} s")

    def _booking_event(self, booking_id, action, by, at) -> dict:
        return {"id": self.ids.next("booking_event"), "booking": booking_id, "action": action, "by": by, "at": at}

    # ------------------------------------------------------------------ surveys (issue 24)

    def releases(self):
        """The council's figures as the worker publishes them once a term has closed (the
        daily `publish_incident_figures` and `publish_survey_figures`): the last school
        year's incident figures and every closed term's pupil voice figures for each audience,
        counted and checked exactly as in production, each timed. The council pages read
        these releases; without them they would only say when figures will be published."""
        from incidents import releases as incident_releases
        from incidents.models import FiguresRelease
        from surveys import releases as survey_releases
        from surveys.models import CouncilRelease

        FiguresRelease.objects.all().delete()
        CouncilRelease.objects.all().delete()
        # A school year of incident figures (the three newest closed terms: the issue's
        # "a year's figures for every school in England"), every closed term of surveys.
        for label, module, terms in (
            ("incident figures", incident_releases, incident_releases.due_terms()[-3:]),
            ("survey figures", survey_releases, survey_releases.due_terms()),
        ):
            for term in terms:
                started = time.perf_counter()
                module.publish(term)
                print(f"  {label}, {term.label:<28} published in {time.perf_counter() - started:6.1f} s", flush=True)

    def survey_models(self):
        from surveys.models import Response, Round, Tally

        return [Round, Response, Tally]

    def surveys(self):
        """Pupil voice (issue 24): two rounds a year at every school (a mix of audiences:
        pupils of the school's ages, parents and carers, staff), about 300 answers a round,
        stored as the app stores them (`Response.answers`, one row a person; free text
        encrypted with the app's key for one answer in SURVEY_COMMENT_SHARE) on the shipped
        published question sets, with the tallies counted from exactly those answers.
        The bench lead's school has the same rounds at every scale (BENCH_SURVEY_ROUNDS
        closed rounds of 300 answers and one open now, whose link is BENCH_SURVEY_TOKEN).

        A stage of its own (`national.py build --only surveys`): it replaces every survey
        row and nothing else, and draws from its own seeded generator, so it gives the same
        rows whether run inside a full build or added to a built dataset later."""
        from django.db import connection

        from ppp.accounts.models import Membership, Organisation
        from ppp.crypto import encrypt
        from ppp.tokens import hash_token
        from surveys.models import ANSWERED, RESPONDENTS, QuestionSet, Response, Round, Tally
        from surveys.services import suggests_risk

        rng = random.Random(f"surveys-{self.seed}")
        uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # noqa: E731
        with connection.cursor() as cursor:
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in self.survey_models())
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # inside a transaction (the tests), checks owed first
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY")
        sets = {}
        for qs in QuestionSet.objects.filter(status="published", version=1).prefetch_related("questions"):
            questions = [(q.position, q.kind, len(q.choices)) for q in qs.questions.all()]
            sets[qs.audience] = (qs.pk, self._answer_pool(rng, questions, ANSWERED, RESPONDENTS))
        schools = list(
            Organisation.objects.filter(urn__isnull=False).order_by("pk").values_list("pk", "kind", flat=False)
        )
        leads = dict(Membership.objects.filter(role="lead").values_list("organisation_id", "user_id"))
        texts = [self.text_from(rng, rng.randint(6, 40)) for _ in range(200)]
        texts += ["I am scared to go home and nobody knows"] * 4  # a few that the app would flag
        comments = [(encrypt(t), suggests_risk(t)) for t in texts]
        today = self.today
        rounds, responses, tallies = [], [], []
        counters = {"round": 0, "response": 0, "tally": 0}

        def add_round(org, audience, opens_on, days, answers, closed_early=False, token=None):
            counters["round"] += 1
            round_id = counters["round"]
            set_id, pool = sets[audience]
            years = SURVEY_YEARS[audience](rng) if audience in SURVEY_YEARS else []
            labels = rng.sample(SURVEY_CLASSES, rng.randint(3, 8)) if years and rng.random() < 0.2 else []
            closes_on = opens_on + datetime.timedelta(days=days)
            ended = min(opens_on + datetime.timedelta(days=days // 2) if closed_early else closes_on, today)
            rounds.append(
                {
                    "id": round_id,
                    "public_id": uuid4(),
                    "organisation": org,
                    "question_set": set_id,
                    "opens_on": opens_on,
                    "closes_on": closes_on,
                    "closed_at": timezone.make_aware(datetime.datetime.combine(ended, datetime.time(15)))
                    if closed_early
                    else None,
                    "year_groups": years,
                    "class_labels": labels,
                    "token_hash": hash_token(token or f"natsv-{self.seed}-{round_id}-{rng.getrandbits(64)}"),
                    "reporting_url": None,
                    "response_count": answers,
                    "on_register": bool(years) and rng.random() < 0.5,
                    "created_by": leads.get(org),
                    "created_at": timezone.make_aware(datetime.datetime.combine(opens_on, datetime.time(8))),
                }
            )
            span = max(0, (ended - opens_on).days)
            counts: dict = {}
            for _ in range(answers):
                counters["response"] += 1
                year = rng.choice(years) if years else ""
                label = rng.choice(labels) if labels and rng.random() < 0.9 else ""
                chosen, cells = pool[rng.randrange(len(pool))]
                comment, flagged = rng.choice(comments) if rng.random() < SURVEY_COMMENT_SHARE else (None, False)
                responses.append(
                    {
                        "id": counters["response"],
                        "round": round_id,
                        "submission_key": f"{counters['response']:x}-{rng.getrandbits(64):x}",
                        "year_group": year,
                        "class_label": label,
                        "answers": chosen,
                        "submitted_on": opens_on + datetime.timedelta(days=rng.randint(0, span)),
                        "comment": comment,
                        "comment_flagged": flagged,
                    }
                )
                for question, choice in cells:
                    key = (year, label, question, choice)
                    counts[key] = counts.get(key, 0) + 1
            for (year, label, question, choice), n in counts.items():
                counters["tally"] += 1
                tallies.append(
                    {
                        "id": counters["tally"],
                        "round": round_id,
                        "year_group": year,
                        "class_label": label,
                        "question": question,
                        "choice": choice,
                        "count": n,
                    }
                )

        def write():
            copy_rows(Round, rounds, label="survey rounds (a batch)")
            copy_rows(Response, responses, label="survey answers (a batch)")
            copy_rows(Tally, tallies, label="survey tallies (a batch)")
            rounds.clear()
            responses.clear()
            tallies.clear()

        # The bench lead's school: the same rounds at every scale, the last one open now.
        for n in range(BENCH_SURVEY_ROUNDS):
            opens_on = today - datetime.timedelta(days=730 - n * 182)
            add_round(1, BENCH_SURVEY_AUDIENCE, opens_on, 21, BENCH_SURVEY_ANSWERS)
        add_round(1, BENCH_SURVEY_AUDIENCE, today - datetime.timedelta(days=7), 60, 0, token=BENCH_SURVEY_TOKEN)
        # Every other school: two rounds in the last year, about 300 answers each.
        for org, kind in schools:
            if org == 1:
                continue
            choices = SURVEY_AUDIENCES[kind]
            for opens_ago in (rng.randint(200, 350), rng.randint(20, 160)):
                audience = rng.choice(choices)
                opens_on = today - datetime.timedelta(days=opens_ago)
                answers = rng.randint(150, 450)  # issue 24: 300 answers a round
                add_round(org, audience, opens_on, rng.randint(14, 28), answers, closed_early=rng.random() < 0.05)
            if len(responses) >= 200_000:
                write()
        write()
        reset_sequences(self.survey_models())
        with connection.cursor() as cursor:
            for model in self.survey_models():
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def text_from(self, rng, words: int) -> str:
        saved, self.rng = self.rng, rng
        try:
            return self.text(words)
        finally:
            self.rng = saved

    @staticmethod
    def _answer_pool(rng, questions, answered, respondents, size=2_000):
        """`size` different people's answers to one question set, each with the tally cells
        it adds (the app's `response_submit` counts the same cells): most questions answered,
        the first answers likelier, "choose all that apply" answered by one in four."""
        pool = []
        for _ in range(size):
            chosen, cells = {}, [(respondents, 0)]
            for position, kind, n_choices in questions:
                if kind == "multiple":
                    if rng.random() > 0.25:
                        continue
                    picked = sorted(rng.sample(range(n_choices - 1), rng.randint(1, min(2, n_choices - 1))))
                elif rng.random() < 0.06:
                    continue
                elif rng.random() < 0.03:
                    picked = [n_choices - 1]  # I'd rather not say
                else:
                    weights = [max(1, 6 - 2 * i) for i in range(n_choices - 1)]
                    picked = rng.choices(range(n_choices - 1), weights=weights)
                chosen[str(position)] = picked
                cells += [(position, c) for c in picked] + [(position, answered)]
            if chosen:
                pool.append((chosen, cells))
        return pool

    def check_surveys(self) -> list[str]:
        """Problems found by recounting every round's tallies from its answers in one SQL
        statement (the app's own `manage.py rebuild_survey_tallies --dry-run` does the same
        round by round in Python, slower): tally cells that differ, and rounds whose
        response_count is not their number of answers."""
        from django.db import connection

        from surveys.models import ANSWERED, RESPONDENTS

        recount = """
            WITH cells AS (
                SELECT r.round_id, r.year_group, r.class_label, a.key::int AS question, c.value::int AS choice
                FROM surveys_response r, jsonb_each(r.answers) a, jsonb_array_elements_text(a.value) c
              UNION ALL
                SELECT r.round_id, r.year_group, r.class_label, a.key::int, %s
                FROM surveys_response r, jsonb_each(r.answers) a
              UNION ALL
                SELECT round_id, year_group, class_label, %s, 0 FROM surveys_response
            ),
            counted AS (
                SELECT round_id, year_group, class_label, question, choice, count(*) AS count
                FROM cells GROUP BY 1, 2, 3, 4, 5
            ),
            stored AS (SELECT round_id, year_group, class_label, question, choice, count FROM surveys_tally)
            SELECT count(*) FROM ((TABLE counted EXCEPT TABLE stored) UNION ALL (TABLE stored EXCEPT TABLE counted)) d
        """
        counts = """
            SELECT count(*) FROM surveys_round o
            WHERE o.response_count <> (SELECT count(*) FROM surveys_response r WHERE r.round_id = o.id)
        """
        problems = []
        with connection.cursor() as cursor:
            cursor.execute(recount, [ANSWERED, RESPONDENTS])
            if (n := cursor.fetchone()[0]) != 0:
                problems.append(f"{n} tally cells differ from a recount of the answers")
            cursor.execute(counts)
            if (n := cursor.fetchone()[0]) != 0:
                problems.append(f"{n} rounds' response_count differ from their answers")
        return problems

    def two_factor(self):
        """The bench officer and superuser have two-factor set up, as officers must, and so
        has the bench lead, who reads incident records (ADR 0031): without it every incident
        page is the redirect to setting it up, for `measure` and `explain` alike."""
        from allauth.mfa.totp.internal.auth import TOTP

        User = self.accounts.User
        for email in (BENCH_OFFICER, BENCH_SUPERUSER, BENCH_LEAD):
            TOTP.activate(User.objects.get(email=email), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")


def bench_targets() -> dict:
    """What the benchmark's pages need from the dataset: the bench lead's application,
    a valid certificate code, a deep page number, search words that match."""
    from accreditation.models import Application
    from ppp.accounts.models import Organisation
    from ppp.certificates.models import IssuedCertificate
    from surveys.models import Round

    application = Application.objects.filter(organisation__memberships__user__email=BENCH_LEAD).order_by("-pk").first()
    # The bench school's latest closed round (BENCH_SURVEY_ANSWERS answers), if surveys were built.
    survey_round = (
        Round.objects.filter(organisation_id=1, response_count=BENCH_SURVEY_ANSWERS).order_by("-opens_on").first()
    )
    certificate = IssuedCertificate.objects.filter(kind="award", revoked_at__isnull=True).order_by("-pk").first()
    organisations = Organisation.objects.count()
    return {
        "course_slug": "emotion-coaching",
        "lead_slug": Organisation.objects.get(pk=1).slug,
        "application_url": application.get_absolute_url(),
        "certificate_code": certificate.code,
        "deep_page": max(1, organisations // 25 // 2),
        "name_search": "oakfield",
        "evidence_search": "policy",
        "audit_search": "oakfield",
        "audit_search_common": "academy",  # ~2,300 events at 10 %, ~23,500 at 100 %
        "audit_email_exact": Organisation.objects.get(pk=1).memberships.get(role="lead").user.email,
        "audit_action": "auth.login",
        "survey_token": BENCH_SURVEY_TOKEN,
        "survey_round_url": survey_round.get_absolute_url() if survey_round else "/surveys/(not-built)/",
    }


def bench_mixes() -> dict[str, list[str]]:
    """Public traffic that does not repeat (issue 22), each a list of paths wrk takes in
    turn: MIX_SIZE different valid certificates; register and award-holder pages at random,
    searches for random names and postcodes' starts, and filters by area and kind."""
    from urllib.parse import urlencode

    from accreditation.models import Award
    from charter.models import Pledge
    from ppp.certificates.models import IssuedCertificate

    rng = random.Random(22)
    codes = list(
        IssuedCertificate.objects.filter(revoked_at__isnull=True, kind__in=["award", "pledge"])
        .order_by("?")
        .values_list("code", flat=True)[:MIX_SIZE]
    )
    verify = [f"/verify/{code}/" for code in codes]
    kinds = [k for k, *_ in KINDS]

    def listing(base: str, rows: int) -> list[str]:
        pages = max(1, rows // 25)
        paths = []
        for _ in range(MIX_SIZE):
            pick = rng.random()
            if pick < 0.4:
                query = {"page": rng.randint(1, pages)}
            elif pick < 0.8:
                word = rng.choice(PREFIXES).lower() + (rng.choice(SUFFIXES) if rng.random() < 0.5 else "")
                query = {"q": word}
            elif pick < 0.9:
                query = {"area": rng.choice(AREAS)}
            else:
                query = {"kind": rng.choice(kinds), "page": rng.randint(1, 3)}
            paths.append(f"{base}?{urlencode(query)}")
        return paths

    register_rows = Pledge.objects.filter(status="approved").count()
    holders = Award.objects.count()
    return {
        "verify": verify,
        "register": listing("/charter/register/", register_rows),
        "award-holders": listing("/award-holders/", holders),
    }
