"""Background work for incidents: publishing a closed term's council figures.

`publish_figures` makes the term's release (`incidents.releases.publish`): it reads the
schools' monthly counts, suppresses every view together and checks it exactly, which
takes from seconds (a city) to a few minutes (every school in England: about 75 s a term,
bench/FINDINGS.md), so it runs in the worker. Running it again for a term already released
changes nothing (the release is made once; two runs at once store one)."""

import logging

from ppp.tasks import DEFAULT, RetryStrategy, task

from . import releases
from .terms import Term

log = logging.getLogger(__name__)


@task(name="incidents.publish_figures", queue=DEFAULT, retry=RetryStrategy(max_attempts=3, wait=60))
def publish_figures(*, year: int, term: str) -> None:
    period = Term(int(year), term)
    try:
        release = releases.publish(period)
    except releases.ReleaseRefused as refused:
        log.error("Incident figures for %s not published: %s", period.slug, refused)
        return
    log.info("Incident figures for %s published (%s settings)", period.slug, release.settings_count)
