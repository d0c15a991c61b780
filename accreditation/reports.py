"""Read-only summaries of an application, computed from rows already fetched."""

from .models import Evidence

NOT_STARTED, IN_PROGRESS, SUBMITTED, ACCEPTED, CHANGES = (
    "Not started",
    "In progress",
    "Submitted",
    "Accepted",
    "Changes requested",
)
TAG = {  # the tag's classes: blue is GOV.UK Frontend 6's plain tag
    NOT_STARTED: "govuk-tag govuk-tag--grey",
    IN_PROGRESS: "govuk-tag",
    SUBMITTED: "govuk-tag govuk-tag--purple",
    ACCEPTED: "govuk-tag govuk-tag--green",
    CHANGES: "govuk-tag govuk-tag--orange",
}


def _status(items: list[Evidence], required: list, all_criteria: list) -> str:
    """One standard's status in the GOV.UK task list sense."""
    if not items:
        return NOT_STARTED
    if any(e.status == Evidence.Status.CHANGES_REQUESTED for e in items):
        return CHANGES
    covered = {c.pk: {e.status for e in items if c.pk in e.criterion_ids} for c in (required or all_criteria)}
    if covered and all(Evidence.Status.ACCEPTED in statuses for statuses in covered.values()):
        return ACCEPTED
    if covered and all(
        statuses & {Evidence.Status.ACCEPTED, Evidence.Status.SUBMITTED} for statuses in covered.values()
    ):
        return SUBMITTED
    return IN_PROGRESS


def criterion_ids(item: Evidence) -> set[int]:
    """The pks of the criteria `item` shows: its `criterion_ids` if the page read them
    (selectors.application_evidence), else from its prefetched `criteria`."""
    if getattr(item, "criterion_ids", None) is None:
        item.criterion_ids = {c.pk for c in item.criteria.all()}
    return item.criterion_ids


def standard_progress(standards, evidence) -> list[dict]:
    """For each standard: its criteria, the evidence mapped to each, and a task-list status.

    `standards` must have `criteria` prefetched and `evidence` its `criteria` (or
    `criterion_ids`, as selectors.application_evidence reads them): no queries here.
    """
    for item in evidence:
        criterion_ids(item)
    progress = []
    for standard in standards:
        criteria = list(standard.criteria.all())
        ids = {c.pk for c in criteria}
        items = [e for e in evidence if e.criterion_ids & ids]
        status = _status(items, [c for c in criteria if c.evidence_required], criteria)
        progress.append(
            {
                "standard": standard,
                "criteria": [(c, [e for e in items if c.pk in e.criterion_ids]) for c in criteria],
                "status": status,
                "tag": TAG[status],
            }
        )
    return progress
