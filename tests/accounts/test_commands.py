from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from ppp.accounts.models import Membership, Organisation, User

SAMPLE = Path(__file__).parent / "data" / "gias_sample.csv"


def run(*args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


# seed_demo


def test_seed_demo_creates_the_readme_accounts_and_is_idempotent(settings, demo):
    settings.DEBUG = True
    out = demo  # what seed_demo printed, run once per session on an empty database
    assert "otpauth://totp/" in out and "secret=" in out
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    out_again, _ = run("seed_demo")
    assert (User.objects.count(), Organisation.objects.count(), Membership.objects.count()) == counts
    assert out_again.split("otpauth://")[1] == out.split("otpauth://")[1]  # same authenticator
    for email in ("officer@ppp.example", "lead.a@ppp.example", "member.a@ppp.example", "lead.b@ppp.example"):
        assert User.objects.get(email=email).check_password("Peaceful-Places-2026")
    officer = User.objects.get(email="officer@ppp.example")
    assert officer.is_officer
    assert Authenticator.objects.filter(user=officer, type="totp").exists()
    lead_a = Membership.objects.get(user__email="lead.a@ppp.example")
    member_a = Membership.objects.get(user__email="member.a@ppp.example")
    assert lead_a.role == "lead" and member_a.role == "member"
    assert lead_a.organisation == member_a.organisation
    assert Membership.objects.get(user__email="lead.b@ppp.example").organisation != lead_a.organisation
    assert Organisation.objects.filter(kind=Organisation.Kind.PARTNER_AGENCY).exists()


def test_seed_demo_refuses_without_debug(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        run("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_runs_without_debug_when_forced(demo):
    # The demo fixture (tests/conftest.py) ran `seed_demo --force` with DEBUG off, once per
    # session, on an empty database: this is what it printed and made.
    assert "Demo data ready." in demo
    assert User.objects.filter(email="officer@ppp.example").exists()


# The import_schools command


def test_import_schools_creates_then_reports_unchanged(db):
    out, err = run("import_schools", str(SAMPLE))
    assert "created 7, updated 0, unchanged 0, rejected 3" in out
    assert "line 8: rejected: URN 'ABC' is not a number" in err
    assert "line 9: rejected: EstablishmentName is empty" in err
    assert "line 10: rejected: postcode 'NOT A POSTCODE' is not a UK postcode" in err

    willowbank = Organisation.objects.get(urn="990101")
    assert willowbank.kind == Organisation.Kind.PRIMARY
    assert willowbank.website == "http://www.willowbank.example"
    assert willowbank.address == "12 Willow Road\nLeicester"
    assert Organisation.objects.get(urn="990103").kind == Organisation.Kind.SPECIAL
    assert Organisation.objects.get(urn="990104").kind == Organisation.Kind.NURSERY
    assert Organisation.objects.get(urn="990104").status == Organisation.Status.OPEN
    fernhill = Organisation.objects.get(urn="990105")
    assert (fernhill.kind, fernhill.status) == (Organisation.Kind.ALTERNATIVE_PROVISION, Organisation.Status.CLOSED)
    assert Organisation.objects.get(urn="990110").kind == Organisation.Kind.COLLEGE

    out, _ = run("import_schools", str(SAMPLE))
    assert "created 0, updated 0, unchanged 7, rejected 3" in out


def test_import_schools_updates_changed_rows_and_keeps_the_slug(db, tmp_path):
    run("import_schools", str(SAMPLE))
    slug = Organisation.objects.get(urn="990101").slug
    changed = tmp_path / "changed.csv"
    changed.write_text(SAMPLE.read_text().replace("Willowbank Primary School", "Willowbank Community Primary"))
    out, _ = run("import_schools", str(changed))
    assert "created 0, updated 1, unchanged 6" in out
    school = Organisation.objects.get(urn="990101")
    assert (school.name, school.slug) == ("Willowbank Community Primary", slug)


def test_import_schools_filters_by_local_authority(db):
    out, _ = run("import_schools", str(SAMPLE), "--la", "leicestershire")
    assert "created 1," in out
    assert list(Organisation.objects.values_list("urn", flat=True)) == ["990106"]


def test_import_schools_refuses_a_file_that_is_not_gias(db, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("name,email\nA,a@example.org\n")
    with pytest.raises(CommandError, match="missing column"):
        run("import_schools", str(other))
    assert not Organisation.objects.exists()


def test_import_schools_refuses_the_wrong_encoding_and_changes_nothing(db, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(SAMPLE.read_text().replace("Hollybrook", "Hollybröok").encode("cp1252"))
    with pytest.raises(CommandError, match="not valid utf-8"):
        run("import_schools", str(latin))
    assert not Organisation.objects.exists()
    out, _ = run("import_schools", str(latin), "--encoding", "cp1252")
    assert Organisation.objects.get(urn="990102").name == "Hollybröok Academy"


def test_import_schools_reports_a_missing_file(db):
    with pytest.raises(CommandError, match="does not exist"):
        run("import_schools", "/no/such/file.csv")


def test_import_schools_gives_clashing_names_their_own_slugs(db, tmp_path):
    rows = SAMPLE.read_text().splitlines()
    twin = rows[1].replace("990101", "990199")
    (tmp_path / "twins.csv").write_text("\n".join([rows[0], rows[1], twin]) + "\n")
    run("import_schools", str(tmp_path / "twins.csv"))
    slugs = set(Organisation.objects.values_list("slug", flat=True))
    assert slugs == {"willowbank-primary-school", "willowbank-primary-school-2"}


def test_an_import_forgets_the_pages_that_show_organisations_names(db, monkeypatch, django_capture_on_commit_callbacks):
    """bulk_create and bulk_update send no post_save: the import says once that organisations
    changed, and the register and award holders are forgotten at its commit."""
    from ppp import pagecache

    forgotten = []
    monkeypatch.setattr(pagecache, "invalidate", lambda *names: forgotten.append(set(names)))
    with django_capture_on_commit_callbacks(execute=True):
        run("import_schools", str(SAMPLE))
    assert len(forgotten) == 1 and {"award-holders", "charter", "charter-register"} <= forgotten[0]
    forgotten.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run("import_schools", str(SAMPLE))  # nothing changed: nothing forgotten
    assert forgotten == []
