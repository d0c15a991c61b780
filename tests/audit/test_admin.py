"""The audit trail's admin at a million rows: filters and searches that use indexes,
counts that stop at 10,000, and a query count that does not grow with events."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ppp.audit.admin import AuditEventAdmin
from ppp.audit.models import AuditEvent
from ppp.audit.services import audit_record
from ppp.pagination import AdminCappedPaginator
from tests.factories import TOTP_SECRET, UserFactory

URL = reverse("admin:audit_auditevent_changelist")


@pytest.fixture
def superuser(db):
    user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(user, TOTP_SECRET)
    return user


def _event(action, *, actor=None, target=None, ip=None, **detail):
    event = audit_record(action, actor=actor or AnonymousUser(), target=target, **detail)
    if ip:
        AuditEvent.objects.filter(pk=event.pk).update(ip=ip)
    return event


def _shown(client, **query) -> str:
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def test_there_is_no_date_hierarchy_and_the_action_filter_lists_the_actions(client, superuser):
    assert AuditEventAdmin.date_hierarchy is None
    assert AuditEventAdmin.show_facets == admin.ShowFacets.NEVER
    _event("pledge.approved")
    _event("auth.login", actor=superuser, target=superuser)
    client.force_login(superuser)
    body = _shown(client)
    assert "?action=pledge.approved" in body and "?action=auth.login" in body
    rows = _shown(client, action="auth.login").split("<tbody>")[1].split("</tbody>")[0]
    assert "auth.login" in rows and "pledge.approved" not in rows


def test_search_finds_an_email_an_address_an_action_or_target_text_exactly(client, superuser, alice, school_a):
    _event("organisation.viewed", actor=alice, target=school_a)
    _event("auth.login_failed", username="alice@a.example")
    _event("auth.login_failed", username="mallory@evil.example", ip="203.0.113.7")
    _event("charter.register_export", actor=superuser)
    client.force_login(superuser)

    def rows(q):
        return AuditEvent.objects.filter(
            pk__in=[int(pk) for pk in re.findall(r"auditevent/(\d+)/change/", _shown(client, q=q))]
        )

    assert set(rows("Alice@A.example").values_list("action", flat=True)) == {"organisation.viewed", "auth.login_failed"}
    assert list(rows("203.0.113.7").values_list("detail__username", flat=True)) == ["mallory@evil.example"]
    assert list(rows("charter.register_export").values_list("action", flat=True)) == ["charter.register_export"]
    assert list(rows("school a").values_list("action", flat=True)) == ["organisation.viewed"]
    assert not rows("nobody@nowhere.example").exists()


def test_the_count_stops_at_the_cap(client, superuser, monkeypatch):
    monkeypatch.setattr(AdminCappedPaginator, "cap", 3)
    for _ in range(5):
        _event("auth.login")
    client.force_login(superuser)
    assert "More than 3 audit events" in _shown(client)


def test_the_changelist_query_count_does_not_grow_with_events(client, superuser, alice, school_a):
    client.force_login(superuser)
    _event("organisation.viewed", actor=alice, target=school_a)
    counts = []
    for n in (1, 60):
        while AuditEvent.objects.count() < n:
            _event(f"thing.number_{AuditEvent.objects.count() % 7}", actor=alice, target=school_a, ip="192.0.2.1")
        for query in ({}, {"q": "school"}, {"q": "alice@a.example"}, {"action": "thing.number_1"}):
            with CaptureQueriesContext(connection) as captured:
                _shown(client, **query)
            counts.append((n, tuple(query.items()), len(captured)))
    few = {q: c for n, q, c in counts if n == 1}
    many = {q: c for n, q, c in counts if n == 60}
    assert few == many, counts
