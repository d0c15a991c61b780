"""Calendar files (iCalendar, the `icalendar` package) for sessions: the public feed of
upcoming sessions and the invitation attached to a booking confirmation."""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from ppp.links import absolute_url

from .models import CourseSession

PRODID = "-//Leicester City Council//Positive and Peaceful Places training//EN"


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "SEND Support training – Leicester City Council")
    if method:
        calendar.add("method", method)
    return calendar


def _event(session: CourseSession, *, with_link: bool = False, cancelled: bool = False) -> Event:
    event = Event()
    event.add("uid", f"training-session-{session.public_id}@ppp")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"{session.course.title} (SEND Support training)")
    location = (
        "Online"
        if session.mode == CourseSession.Mode.ONLINE
        else ", ".join(part for part in [session.venue, " ".join(session.venue_address.split())] if part)
    )
    if location:
        event.add("location", location)
    url = absolute_url(session)
    description = [session.course.summary, "", f"Details: {url}"]
    if with_link and session.joining_link:
        description.append(f"Joining link: {session.joining_link}")
    if session.trainer:
        description.append(f"Trainer: {session.trainer}")
    event.add("description", "\n".join(description))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    return event


def sessions_feed(sessions) -> bytes:
    """The public feed: every upcoming session, without joining links."""
    calendar = _calendar()
    for session in sessions:
        calendar.add_component(_event(session))
    return calendar.to_ical()


def session_invitation(session: CourseSession, *, with_link: bool, cancelled: bool = False) -> dict:
    """An `.ics` attachment for an email (text, as `ppp.mail` expects)."""
    calendar = _calendar("CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(_event(session, with_link=with_link, cancelled=cancelled))
    return {
        "filename": "session.ics",
        "content": calendar.to_ical().decode(),
        "mimetype": "text/calendar",
    }


def local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)
