"""Who may do what with a school's surveys (rules as in ppp/permissions.py: each returns
why not, in a sentence, or None).

- the school's **lead** opens, closes and extends rounds and reads the results;
- the school's staff who review incidents (and the lead) read pupils' free text, which
  may tell of a child at risk (incidents.selectors.reviews_incidents);
- council officers see only participation and the protected figures across schools:
  never a school's round, results or free text.
"""

from incidents.selectors import reviews_incidents
from ppp.accounts.selectors import membership_in
from ppp.permissions import rule

OFFICERS = "Council officers see which settings ran a survey and the figures across settings, never a school's results."


def _lead(user, organisation) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_officer or organisation is None:
        return False
    membership = membership_in(user, organisation)
    return membership is not None and membership.is_lead


@rule
def can_run_surveys(user, organisation):
    if getattr(user, "is_officer", False):
        return OFFICERS
    if not _lead(user, organisation):
        return "Only your school's lead can run surveys and read their results."
    return None


@rule
def can_read_comments(user, organisation):
    if getattr(user, "is_officer", False):
        return OFFICERS
    if not getattr(user, "is_authenticated", False) or not reviews_incidents(user, organisation):
        return "Only your school's lead and the staff who review incidents can read what pupils wrote."
    return None


def organisation_actions(user, organisation) -> set[str]:
    actions = set()
    if can_run_surveys(user, organisation):
        actions |= {"run", "results"}
    if can_read_comments(user, organisation):
        actions.add("comments")
    return actions
