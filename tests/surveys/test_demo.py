"""What `seed_demo` gives the surveys, as the README promises: school A's later round asked
by class (its results show the figures by class and the distance travelled), and parents
surveyed at every demo school last term, published, so the officer's page has figures."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from surveys.models import CouncilRelease, Round


def test_the_demo_shows_results_by_class_and_the_council_figures(client, demo):
    later = Round.objects.exclude(class_labels=[]).get(organisation__name="Abbeygate Primary School")
    lead = get_user_model().objects.get(email="lead.a@ppp.example")
    client.force_login(lead)
    body = client.get(reverse("surveys:round", kwargs={"pk": later.public_id})).content.decode()
    assert "By class or group" in body and "3 Oak" in body
    assert "Since the first round" in body

    assert Round.objects.filter(question_set__audience="parents").values("organisation").distinct().count() >= 5
    assert CouncilRelease.objects.filter(audience="parents").exists()
    client.force_login(get_user_model().objects.get(email="officer@ppp.example"))
    body = client.get(reverse("surveys:council")).content.decode()
    assert "Parents and carers" in body and "All settings" in body


def test_the_demo_reviewer_finds_what_pupils_wrote_from_the_home_page(client, demo):
    """reviewer.a reviews incidents but does not run surveys: the home page raises the
    flagged answers and links to the school's rounds' free text."""
    client.force_login(get_user_model().objects.get(email="reviewer.a@ppp.example"))
    home = client.get(reverse("accounts:home")).content.decode()
    assert "flagged as suggesting a child may be at risk in the survey of pupils" in home
    assert reverse("surveys:list") in home
    listing = client.get(reverse("surveys:list"))
    assert listing.status_code == 200 and "flagged" in listing.content.decode()
    flagged = Round.objects.filter(organisation__name="Abbeygate Primary School", responses__comment_flagged=True)
    comments = client.get(reverse("surveys:round-comments", kwargs={"pk": flagged.first().public_id}))
    assert "say they will hurt me" in comments.content.decode()
