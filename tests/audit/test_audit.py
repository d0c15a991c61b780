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
