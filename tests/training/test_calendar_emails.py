"""The emails a booking sends, read as a mail program reads them (Python's email parser)
and their calendar files as a calendar program does (the icalendar parser): a
cancellation is METHOD:CANCEL, with the organiser, the attendee, the same UID and a higher
SEQUENCE than anything sent before, and the attachment's content type says its method."""

import email

import pytest
from django.core import mail
from icalendar import Calendar

from tests.mailing import emails_sent
from training import services

from .factories import book, make_session

pytestmark = pytest.mark.django_db


def _calendar_of(message) -> tuple[email.message.Message, Calendar]:
    parsed = email.message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    return parsed, part, Calendar.from_ical(part.get_payload(decode=True))


def test_a_cancelled_place_sends_an_itip_cancellation_for_the_event_it_was_sent(school_a, alice, officer):
    session = make_session(capacity=5)
    with emails_sent():
        (booking,) = book(session, school_a, alice)
    parsed, part, confirmed = _calendar_of(mail.outbox[-1])
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert part.get_param("method") == "PUBLISH" and confirmed["METHOD"] == "PUBLISH"
    (first,) = confirmed.walk("VEVENT")

    with emails_sent():
        services.session_update(session=session, by=officer, venue="Town Hall")  # its details change once
    with emails_sent():
        services.booking_cancel(booking=booking, by=alice)
    parsed, part, cancelled = _calendar_of(mail.outbox[-1])
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "CANCEL"
    assert cancelled["METHOD"] == "CANCEL"
    (event,) = cancelled.walk("VEVENT")
    assert event["UID"] == first["UID"]
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2 > int(first["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == "mailto:ppp@leicester.gov.uk"
    assert str(event["ATTENDEE"]) == f"mailto:{booking.attendee_email}"
