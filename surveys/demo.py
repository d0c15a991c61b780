"""Demo surveys for `manage.py seed_demo`: at Abbeygate (school A) a baseline survey of
pupils aged 7 to 11 a year ago, a later one last term (so the results show the distance
travelled), and a round open now, whose link is printed (the same on every run). Safe to
run again: rounds already there are left alone. Everything here is fictional.
"""

import base64
import datetime
import hashlib
import hmac
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ppp.discovery import demo_seeders
from ppp.links import absolute_url
from ppp.tokens import hash_token

from . import services
from .models import Round

COMMENTS = [
    "The buddy bench at lunch really helps.",
    "Some people in year 6 are mean in the group chat.",
    "I like the new playground rules.",
    "I don't always know who to tell.",
]


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


def _round(school, lead, name, *, opens_ago: int, closes_ago: int, answers: int, safe_share: float, rng) -> Round:
    token = demo_token(school, name)
    existing = Round.objects.filter(token_hash=hash_token(token)).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    with transaction.atomic():
        round_, _ = services.round_open(
            organisation=school,
            audience="pupils_7_11",
            opens_on=today,
            closes_on=today + datetime.timedelta(days=max(closes_ago * -1, 1)),
            year_groups=["3", "4", "5", "6"],
            class_labels=[],
            by=lead,
        )
        Round.objects.filter(pk=round_.pk).update(token_hash=hash_token(token))
        for n in range(answers):
            services.response_submit(
                round=round_,
                submission_key=f"demo-{name}-{n}",
                year_group=["3", "4", "5", "6"][n % 4],
                answers=_answers(rng, safe_share),
                comment=COMMENTS[n % len(COMMENTS)] if n % 15 == 0 else "",
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
    _round(school_a, lead, "later", opens_ago=120, closes_ago=106, answers=104, safe_share=0.78, rng=rng)
    _round(school_a, lead, "open", opens_ago=2, closes_ago=-12, answers=23, safe_share=0.8, rng=rng)
    link = absolute_url("surveys:answer-start", token=demo_token(school_a, "open"))
    demo.stdout.write(f"School A's open pupil survey (ages 7 to 11): {link}")
