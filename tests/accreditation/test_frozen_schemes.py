"""A published scheme is what schools work under: nobody changes its rules, standards or
criteria — not in the admin, not in code — so one officer cannot switch ratification off,
award alone and switch it back on. Changes go into a new version."""

import pytest
from django.urls import reverse

from accreditation import services
from accreditation.models import Award, Criterion, FrozenSchemeError, Scheme, Standard
from tests.accreditation import factories as f
from tests.factories import make_officer


def _scheme_form(scheme, **changes):
    data = {
        "name": scheme.name,
        "version": scheme.version,
        "description": scheme.description,
        "validity_months": scheme.validity_months,
        "levels": scheme.levels,
        "standards-TOTAL_FORMS": "0",
        "standards-INITIAL_FORMS": "0",
    }
    if scheme.requires_ratification:
        data["requires_ratification"] = "on"
    data.update(changes)
    return data


def test_the_admin_cannot_switch_ratification_or_the_pledge_rule_on_a_published_scheme(client, officer, db):
    scheme = Scheme.current()
    client.force_login(officer)
    url = reverse("admin:accreditation_scheme_change", args=[scheme.pk])
    page = client.get(url).content.decode()
    for field in ("requires_ratification", "requires_pledge", "validity_months", "levels"):
        assert f'name="{field}"' not in page
    client.post(url, _scheme_form(scheme, requires_ratification="on", requires_pledge="on", validity_months=1))
    scheme.refresh_from_db()
    assert (scheme.requires_ratification, scheme.requires_pledge, scheme.validity_months) == (False, False, 36)


def test_the_description_of_a_published_scheme_can_still_be_improved(client, officer, db):
    scheme = Scheme.current()
    client.force_login(officer)
    url = reverse("admin:accreditation_scheme_change", args=[scheme.pk])
    client.post(url, _scheme_form(scheme, description="Clearer words."))
    scheme.refresh_from_db()
    assert scheme.description == "Clearer words."


def test_the_admin_cannot_add_a_standard_or_a_criterion_to_a_published_scheme(client, officer, db):
    scheme = Scheme.current()
    standard = scheme.standards.first()
    client.force_login(officer)
    response = client.post(
        reverse("admin:accreditation_standard_add"),
        {
            "scheme": scheme.pk,
            "number": 9,
            "title": "Extra",
            "description": "",
            "criteria-TOTAL_FORMS": "0",
            "criteria-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        reverse("admin:accreditation_criterion_add"),
        {
            "standard": standard.pk,
            "code": "9.9",
            "order": 9,
            "statement": "Extra",
            "guidance": "",
            "evidence_examples": "",
            "evidence_required": "on",
        },
    )
    assert response.status_code == 200
    assert not Standard.objects.filter(number=9).exists()
    assert not Criterion.objects.filter(code="9.9").exists()


def test_the_models_refuse_changes_to_a_published_scheme_whoever_saves(db):
    scheme = Scheme.current()
    scheme.requires_ratification = True
    with pytest.raises(FrozenSchemeError, match="Make a new version"):
        scheme.save()
    standard = scheme.standards.first()
    with pytest.raises(FrozenSchemeError):
        Standard.objects.create(scheme=scheme, number=9, title="Extra")
    with pytest.raises(FrozenSchemeError):
        Criterion.objects.create(standard=standard, code="9.9", statement="Extra")
    criterion = standard.criteria.first()
    criterion.statement = "Something else"
    with pytest.raises(FrozenSchemeError):
        criterion.save()
    with pytest.raises(FrozenSchemeError):
        standard.criteria.last().delete()
    fresh = Criterion.objects.get(pk=criterion.pk)
    fresh.guidance = "Better guidance."  # guidance is help, not a rule
    fresh.save()


def test_a_draft_is_edited_freely_until_it_is_published(officer, db):
    draft = services.scheme_new_version(scheme=Scheme.current(), by=officer)
    draft.requires_ratification = True
    draft.save()
    standard = Standard.objects.create(scheme=draft, number=9, title="Extra")
    Criterion.objects.create(standard=standard, code="9.1", statement="Extra")
    services.scheme_publish(scheme=draft, by=officer)
    draft.refresh_from_db()
    draft.requires_ratification = False
    with pytest.raises(FrozenSchemeError):
        draft.save()


def test_an_application_keeps_the_rules_it_started_under(alice, school_a, officer, db):
    """Ratification was required when the school applied; a new version without it does
    not change that for them."""
    strict = services.scheme_new_version(scheme=Scheme.current(), by=officer)
    strict.requires_ratification = True
    strict.save()
    services.scheme_publish(scheme=strict, by=officer)
    application = f.assessment(school_a, alice, officer)
    assert application.scheme == strict
    relaxed = services.scheme_new_version(scheme=strict, by=officer)
    relaxed.requires_ratification = False
    relaxed.save()
    services.scheme_publish(scheme=relaxed, by=officer)
    award = services.application_award(application=application, by=officer)
    assert award.status == Award.Status.AWAITING_RATIFICATION
    with pytest.raises(services.WorkflowError, match="second officer"):
        services.award_ratify(award=award, by=officer)
    services.award_ratify(award=award, by=make_officer("second@example.org"))
    assert Award.objects.get(pk=award.pk).status == Award.Status.ISSUED
