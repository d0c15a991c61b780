"""The charter's daily reminders, collected by `manage.py send_reminders`.

- an approved pledge's annual review: when it opens (CHARTER_REVIEW_WINDOW_DAYS before it is
  due), 30 days before, and on the day
  (only the latest stage reached is sent, so catching up after a gap sends one email);
- a review overdue by more than CHARTER_LAPSE_AFTER_DAYS days: the pledge lapses (once,
  through `pledge_lapse`) and the organisation is told how to renew.
"""

import contextlib
import datetime
from collections.abc import Iterable

from django.conf import settings

from ppp.accounts.models import Membership
from ppp.discovery import reminder_sources
from ppp.links import absolute_url
from ppp.mail import render_text
from ppp.notifications.services import Reminder

from .models import Pledge
from .services import CharterError, pledge_lapse


def stages() -> tuple[int, ...]:
    """Days before the due date when the lead is reminded: when the review opens
    (CHARTER_REVIEW_WINDOW_DAYS), 30 days before, and on the day."""
    return tuple(sorted({0, 30, settings.CHARTER_REVIEW_WINDOW_DAYS}))


def _emails(pledge: Pledge, leads: dict[int, list[str]]) -> list[str]:
    return sorted({pledge.signatory_email, *leads.get(pledge.organisation_id, [])} - {""})


def _lapse(pledge: Pledge, today: datetime.date):
    def run():
        with contextlib.suppress(CharterError):  # reviewed or withdrawn meanwhile: nothing to lapse
            pledge_lapse(pledge=pledge, today=today)

    return run


@reminder_sources.register
def collect(today: datetime.date) -> Iterable[Reminder]:
    grace = datetime.timedelta(days=settings.CHARTER_LAPSE_AFTER_DAYS)
    pledges = list(
        Pledge.objects.filter(
            status=Pledge.Status.APPROVED, review_due_on__lte=today + datetime.timedelta(days=max(stages()))
        ).select_related("organisation")
    )
    leads: dict[int, list[str]] = {}
    for organisation_id, email in (
        Membership.objects.leads()
        .filter(organisation_id__in=[p.organisation_id for p in pledges])
        .values_list("organisation_id", "user__email")
    ):
        leads.setdefault(organisation_id, []).append(email)
    for pledge in pledges:
        due = pledge.review_due_on
        to = _emails(pledge, leads)
        url = absolute_url(pledge)
        if today > due + grace:
            yield Reminder(
                key=f"charter:lapse:{pledge.pk}:{due.isoformat()}",
                to=to,
                subject="Your Anti-Bullying Charter pledge has lapsed",
                body=render_text("charter/email/lapsed.txt", {"pledge": pledge, "url": url}),
                on_send=_lapse(pledge, today),
            )
            continue
        days_left = (due - today).days
        stage = next((s for s in stages() if days_left <= s), None)
        if stage is None:
            continue
        yield Reminder(
            key=f"charter:review:{pledge.pk}:{due.isoformat()}:{stage}",
            to=to,
            subject=(
                f"Your Anti-Bullying Charter review is overdue (it was due on {due:%-d %B %Y})"
                if days_left < 0
                else "Your Anti-Bullying Charter review is due today"
                if days_left == 0
                else f"Your Anti-Bullying Charter review is due in {days_left} days"
            ),
            body=render_text(
                "charter/email/review_due.txt",
                {"pledge": pledge, "url": url, "days_left": days_left, "lapse_on": due + grace},
            ),
        )
