"""The award's daily reminders, for `manage.py send_reminders` (each key is sent once ever)."""

import datetime

from django.utils import timezone

from ppp.discovery import reminder_sources
from ppp.links import absolute_url
from ppp.mail import render_text
from ppp.notifications.services import Reminder

from . import selectors, services
from .models import ActionItem, Application, Award, Visit


def _url(obj) -> str:
    return absolute_url(obj)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


@reminder_sources.register
def collect(today: datetime.date):
    yield from _visits(today)
    yield from _actions(today)
    yield from _evidence_waiting(today)
    yield from _expiry(today)
    yield from _stale(today)


def _when(day: datetime.date, today: datetime.date) -> str:
    left = (day - today).days
    return {0: "today", 1: "tomorrow"}.get(left, f"on {day:%A %-d %B}")


# Each reminder has a stage and a window rather than an exact day, so a day the cron job
# missed is caught up the next day; the key names the stage, so it still goes only once.


def _visits(today):
    visits = Visit.objects.filter(
        status=Visit.Status.SCHEDULED,
        starts_at__date__gte=today,
        starts_at__date__lte=today + datetime.timedelta(days=7),
    ).select_related("application__organisation", "application__assigned_officer")
    for visit in visits:
        day = timezone.localtime(visit.starts_at).date()
        stage = "day-before" if (day - today).days <= 1 else "week-before"
        application = visit.application
        yield Reminder(
            key=f"visit:{visit.pk}:{visit.starts_at:%Y%m%d%H%M}:{stage}",
            to=services.lead_emails(application) + services.officer_emails(application),
            subject=f"PPP award: {visit.get_kind_display().lower()} {_when(day, today)} at {application.organisation}",
            body=render_text("accreditation/email/reminder_visit.txt", {"visit": visit, "url": _url(visit)}),
        )


def _actions(today):
    items = (
        ActionItem.objects.exclude(status=ActionItem.Status.DONE)
        .filter(application__status__in=Application.OPEN_STATUSES, due_date__lte=today + datetime.timedelta(days=7))
        .select_related("application__organisation")
    )
    for item in items:
        application = item.application
        if item.due_date >= today:
            key, subject = f"action-due:{item.pk}:{item.due_date}", f"action due {_when(item.due_date, today)}"
        else:
            key, subject = f"action-overdue:{item.pk}:{item.due_date}", "action overdue"
        yield Reminder(
            key=key,
            to=services.lead_emails(application),
            subject=f"PPP award: {subject}: {item.action[:60]}",
            body=render_text(
                "accreditation/email/reminder_action.txt",
                {"item": item, "url": absolute_url("accreditation:action-plan", pk=application.public_id)},
            ),
        )


def _evidence_waiting(today):
    for evidence in selectors.evidence_waiting_for_review():
        submitted = timezone.localtime(evidence.submitted_at).date()
        if working_days_between(submitted, today) > 10:
            application = evidence.application
            yield Reminder(
                key=f"evidence-waiting:{evidence.pk}:{evidence.submitted_at:%Y%m%d%H%M%S}",
                to=services.officer_emails(application),
                subject=f"PPP award: evidence from {application.organisation} waiting over 10 working days",
                body=render_text(
                    "accreditation/email/reminder_evidence_waiting.txt", {"evidence": evidence, "url": _url(evidence)}
                ),
            )


def _expiry(today):
    awards = Award.objects.filter(status=Award.Status.ISSUED, expires_on__lte=today + datetime.timedelta(days=90))
    awards = awards.annotate(reaccrediting=selectors.reaccreditation_under_way())
    for award in awards.select_related("application__organisation"):
        application = award.application
        left = (award.expires_on - today).days
        if left >= 0 and award.reaccrediting:
            continue  # the school is already re-accrediting: "your award expires" would only confuse
        if left >= 0:
            stage = 30 if left <= 30 else 90
            yield Reminder(
                key=f"award-expiring:{award.pk}:{stage}",
                to=services.lead_emails(application),
                subject=f"PPP award: your award expires in {left} days",
                body=render_text(
                    "accreditation/email/reminder_expiring.txt",
                    {"award": award, "url": absolute_url("accreditation:dashboard")},
                ),
            )
        else:
            yield Reminder(
                key=f"award-expired:{award.pk}",
                to=services.lead_emails(application) + services.officer_emails(application),
                subject="PPP award: your award has expired",
                body=render_text(
                    "accreditation/email/reminder_expired.txt",
                    {"award": award, "url": absolute_url("accreditation:dashboard")},
                ),
                on_send=lambda award=award: services.award_expire(award=award, today=today),
            )


def _stale(today):
    """Most schools that start such awards never finish: nudge after 30 quiet days."""
    for application in selectors.stale_applications(today).select_related("organisation", "assigned_officer"):
        quiet_since = timezone.localtime(application.last_activity_at).date()
        yield Reminder(
            key=f"stale:{application.pk}:{quiet_since}",
            to=services.lead_emails(application) + services.officer_emails(application),
            subject=f"PPP award: nothing has happened on {application.organisation}'s award for 30 days",
            body=render_text(
                "accreditation/email/reminder_stale.txt",
                {"application": application, "quiet_since": quiet_since, "url": _url(application)},
            ),
        )
