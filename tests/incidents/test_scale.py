"""Incidents whatever the history: the records export streams, and a school's termly
report reads in the same number of queries however many records it has."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from incidents.terms import Term
from incidents.views import exports as export_views
from ppp.audit.models import AuditEvent
from tests.incidents.factories import involve, record

pytestmark = pytest.mark.django_db


def _history(school, by, terms: int, per_term: int = 2):
    """Records spread over `terms` past terms, each with a person involved."""
    term = Term.of(timezone.localdate())
    for _ in range(terms):
        term = term.previous()
        for n in range(per_term):
            when = timezone.make_aware(datetime.datetime.combine(term.start, datetime.time(11))) + datetime.timedelta(
                days=n + 3
            )
            incident = record(school, by, occurred_at=when)
            involve(incident, by, f"P{n}", year_group="4")
            Incident.objects.filter(pk=incident.pk).update(reported_at=when)


def test_the_export_streams_every_record_in_chunks(client, school_a, alice, monkeypatch, django_assert_max_num_queries):
    """Records are read a chunk at a time (one query each for their people), and who read
    which record is written in one INSERT ... SELECT, whatever their number."""
    monkeypatch.setattr(export_views, "EXPORT_CHUNK", 3)
    _history(school_a, alice, terms=1, per_term=2)
    client.force_login(alice)
    url = reverse("incidents:export")
    with django_assert_max_num_queries(40) as few:
        response = client.get(url)
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.streaming and response["Content-Disposition"].startswith("attachment")
    assert len(body.splitlines()) == 3 and "P0 (Target" in body
    _history(school_a, alice, terms=2, per_term=4)  # 10 records: 4 chunks of 3 instead of 1
    before = AuditEvent.objects.filter(action="incident.export").count()
    with django_assert_max_num_queries(len(few.captured_queries) + 3) as many:  # 3 more chunks: their people
        body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    assert len(body.splitlines()) == 11
    people = [q for q in many.captured_queries if 'FROM "incidents_involvement"' in q["sql"]]
    assert len(people) == 4
    audit = [q for q in many.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(audit) == 2 and "SELECT" in audit[0]["sql"]  # every record's event, then the export's
    events = AuditEvent.objects.filter(action="incident.export").order_by("target_id")
    assert events.count() - before == 10
    exported = Incident.objects.filter(organisation=school_a).order_by("pk").first()
    event = events.filter(target_id=str(exported.pk)).order_by("-id").first()  # exported twice
    assert (event.actor, event.organisation, event.target, event.target_repr, event.detail) == (
        alice,
        school_a,
        exported,
        f"Incident {exported.reference}",
        {"format": "csv"},
    )


def test_the_termly_report_reads_in_constant_queries_whatever_the_history(
    client, school_a, alice, django_assert_max_num_queries
):
    _history(school_a, alice, terms=1)
    record(school_a, alice)
    client.force_login(alice)
    url = reverse("incidents:report")
    with django_assert_max_num_queries(40) as one:
        assert client.get(url).status_code == 200
    _history(school_a, alice, terms=6, per_term=3)
    for _ in range(5):
        involve(record(school_a, alice), alice, "AB")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200
    last_year = Term.of(timezone.localdate()).last_year()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url, {"term": last_year.slug}).status_code == 200
