"""A backup restored as docs/operations/backup-and-restore.md says (issue 20): the database
with pg_dump and pg_restore into a new database, the uploaded files copied, and the keys
kept apart and given back. `check_encrypted_data` passes and the restored service reads
an incident, a pupil's reference, a two-factor secret and an evidence file; with the wrong
keys, or without the files, it says which and exits 1, before anything is served."""

import os
import shutil
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.db import connection

from accreditation.models import Evidence
from tests.accreditation import factories as award
from tests.incidents.factories import grant, involve, record
from tests.platform.worker_helpers import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _postgres(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # noqa: S603


def _manage(env, *args):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def restored_database():
    source = database_url()
    name = f"{connection.settings_dict['NAME']}_restored"
    server = source.rsplit("/", 1)[0]
    _postgres("psql", f"{server}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres("psql", f"{server}/postgres", "-qc", f'CREATE DATABASE "{name}"')
    yield source, f"{server}/{name}"
    _postgres("psql", f"{server}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_and_the_restored_service_reads_its_data(
    settings, tmp_path, restored_database, school_a, alice, officer
):
    source, target = restored_database
    settings.MEDIA_ROOT = tmp_path / "media"
    reviewer = grant(school_a, record=True, review=True)
    incident = record(school_a, reviewer, description="Called names on the bus, every day this week.")
    involve(incident, reviewer, reference="Pupil ZX-41")
    application = award.evidencing(school_a, alice, officer)
    evidence = Evidence.objects.create(
        application=application, title="Policy", kind=Evidence.Kind.FILE, original_filename="p.pdf", created_by=alice
    )
    evidence.file.save("policy.pdf", ContentFile(b"%PDF-1.4 the school's policy"), save=True)

    # The backup: the database, the uploaded files; the keys are kept elsewhere (here: settings).
    dump = tmp_path / "ppp.dump"
    _postgres("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source)
    shutil.copytree(settings.MEDIA_ROOT, tmp_path / "backup-media")

    # The restore, onto a new database and a new media folder.
    _postgres("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump))
    restored_media = tmp_path / "restored-media"
    shutil.copytree(tmp_path / "backup-media", restored_media)
    env = {
        **os.environ,
        "DATABASE_URL": target,
        "MEDIA_ROOT": str(restored_media),
        "DEBUG": "true",
        "PPP_TESTING": "false",
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_INDEX_KEY": settings.FIELD_INDEX_KEY,
    }
    checked = _manage(env, "check_encrypted_data", "--all")
    assert checked.returncode == 0, checked.stderr
    assert "Encrypted data readable" in checked.stdout

    reads = _manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from incidents.models import Incident, Involvement; from accreditation.models import Evidence; "
        "from allauth.mfa.models import Authenticator; from ppp import crypto; "
        "print(Incident.objects.get().description); print(Involvement.objects.get().pupil_reference); "
        "print(Evidence.objects.get().file.open().read().decode()); "
        "print(len(crypto.decrypt(Authenticator.objects.filter(type='totp').first().data['secret'])))",
    )
    assert reads.returncode == 0, reads.stderr
    lines = reads.stdout.splitlines()
    assert lines[:3] == ["Called names on the bus, every day this week.", "Pupil ZX-41", "%PDF-1.4 the school's policy"]
    assert int(lines[3]) > 0

    wrong_key = _manage({**env, "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode()}, "check_encrypted_data")
    assert wrong_key.returncode == 1
    assert "cannot be decrypted: FIELD_ENCRYPTION_KEYS" in wrong_key.stderr
    assert "two-factor secrets cannot be decrypted" in wrong_key.stderr

    wrong_index = _manage({**env, "FIELD_INDEX_KEY": "not-the-index-key"}, "check_encrypted_data")
    assert wrong_index.returncode == 1 and "FIELD_INDEX_KEY" in wrong_index.stderr

    shutil.rmtree(restored_media)
    restored_media.mkdir()
    no_files = _manage(env, "check_encrypted_data")
    assert no_files.returncode == 1 and "not in storage" in no_files.stderr
