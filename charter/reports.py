"""Read-only figures for the officers' charter page and the register export."""

import csv
import datetime
import io

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from ppp.accounts.models import Organisation
from ppp.csvsafe import csv_safe

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


def register_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
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
    )
    for pledge in Pledge.objects.on_register().select_related("organisation", "charter").order_by("organisation__name"):
        organisation = pledge.organisation
        writer.writerow(
            [
                csv_safe(organisation.name),
                organisation.get_kind_display(),
                csv_safe(organisation.urn or ""),
                csv_safe(organisation.postcode),
                csv_safe(organisation.local_authority),
                pledge.signed_on.isoformat(),
                pledge.approved_at.date().isoformat() if pledge.approved_at else "",
                pledge.get_delivery_role_display(),
                pledge.children_covered,
                pledge.staff_covered,
                pledge.review_due_on.isoformat() if pledge.review_due_on else "",
                pledge.charter.version,
            ]
        )
    return out.getvalue()


def officer_lists(today: datetime.date) -> dict:
    due_soon = today + datetime.timedelta(days=settings.CHARTER_REVIEW_WINDOW_DAYS)
    base = Pledge.objects.select_related("organisation")
    return {
        "awaiting": list(base.awaiting_approval()),
        "returned": list(base.filter(status=Pledge.Status.RETURNED).order_by("organisation__name")),
        "lapsed": list(base.filter(status=Pledge.Status.LAPSED).order_by("review_due_on")),
        "due": list(base.filter(status=Pledge.Status.APPROVED, review_due_on__lte=due_soon).order_by("review_due_on")),
        "reviews": list(
            Review.objects.filter(feedback_at__isnull=True)
            .select_related("pledge__organisation")
            .order_by("submitted_at")
        ),
        "lapse_days": settings.CHARTER_LAPSE_AFTER_DAYS,
    }
