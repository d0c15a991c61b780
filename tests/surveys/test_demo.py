"""What `seed_demo` gives the surveys, as the README promises: school A's later round asked
by class (its results show the figures by class and the distance travelled), and parents
surveyed at every demo school last term, published, so the officer's page has figures."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from surveys.demo import demo_token
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


def test_the_demo_opens_a_round_for_each_age_with_the_schools_reporting_link(client, demo):
    """The printed links answer: ages 7 to 11 and 5 to 7 at school A, which has a pupils'
    reporting link (so every page offers it), and 11 to 18 at school B."""
    today = timezone.localdate()
    for school, name, audience, words in (
        ("Abbeygate Primary School", "open", "pupils_7_11", "tell someone at Abbeygate Primary School"),
        ("Abbeygate Primary School", "open-young", "pupils_5_7", "tell someone at Abbeygate Primary School"),
        ("Brookfield Academy", "open", "pupils_11_18", "Childline"),
    ):
        round_ = Round.objects.get(organisation__name=school, question_set__audience=audience, closes_on__gte=today)
        assert round_.is_open() and round_.response_count > 0
        start = client.get(reverse("surveys:answer-start", kwargs={"token": demo_token(round_.organisation, name)}))
        assert start.status_code == 200 and words in start.content.decode()


def test_the_demo_shows_the_distance_travelled_since_the_last_award(client, demo):
    open_now = Round.objects.get(
        organisation__name="Brookfield Academy",
        question_set__audience="pupils_11_18",
        closes_on__gte=timezone.localdate(),
    )
    client.force_login(get_user_model().objects.get(email="lead.b@ppp.example"))
    body = client.get(reverse("surveys:round", kwargs={"pk": open_now.public_id})).content.decode()
    assert "also the last before the award" in body


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
