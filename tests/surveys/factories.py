"""Survey rounds and answers made through the real services."""

import datetime

from django.utils import timezone

from surveys import services


def open_round(organisation, lead, *, audience="pupils_7_11", year_groups=("5", "6"), days=14, **kwargs):
    """A round open from today; returns (round, token)."""
    today = timezone.localdate()
    return services.round_open(
        organisation=organisation,
        audience=audience,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=days),
        year_groups=list(year_groups),
        class_labels=kwargs.pop("class_labels", []),
        by=lead,
        **kwargs,
    )


def answer(round_, *, year_group="5", answers=None, comment="", key=None, class_label=""):
    return services.response_submit(
        round=round_,
        submission_key=key or services.new_submission_key(),
        year_group=year_group,
        class_label=class_label,
        answers=answers if answers is not None else {"1": [0]},
        comment=comment,
    )


def answer_many(round_, n, *, year_group="5", answers=None):
    for _ in range(n):
        answer(round_, year_group=year_group, answers=answers)


def move_dates(round_, opens_on, closes_on):
    """Put a round in the past (rounds are opened from today on; tests need history). Saved,
    as every change to a round is, so what the answering pages keep of it is forgotten."""
    round_.refresh_from_db()
    round_.opens_on, round_.closes_on = opens_on, closes_on
    round_.save(update_fields=["opens_on", "closes_on"])
    return round_
