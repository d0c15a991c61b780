"""The incidents' daily reminders, collected by `manage.py send_reminders`. Never what a
record says: only its reference and a link.

- a review date: on the day, and again when it is a week overdue (to the school's lead,
  its reviewers and whoever recorded the incident);
- a pupil's report still new two days after it arrived (to the lead and the reviewers),
  so no child's report sits unread.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Q

from ppp.accounts.models import Membership
from ppp.discovery import reminder_sources
from ppp.links import absolute_url
from ppp.mail import render_text
from ppp.notifications.services import Reminder

from .models import OPEN_STATUSES, Incident, ReportedBy, Status

OVERDUE_AFTER_DAYS = 7
WAITING_AFTER_DAYS = 2


def _reviewers(organisation_ids) -> dict[int, set[str]]:
    emails: dict[int, set[str]] = {}
    for organisation_id, email in (
        Membership.objects.filter(organisation_id__in=list(organisation_ids), user__is_active=True)
        .filter(Q(role=Membership.Role.LEAD) | Q(incident_role__can_review=True))
        .values_list("organisation_id", "user__email")
    ):
        emails.setdefault(organisation_id, set()).add(email)
    return emails


@reminder_sources.register
def collect(today: datetime.date) -> Iterable[Reminder]:
    due = list(
        Incident.objects.filter(
            status__in=OPEN_STATUSES, review_date__lte=today, anonymised_at__isnull=True
        ).select_related("organisation", "recorded_by")
    )
    waiting_since = today - datetime.timedelta(days=WAITING_AFTER_DAYS)
    waiting = list(
        Incident.objects.filter(
            status=Status.NEW, reported_by=ReportedBy.PUPIL, reported_at__date__lte=waiting_since
        ).select_related("organisation")
    )
    reviewers = _reviewers({i.organisation_id for i in due + waiting})
    for incident in due:
        overdue_days = (today - incident.review_date).days
        stage = "overdue" if overdue_days >= OVERDUE_AFTER_DAYS else "due" if overdue_days >= 0 else None
        if stage is None:
            continue
        to = set(reviewers.get(incident.organisation_id, set()))
        if incident.recorded_by and incident.recorded_by.is_active:
            to.add(incident.recorded_by.email)
        yield Reminder(
            key=f"incidents:review:{incident.pk}:{incident.review_date.isoformat()}:{stage}",
            to=sorted(to),
            subject=f"Incident {incident.reference}: the review is {'overdue' if stage == 'overdue' else 'due today'}",
            body=render_text(
                "incidents/email/review_due.txt",
                {"incident": incident, "overdue": stage == "overdue", "url": absolute_url(incident)},
            ),
        )
    for incident in waiting:
        yield Reminder(
            key=f"incidents:waiting:{incident.pk}",
            to=sorted(reviewers.get(incident.organisation_id, set())),
            subject=f"A pupil's report ({incident.reference}) is waiting to be opened",
            body=render_text(
                "incidents/email/report_waiting.txt", {"incident": incident, "url": absolute_url(incident)}
            ),
        )
