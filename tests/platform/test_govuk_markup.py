"""PPP's markup as GOV.UK Frontend 6.6 gives it in its own component fixtures
(node_modules/govuk-frontend/dist/govuk/components/*/fixtures.json): the classes PPP
uses exist in the installed stylesheet, forms from crispy-forms-gds come out as the
fixtures do, link-buttons are buttons, and the header and footer are v6 markup."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from accreditation import services
from ppp.fields import GOVUKDateField
from ppp.templatetags.ppp_tags import status_tag
from tests.accreditation.factories import evidencing, statement

ROOT = Path(settings.BASE_DIR)
CSS = ROOT / "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css"
SOURCES = [
    p
    for pattern in ("templates/**/*.html", "*/templates/**/*.html", "*/*.py", "ppp/**/*.py")
    for p in ROOT.glob(pattern)
    if ".venv" not in p.parts and "node_modules" not in p.parts
]


@pytest.fixture(scope="module")
def stylesheet() -> str:
    if not CSS.exists():
        pytest.fail("GOV.UK Frontend is not installed: run `make install`")
    return CSS.read_text()


def test_every_tag_colour_ppp_uses_exists_in_govuk_frontend(stylesheet):
    """`govuk-tag--blue` and `--light-blue` are gone in v6: a tag with them is grey."""
    used = {}
    for path in SOURCES:
        for colour in re.findall(r"govuk-tag--([a-z-]+)", path.read_text()):
            used.setdefault(colour, path.relative_to(ROOT))
    missing = {c: str(p) for c, p in used.items() if f".govuk-tag--{c}" not in stylesheet}
    assert not missing, f"tag colours GOV.UK Frontend 6.6 does not have: {missing}"


def test_in_progress_and_submitted_look_different():
    in_progress, submitted = status_tag("in_progress"), status_tag("submitted")
    assert in_progress == '<strong class="govuk-tag">In progress</strong>'
    assert "govuk-tag--purple" in submitted
    assert "govuk-tag--teal" in status_tag("scheduled")


def test_the_award_task_list_shows_in_progress_and_submitted_in_different_colours(client, alice, school_a, officer):
    application = evidencing(school_a, alice, officer)
    services.evidence_submit(evidence=statement(application, alice, title="Policy"), by=alice)
    client.force_login(alice)
    page = client.get(application.get_absolute_url()).content.decode()
    classes = set(re.findall(r'<strong class="(govuk-tag[^"]*)">(?:Submitted|In progress)</strong>', page))
    assert classes and all(re.fullmatch(r"govuk-tag( govuk-tag--(purple|grey|green|orange))?", c) for c in classes)


class Example(forms.Form):
    answer = forms.ChoiceField(label="Did it happen?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)
    day = GOVUKDateField(noun="the date of the visit")
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Choose"), ("a", "A")])
    topics = forms.MultipleChoiceField(
        label="Topics", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        from crispy_forms_gds.helper import FormHelper
        from crispy_forms_gds.layout import Field, Layout

        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("answer", inline=True), "day", "notes", "kind", Field.checkboxes("topics")
        )


def _render(form) -> str:
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


def test_crispy_forms_come_out_as_the_govuk_fixtures_do():
    html = _render(Example())
    assert '<div class="govuk-radios govuk-radios--inline" data-module="govuk-radios">' in html
    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html
    assert re.search(r'<fieldset class="govuk-fieldset" role="group"[^>]*>\s*<legend[^>]*>\s*Date of the visit', html)
    boxes = re.findall(r"<input[^>]*govuk-date-input__input[^>]*>", html)
    assert len(boxes) == 3 and all('inputmode="numeric"' in box for box in boxes)


def test_a_textarea_and_a_select_in_error_have_their_own_error_class():
    form = Example(data={"answer": "yes", "day_0": "1", "day_1": "2", "day_2": "2030"})
    html = _render(form)
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    select = re.search(r"<select[^>]*>", html).group(0)
    assert "govuk-textarea govuk-textarea--error" in textarea and "govuk-input--error" not in textarea
    assert "govuk-select--error" in select and "govuk-input--error" not in select


def test_a_date_box_in_error_keeps_the_input_error_class():
    html = _render(Example(data={"day_0": "1", "day_1": "", "day_2": "2030"}))
    month = re.search(r'<input[^>]*name="day_1"[^>]*>', html).group(0)
    assert "govuk-input--error" in month and 'inputmode="numeric"' in month


def test_every_link_button_is_a_button_to_assistive_technology():
    """GOV.UK's link button: `role="button"`, `draggable="false"`, the button module."""
    anchor = re.compile(r"<a\b(?:[^>{]|\{[{%#].*?[}%#]\})*>", re.S)
    wrong = []
    for path in SOURCES:
        if path.suffix != ".html":
            continue
        for tag in anchor.findall(path.read_text()):
            if re.search(r'class="[^"]*\bgovuk-button\b', tag) and not (
                'role="button"' in tag and 'data-module="govuk-button"' in tag
            ):
                wrong.append(f"{path.relative_to(ROOT)}: {tag[:80]}")
    assert not wrong, "\n".join(wrong)


def test_header_and_service_navigation_share_the_banner_landmark_and_the_footer_is_v6(client):
    page = client.get(reverse("accessibility")).content.decode()
    header = page.split('<header class="govuk-template__header">', 1)[1].split("</header>", 1)[0]
    assert '<div class="govuk-header">' in header
    assert 'class="govuk-service-navigation"' in header
    assert page.count("<header") == 1
    footer = page.split('<footer class="govuk-template__footer">', 1)[1].split("</footer>", 1)[0]
    assert '<div class="govuk-footer">' in footer and "govuk-footer__meta-custom" in footer


def test_the_home_task_list_wires_hints_and_statuses_to_each_task(client, alice, school_a, officer):
    application = evidencing(school_a, alice, officer)
    evidence = statement(application, alice, title="Behaviour policy")
    services.evidence_submit(evidence=evidence, by=alice)
    services.evidence_review(
        evidence=evidence, by=officer, decision="changes_requested", comment="Add the date.", seen_status="submitted"
    )
    client.force_login(alice)
    page = client.get(reverse("accounts:home")).content.decode()
    items = re.findall(r'<li class="govuk-task-list__item[^"]*">(.*?)</li>', page, re.S)
    assert items
    for item in items:
        status = re.search(r'<div class="govuk-task-list__status" id="([^"]+)">', item)
        assert status, item
        link = re.search(r'<a class="govuk-link govuk-task-list__link"[^>]*aria-describedby="([^"]+)"', item)
        if link:
            described = link.group(1).split()
            assert status.group(1) in described
            hint = re.search(r'<div id="([^"]+)" class="govuk-task-list__hint">', item)
            if hint:
                assert hint.group(1) in described
    assert any("Add the date." in item and "-hint" in item for item in items)
