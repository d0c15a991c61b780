"""Background work for surveys: publishing a closed term's council figures.

`publish_figures` makes the term's releases (`surveys.releases.publish`, one per audience):
it adds up every tally of the term's rounds and checks each question exactly, which takes
seconds at national scale, so it runs in the worker. Running it again for a term already
released changes nothing (each release is made once; two runs at once store one)."""

import logging

from incidents.selectors import Term
from ppp.tasks import DEFAULT, RetryStrategy, task

from . import releases

log = logging.getLogger(__name__)


@task(name="surveys.publish_figures", queue=DEFAULT, retry=RetryStrategy(max_attempts=3, wait=60))
def publish_figures(*, year: int, term: str) -> None:
    period = Term(int(year), term)
    try:
        made = releases.publish(period)
    except releases.ReleaseRefused as refused:
        log.error("Survey figures for %s not published: %s", period.slug, refused)
        return
    log.info("Survey figures for %s published (%s with figures)", period.slug, sum(r.published for r in made))
