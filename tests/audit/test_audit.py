from ppp.audit.models import AuditEvent
from ppp.audit.services import audit_record


def test_audit_record_keeps_actor_target_organisation_and_ip(rf, alice, school_a):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    event = audit_record("organisation.viewed", actor=alice, target=school_a, request=request, reason="test")
    event.refresh_from_db()
    assert (event.actor, event.organisation, event.ip) == (alice, school_a, "203.0.113.9")
    assert event.target == school_a
    assert event.detail == {"reason": "test"}


def test_anonymous_actor_is_stored_as_nobody(db):
    from django.contrib.auth.models import AnonymousUser

    assert audit_record("thing", actor=AnonymousUser()).actor is None


def test_sign_in_and_out_are_recorded(client, alice):
    client.force_login(alice)
    client.post("/accounts/logout/")
    assert list(AuditEvent.objects.filter(actor=alice).values_list("action", flat=True).order_by("id")) == [
        "auth.login",
        "auth.logout",
    ]


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(rf, settings):
    from ppp.audit.services import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the left entry was written by the client: ignored
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")) is None
