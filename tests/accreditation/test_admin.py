import pytest
from django.urls import reverse

from accreditation.models import Application, Criterion, Scheme
from tests.accreditation import factories as f


def test_officers_open_every_award_admin_page(client, officer, alice, school_a):
    f.accredited(school_a, alice, officer)
    client.force_login(officer)
    for model in (
        "scheme",
        "standard",
        "criterion",
        "application",
        "visit",
        "evidence",
        "actionitem",
        "award",
        "legacyaward",
    ):
        assert client.get(reverse(f"admin:accreditation_{model}_changelist")).status_code == 200, model


def test_a_published_criterion_keeps_its_statement(client, officer, db):
    criterion = Criterion.objects.first()
    client.force_login(officer)
    page = client.get(reverse("admin:accreditation_criterion_change", args=[criterion.pk])).content.decode()
    assert 'name="statement"' not in page
    assert 'name="guidance"' in page


def test_officers_make_a_new_version_and_publish_it(client, officer, alice, school_a):
    from accreditation import services

    old = Scheme.current()
    application = f.apply(school_a, alice)
    client.force_login(officer)
    url = reverse("admin:accreditation_scheme_changelist")
    client.post(url, {"action": "new_version", "_selected_action": [old.pk]})
    draft = Scheme.objects.get(version=2)
    assert draft.status == Scheme.Status.DRAFT
    assert (
        Criterion.objects.filter(standard__scheme=draft).count()
        == Criterion.objects.filter(standard__scheme=old).count()
    )
    client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    assert Scheme.current() == Scheme.objects.get(version=2)
    assert Scheme.objects.get(pk=old.pk).status == Scheme.Status.RETIRED
    assert Application.objects.get(pk=application.pk).scheme == old  # the school carries on
    with pytest.raises(services.WorkflowError, match="already published"):
        services.scheme_publish(scheme=draft, by=officer)


def test_a_published_schemes_standards_and_criteria_cannot_be_changed_inline(client, officer, db):
    scheme = Scheme.current()
    standard = scheme.standards.first()
    client.force_login(officer)
    page = client.get(reverse("admin:accreditation_standard_change", args=[standard.pk])).content.decode()
    assert 'name="criteria-0-statement"' not in page
    page = client.get(reverse("admin:accreditation_scheme_change", args=[scheme.pk])).content.decode()
    assert 'name="standards-0-title"' not in page


@pytest.mark.parametrize("id_list_max", [2000, 0])  # the schools' applications as a list, or as a subquery
def test_officers_search_evidence_by_title_or_school(client, officer, alice, school_a, settings, id_list_max):
    from accreditation.admin import EvidenceAdmin

    application = f.evidencing(school_a, alice, officer)
    f.statement(application, alice, title="Anti-bullying policy")
    f.statement(application, alice, title="Assembly plan")
    client.force_login(officer)
    url = reverse("admin:accreditation_evidence_changelist")
    original, EvidenceAdmin.SEARCH_ID_LIST_MAX = EvidenceAdmin.SEARCH_ID_LIST_MAX, id_list_max
    try:
        by_title = client.get(url, {"q": "POLICY"}).content.decode()
        by_school = client.get(url, {"q": school_a.name[:8].lower()}).content.decode()
        nothing = client.get(url, {"q": "no such thing"}).content.decode()
    finally:
        EvidenceAdmin.SEARCH_ID_LIST_MAX = original
    assert "Anti-bullying policy" in by_title and "Assembly plan" not in by_title
    assert "Anti-bullying policy" in by_school and "Assembly plan" in by_school
    assert "Anti-bullying policy" not in nothing and "0 evidence" in nothing
