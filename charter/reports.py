"""Read-only figures for the officers' charter page and the register export."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from ppp.accounts.models import Organisation
from ppp.exports import rows_of
from ppp.pagination import first_of
from ppp.register import register_notes

from .models import Pledge, PledgeCommitment, Review


def counts_by(field: str) -> list[dict]:
    """Pledges that stand (not withdrawn, email checked), by `field` of the organisation,
    with how many are approved, awaiting approval and lapsed. One query."""
    rows = (
        Pledge.objects.current()
        .exclude(status=Pledge.Status.UNVERIFIED)
        .values(f"organisation__{field}")
        .annotate(
            total=Count("pk"),
            approved=Count("pk", filter=Q(status=Pledge.Status.APPROVED)),
            submitted=Count("pk", filter=Q(status=Pledge.Status.SUBMITTED)),
            lapsed=Count("pk", filter=Q(status=Pledge.Status.LAPSED)),
        )
        .order_by(f"organisation__{field}")
    )
    labels = dict(Organisation.Kind.choices) if field == "kind" else {}
    return [
        {**row, "label": labels.get(row[f"organisation__{field}"], row[f"organisation__{field}"]) or "Not recorded"}
        for row in rows
    ]


def register_queryset():
    """The public register with everything an entry shows, in a constant number of queries."""
    published_reviews = Review.objects.filter(consent_to_publish=True).prefetch_related("answers__commitment")
    return (
        Pledge.objects.on_register()
        .select_related("organisation")
        .prefetch_related(
            Prefetch("commitments", queryset=PledgeCommitment.objects.select_related("commitment")),
            Prefetch("reviews", queryset=published_reviews, to_attr="published_reviews"),
        )
        .order_by("organisation__name")
    )


REGISTER_LIST_COLUMNS = (
    "public_id",
    "organisation_id",
    "signed_on",
    "delivery_role",
    "children_covered",
    "leader_statement",
    "organisation__name",
    "organisation__kind",
    "organisation__local_authority",
)


def register_list():
    """The register as its list shows it: the columns each entry draws and whether it has a
    published review, in one query a page (an entry's own page reads the rest)."""
    published = Review.objects.filter(pledge=OuterRef("pk"), consent_to_publish=True)
    return (
        Pledge.objects.on_register()
        .select_related("organisation")
        .only(*REGISTER_LIST_COLUMNS)
        .annotate(has_published_review=Exists(published))
        .in_register_order()
    )


def with_register_notes(pledges):
    """Give each pledge the notes other parts of PPP add to its register entry where the
    organisation agreed ("Asked its pupils this year"; ppp.register), as `register_notes`."""
    pledges = list(pledges)
    notes = register_notes([p.organisation_id for p in pledges])
    for pledge in pledges:
        pledge.register_notes = notes.get(pledge.organisation_id, [])
    return pledges


REGISTER_CSV_HEADER = [
    "Organisation",
    "Kind",
    "URN",
    "Postcode",
    "Area",
    "Date signed",
    "Approved",
    "Delivery role",
    "Children and young people covered",
    "Staff covered",
    "Review due",
    "Charter version",
]


def register_csv_rows():
    """The public register as CSV rows, read in chunks of only the exported columns (not
    the charter's text): constant memory however long the register grows."""
    kinds, roles = dict(Organisation.Kind.choices), dict(Pledge.DeliveryRole.choices)
    rows = rows_of(
        Pledge.objects.on_register().in_register_order(),
        "organisation__name",
        "organisation__kind",
        "organisation__urn",
        "organisation__postcode",
        "organisation__local_authority",
        "signed_on",
        "approved_at",
        "delivery_role",
        "children_covered",
        "staff_covered",
        "review_due_on",
        "charter__version",
    )
    for name, kind, urn, postcode, area, signed, approved, role, children, staff, due, version in rows:
        yield [
            name,
            kinds.get(kind, kind),
            urn or "",
            postcode,
            area,
            signed.isoformat(),
            timezone.localtime(approved).date().isoformat() if approved else "",
            roles.get(role, role),
            children,
            staff,
            due.isoformat() if due else "",
            version,
        ]


# Each list on the officers' page shows this many, like the caseload's panels; the rest are
# one link away (the admin's list of pledges, filtered the same way).
LIST_SIZE = 10


def officer_lists(today: datetime.date) -> dict:
    due_soon = today + datetime.timedelta(days=settings.CHARTER_REVIEW_WINDOW_DAYS)
    base = Pledge.objects.select_related("organisation")
    return {
        "awaiting": first_of(base.awaiting_approval(), LIST_SIZE),
        "returned": first_of(
            base.filter(status=Pledge.Status.RETURNED).order_by("organisation__name", "pk"), LIST_SIZE
        ),
        "lapsed": first_of(base.filter(status=Pledge.Status.LAPSED).order_by("review_due_on", "pk"), LIST_SIZE),
        "due": first_of(
            base.filter(status=Pledge.Status.APPROVED, review_due_on__lte=due_soon).order_by("review_due_on", "pk"),
            LIST_SIZE,
        ),
        "reviews": first_of(
            Review.objects.filter(feedback_at__isnull=True)
            .select_related("pledge__organisation")
            .order_by("submitted_at", "pk"),
            LIST_SIZE,
        ),
        "due_soon": due_soon,
        "lapse_days": settings.CHARTER_LAPSE_AFTER_DAYS,
    }
