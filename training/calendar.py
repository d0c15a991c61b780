"""Calendar files (iCalendar, the `icalendar` package) for sessions: the public feed of
upcoming sessions and the invitation attached to a booking confirmation."""

import datetime
from collections.abc import Iterator
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

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


def sequence(session: CourseSession, *, cancelled: bool = False) -> int:
    """The event's version (iCalendar SEQUENCE): one more for each change of its details,
    and one more again for its cancellation, so a calendar program always takes the
    latest version it is sent as newer than any before."""
    from .models import SessionEvent

    changes = session.events.filter(action=SessionEvent.Action.CHANGED).count()
    return changes + (1 if cancelled else 0)


def _organizer() -> vCalAddress:
    """The council's training team, who sends every invitation and cancellation."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or "Positive and Peaceful Places")
    return organizer


def _event(session: CourseSession, *, with_link: bool = False, cancelled: bool = False, attendee: str = "") -> Event:
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
    return event


FEED_CHUNK = 200  # sessions read from the database, and sent, at a time


def sessions_feed(sessions) -> Iterator[bytes]:
    """The public feed, streamed: every session of `sessions` (a QuerySet, read in chunks),
    without joining links. The calendar's own lines, then each event, then its end."""
    end = b"END:VCALENDAR\r\n"
    whole = _calendar().to_ical()
    yield whole[: -len(end)]
    events = []
    for session in sessions.iterator(chunk_size=FEED_CHUNK):
        events.append(_event(session).to_ical())
        if len(events) >= FEED_CHUNK:
            yield b"".join(events)
            events = []
    yield b"".join(events) + end


def session_invitation(session: CourseSession, *, with_link: bool, cancelled: bool = False, attendee: str = "") -> dict:
    """An `.ics` attachment for an email (text, as `ppp.mail` expects): the session for the
    attendee's calendar (METHOD:PUBLISH), or its cancellation (METHOD:CANCEL, iTIP, RFC 5546:
    the same UID, the organiser, the attendee and a higher SEQUENCE, so calendar programs
    remove it). The content type carries the method too (RFC 6047)."""
    method = "CANCEL" if cancelled else "PUBLISH"
    calendar = _calendar(method)
    event = _event(session, with_link=with_link, cancelled=cancelled)
    event.add("sequence", sequence(session, cancelled=cancelled))
    event.add("organizer", _organizer())
    if attendee:
        event.add("attendee", vCalAddress(f"mailto:{attendee}"), parameters={"role": "REQ-PARTICIPANT"})
    calendar.add_component(event)
    return {
        "filename": "session.ics",
        "content": calendar.to_ical().decode(),
        "mimetype": f"text/calendar; method={method}",
    }


def local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)
