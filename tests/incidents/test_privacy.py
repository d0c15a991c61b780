"""Encryption at rest: a database dump alone shows no child's story; keys rotate."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from incidents import services
from incidents.models import Incident, Involvement
from ppp.crypto import DecryptionError
from tests.incidents.factories import involve, pupil_report, record, triage

SECRETS = [
    "Kacper said my hijab was stupid",
    "UPN-998877",
    "Spoke to Kacper's mum",
    "Bullying has stopped, both agree",
    "hid my trainers in the toilets",
    "Zofia Nowak, 6R",
    "It happened again behind the sports hall",
    "Follow-up call with the family",
    "Reply: we will meet you at nine",
]


def _dump() -> str:
    """Every row of every table, as text, as a database dump would have it."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts)


def test_a_database_dump_shows_no_childs_story(school_a, alice, rita):
    incident = record(school_a, alice, description=SECRETS[0], immediate_action=SECRETS[2], categories=["religion"])
    involve(incident, alice, SECRETS[1])
    services.incident_resolve(incident=incident, by=alice, outcome=SECRETS[3])
    services.incident_reopen(incident=incident, by=alice, reason=SECRETS[6])
    services.note_add(incident=incident, by=alice, body=SECRETS[7])
    changed = services.IncidentDetails.of(Incident.objects.get(pk=incident.pk))
    changed.description = "Changed wording"
    services.incident_update(incident=incident, by=alice, details=changed)
    report, code = pupil_report(school_a, alice, text=SECRETS[4], name="Zofia Nowak", class_name="6R")
    triage(report, rita)
    services.pupil_reply(incident=report, by=rita, body=SECRETS[8])
    services.pupil_message_add(incident=report, body=SECRETS[6])
    dump = _dump()
    for secret in SECRETS:
        assert secret not in dump, secret
    assert code not in dump
    # …while the application reads them back.
    assert Incident.objects.get(pk=incident.pk).immediate_action == SECRETS[2]
    assert Involvement.objects.get().pupil_reference == SECRETS[1]


def test_the_raw_columns_hold_fernet_tokens(school_a, alice):
    incident = record(school_a, alice, description="AB hit CD")
    with connection.cursor() as cursor:
        cursor.execute("SELECT description, immediate_action FROM incidents_incident WHERE id = %s", [incident.pk])
        description, action = cursor.fetchone()
    assert description.startswith("gAAAAA") and action.startswith("gAAAAA")
    assert "AB hit CD" not in description


def test_rotating_the_key_old_records_still_read_new_ones_use_the_new_key(settings, school_a, alice):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    before = record(school_a, alice, description="Written under the old key")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]  # the new key first: it encrypts; both decrypt
    assert Incident.objects.get(pk=before.pk).description == "Written under the old key"
    after = record(school_a, alice, description="Written under the new key")
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM incidents_incident WHERE id = %s", [after.pk])
        raw_new = cursor.fetchone()[0]
        cursor.execute("SELECT description FROM incidents_incident WHERE id = %s", [before.pk])
        raw_old = cursor.fetchone()[0]
    assert Fernet(new_key.encode()).decrypt(raw_new.encode()) == b"Written under the new key"
    assert Fernet(old_key.encode()).decrypt(raw_old.encode()) == b"Written under the old key"
    # Once the old key is dropped (after rotate_encryption_keys), an old value no longer reads
    # as text: it is refused, never shown as a token.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Incident.objects.get(pk=after.pk).description == "Written under the new key"
    with pytest.raises(DecryptionError):
        Incident.objects.get(pk=before.pk)


def test_pupil_references_are_found_by_their_keyed_hash_only(school_a, alice, settings):
    incident = record(school_a, alice)
    involve(incident, alice, "AB-12")
    assert Involvement.objects.filter(pupil_index=services.blind_index("ab-12")).exists()
    settings.FIELD_INDEX_KEY = "another-index-key"
    assert not Involvement.objects.filter(pupil_index=services.blind_index("ab-12")).exists()


def test_a_new_field_index_key_is_taken_on_by_reindexing(school_a, alice, settings):
    """Issue 19 §5: FIELD_INDEX_KEY can be changed: `reindex_blind_indexes` makes every
    pupil reference's keyed hash again, so a pupil's earlier records are found again."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from ppp.audit.models import AuditEvent

    first, second = record(school_a, alice), record(school_a, alice)
    involve(first, alice, "AB-12")
    involve(second, alice, "ab-12")
    involve(second, alice, "CD-34")
    settings.FIELD_INDEX_KEY = "a-new-index-key-after-a-leak"
    assert not Involvement.objects.filter(pupil_index=services.blind_index("AB-12")).exists()
    with pytest.raises(CommandError, match="FIELD_INDEX_KEY"):
        call_command("check_encrypted_data", stdout=io.StringIO())

    out = io.StringIO()
    call_command("reindex_blind_indexes", stdout=out)
    assert "Re-indexed 3 value(s)" in out.getvalue()
    assert Involvement.objects.filter(pupil_index=services.blind_index("AB-12")).count() == 2
    call_command("check_encrypted_data", stdout=io.StringIO())  # matches again
    assert AuditEvent.objects.filter(action="crypto.reindex").get().detail["rows"] == 3
    again = io.StringIO()
    call_command("reindex_blind_indexes", stdout=again)
    assert "Re-indexed 0 value(s)" in again.getvalue()


def test_a_pupil_look_up_is_in_each_shown_records_own_access_list(client, school_a, alice):
    """Issue 19 §5: one audit event per record a pupil's history or search shows."""
    from django.urls import reverse

    from ppp.audit.models import AuditEvent

    first, second, other = record(school_a, alice), record(school_a, alice), record(school_a, alice)
    person = involve(first, alice, "AB-12")
    involve(second, alice, "AB-12")
    involve(other, alice, "ZZ-99")
    client.force_login(alice)
    assert client.get(reverse("incidents:pupil-history", kwargs={"pk": person.public_id})).status_code == 200
    assert client.post(reverse("incidents:pupil-search"), {"pupil_reference": "ab-12"}).status_code == 200
    for incident in (first, second):
        events = AuditEvent.objects.filter(target_id=str(incident.pk), actor=alice)
        assert events.filter(action="incident.pupil_history").count() == 1
        assert events.filter(action="incident.pupil_search").count() == 1
        page = client.get(incident.get_absolute_url()).content.decode()
        assert "Saw it in a pupil&#x27;s history" in page and "Saw it in a pupil search" in page
    assert not AuditEvent.objects.filter(target_id=str(other.pk), action__startswith="incident.pupil").exists()
