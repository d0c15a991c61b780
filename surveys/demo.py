"""Demo surveys for `manage.py seed_demo`: at Abbeygate (school A) a baseline survey of
pupils aged 7 to 11 a year ago, a later one last term asked by class (so the results show
the distance travelled and the figures by class), and rounds open now, whose links are
printed (the same on every run): ages 7 to 11 and 5 to 7 at school A with the school's
reporting link, ages 11 to 18 at Brookfield (school B, accredited a month ago, with a round
from before its award: its results show the distance travelled since); and a survey of
parents and carers at every demo school this term, so the council's page has figures
across settings. Safe to run again: rounds already there are left alone. Everything here
is fictional.
"""

import base64
import datetime
import hashlib
import hmac
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incidents.selectors import Term
from ppp.accounts.models import Membership, Organisation
from ppp.discovery import demo_seeders
from ppp.links import absolute_url
from ppp.tokens import hash_token

from . import releases, services
from .models import Round

COMMENTS = [
    "The buddy bench at lunch really helps.",
    "Some people in year 6 are mean in the group chat and say they will hurt me.",
    "I like the new playground rules.",
    "I don't always know who to tell.",
]
CLASSES = ["Oak", "Ash"]  # two classes in each year group of the round asked by class
DEMO_YEARS = {"pupils_5_7": ["R", "1", "2"], "pupils_7_11": ["3", "4", "5", "6"], "pupils_11_18": ["7", "8", "9", "10"]}


def demo_token(organisation, name: str) -> str:
    """A demo round's token: the same on every run (from SECRET_KEY), so printed links keep working."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"ppp-demo-survey:{name}:{organisation.pk}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")


def _answers(rng: random.Random, safe_share: float) -> dict:
    """One pupil's answers, feeling safe with probability `safe_share`; some questions skipped."""
    safe = rng.random() < safe_share
    answers = {
        "1": [rng.choice([0, 1]) if safe else rng.choice([2, 3])],
        "2": [rng.choice([0, 1, 1, 2])],
        "3": [rng.choice([0, 1, 2, 2, 3, 4])],
        "4": [1 if safe else rng.choice([0, 2])],
        "7": [rng.choice([0, 1]) if rng.random() < safe_share else 2],
        "10": [rng.choice([0, 1, 2])],
        "11": [0 if rng.random() < safe_share else rng.choice([1, 2])],
        "12": [rng.choice([0, 1, 1, 2, 4])],
    }
    if answers["4"] == [0]:
        answers["5"] = sorted(rng.sample(range(6), rng.randint(1, 2)))
        answers["8"] = [rng.choice([0, 1])]
    return {k: v for k, v in answers.items() if rng.random() > 0.05}  # a few skipped


def _generic_answers(questions, rng: random.Random) -> dict:
    """One person's answers to every question, mostly positive, "I'd rather not say" now and then."""
    answers = {}
    for question in questions:
        if question.kind == question.Kind.MULTIPLE:
            answers[str(question.position)] = sorted(rng.sample(range(question.rather_not_say), rng.randint(1, 2)))
        elif rng.random() < 0.04:
            answers[str(question.position)] = [question.rather_not_say]
        elif question.positive and rng.random() < 0.7:
            answers[str(question.position)] = [rng.choice(question.positive)]
        else:
            answers[str(question.position)] = [rng.randrange(question.rather_not_say)]
    return answers


def _round(
    school,
    lead,
    name,
    *,
    opens_ago: int,
    closes_ago: int,
    answers: int,
    rng,
    safe_share: float = 0.7,
    audience: str = "pupils_7_11",
    classes: bool = False,
    reporting_url: str = "",
) -> Round:
    token = demo_token(school, name)
    existing = Round.objects.filter(token_hash=hash_token(token)).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    pupils = audience != "parents"
    years = DEMO_YEARS.get(audience, [])
    with transaction.atomic():
        round_, _ = services.round_open(
            organisation=school,
            audience=audience,
            opens_on=today,
            closes_on=today + datetime.timedelta(days=max(closes_ago * -1, 1)),
            year_groups=years,
            class_labels=[f"{year} {tree}" for year in years for tree in CLASSES] if classes else [],
            reporting_url=reporting_url,
            by=lead,
        )
        Round.objects.filter(pk=round_.pk).update(token_hash=hash_token(token))
        questions = list(round_.question_set.questions.all())
        for n in range(answers):
            year = years[n % len(years)] if pupils else ""
            services.response_submit(
                round=round_,
                submission_key=f"demo-{name}-{n}",
                year_group=year,
                class_label=f"{year} {CLASSES[(n // 4) % 2]}" if classes else "",
                answers=_answers(rng, safe_share) if audience == "pupils_7_11" else _generic_answers(questions, rng),
                comment=COMMENTS[n % len(COMMENTS)] if pupils and n % 15 == 0 else "",
            )
        Round.objects.filter(pk=round_.pk).update(
            opens_on=today - datetime.timedelta(days=opens_ago), closes_on=today - datetime.timedelta(days=closes_ago)
        )
    return round_


@demo_seeders.register
def seed(demo) -> None:
    school_a = demo.organisations["school_a"]
    lead = school_a.memberships.leads().select_related("user").first()
    if lead is None:
        return
    lead = lead.user
    rng = random.Random(2027)  # noqa: S311 - repeatable fictional data, not secrets
    _round(school_a, lead, "baseline", opens_ago=380, closes_ago=366, answers=96, safe_share=0.55, rng=rng)
    _round(school_a, lead, "later", opens_ago=120, closes_ago=106, answers=104, safe_share=0.78, rng=rng, classes=True)
    # Rounds open now, each with the school's own reporting link where it has one (pupils
    # see "tell someone at your school" on every page): ages 7 to 11 and 5 to 7 at school A
    # (primary), 11 to 18 at school B (secondary). Their links are printed.
    telling = demo.links.get("reporting_link:school_a", "")  # made by incidents' seed, which runs first
    for name, audience, answers, label in (
        ("open", "pupils_7_11", 23, "ages 7 to 11"),
        ("open-young", "pupils_5_7", 12, "ages 5 to 7"),
    ):
        _round(
            school_a,
            lead,
            name,
            audience=audience,
            opens_ago=2,
            closes_ago=-12,
            answers=answers,
            rng=rng,
            safe_share=0.8,
            reporting_url=telling,
        )
        link = absolute_url("surveys:answer-start", token=demo_token(school_a, name))
        demo.stdout.write(f"School A's open pupil survey ({label}): {link}")
    school_b = demo.organisations["school_b"]
    lead_b = school_b.memberships.leads().select_related("user").first()
    if lead_b is not None:
        # Brookfield was accredited a month ago: a round before that, so its open round's
        # results show the distance travelled since the award.
        _round(
            school_b,
            lead_b.user,
            "before-award",
            audience="pupils_11_18",
            opens_ago=200,
            closes_ago=186,
            answers=60,
            rng=rng,
        )
        _round(school_b, lead_b.user, "open", audience="pupils_11_18", opens_ago=1, closes_ago=-13, answers=40, rng=rng)
        link = absolute_url("surveys:answer-start", token=demo_token(school_b, "open"))
        demo.stdout.write(f"School B's open pupil survey (ages 11 to 18): {link}")
    # Parents and carers at every demo school with a lead, in the term before this one (so
    # it has ended): the council's figures, published as the nightly command would.
    last_term_closes = Term.of(timezone.localdate()).start - datetime.timedelta(days=10)
    closes_ago = (timezone.localdate() - last_term_closes).days
    schools = Organisation.objects.filter(urn__startswith="99", memberships__role=Membership.Role.LEAD).distinct()
    for school in schools.order_by("urn"):
        if not school.takes_the_award:
            continue
        school_lead = school.memberships.leads().select_related("user").first()
        _round(
            school,
            school_lead.user,
            "parents",
            opens_ago=closes_ago + 14,
            closes_ago=closes_ago,
            answers=14,
            rng=rng,
            audience="parents",
        )
    for term in releases.due_terms():
        releases.publish(term)
