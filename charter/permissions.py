"""Who may do what with the charter: each rule returns why not (a sentence), or None.

Services refuse with `rule.require(by, obj, CharterError)`; views pass
`allowed_actions(user, pledge, PLEDGE_RULES)` to templates, which show a button only if
its action is allowed (see ppp/permissions.py).
"""

import datetime

from django.conf import settings
from django.utils import timezone

from ppp.accounts.selectors import is_lead
from ppp.permissions import allowed_actions, rule

from .models import Pledge


def review_window_opens(due_on: datetime.date) -> datetime.date:
    """The annual review opens CHARTER_REVIEW_WINDOW_DAYS before it is due."""
    return due_on - datetime.timedelta(days=settings.CHARTER_REVIEW_WINDOW_DAYS)


def _status(pledge: Pledge) -> str:
    return pledge.get_status_display().lower()


@rule
def can_sign(user, organisation):
    if not is_lead(user, organisation):
        return "Only your organisation's lead can sign the charter for it."
    if Pledge.objects.current().filter(organisation=organisation).exists():
        return f"{organisation} has already signed the charter. You can see its pledge on its page."
    return None


@rule
def can_resubmit_pledge(user, pledge):
    if not is_lead(user, pledge.organisation):
        return f"Only {pledge.organisation}'s lead can change the pledge."
    if pledge.status != Pledge.Status.RETURNED:
        return "Only a pledge returned for changes can be resubmitted."
    return None


@rule
def can_renew_pledge(user, pledge):
    if not is_lead(user, pledge.organisation):
        return f"Only {pledge.organisation}'s lead can renew the pledge."
    if pledge.status != Pledge.Status.LAPSED:
        return "Only a lapsed pledge can be renewed. An approved pledge is kept up to date by its review."
    return None


@rule
def can_change_pledge(user, pledge):
    """Resubmit a returned pledge, or renew a lapsed one (the same form)."""
    if pledge.status == Pledge.Status.LAPSED:
        return can_renew_pledge.refusal(user, pledge)
    return can_resubmit_pledge.refusal(user, pledge)


@rule
def can_withdraw_pledge(user, pledge):
    if not is_lead(user, pledge.organisation):
        return f"Only {pledge.organisation}'s lead can withdraw the pledge."
    if pledge.status == Pledge.Status.WITHDRAWN:
        return "This pledge has already been withdrawn."
    return None


@rule
def can_set_listing(user, pledge):
    if not is_lead(user, pledge.organisation):
        return f"Only {pledge.organisation}'s lead can change whether the pledge is listed."
    if pledge.status == Pledge.Status.WITHDRAWN:
        return "This pledge has been withdrawn."
    return None


@rule
def can_review_pledge(user, pledge):
    if not is_lead(user, pledge.organisation):
        return f"Only {pledge.organisation}'s lead can submit the annual review."
    today = timezone.localdate()
    if pledge.status != Pledge.Status.APPROVED or pledge.review_due_on is None:
        return "The annual review is for an approved pledge."
    if review_window_opens(pledge.review_due_on) > today:
        return (
            f"The annual review opens {settings.CHARTER_REVIEW_WINDOW_DAYS} days before it is due, on "
            f"{review_window_opens(pledge.review_due_on):%-d %B %Y}."
        )
    return None


def _officer(user, what: str):
    return None if user.is_officer else f"Only a council officer can {what}."


@rule
def can_approve_pledge(user, pledge):
    if reason := _officer(user, "approve a pledge"):
        return reason
    if pledge.status != Pledge.Status.SUBMITTED:
        return f"Only a pledge awaiting approval can be approved; this one is {_status(pledge)}."
    return None


@rule
def can_return_pledge(user, pledge):
    if reason := _officer(user, "return a pledge"):
        return reason
    if pledge.status != Pledge.Status.SUBMITTED:
        return f"Only a pledge awaiting approval can be returned; this one is {_status(pledge)}."
    return None


@rule
def can_remove_from_register(user, pledge):
    if reason := _officer(user, "remove an entry from the register"):
        return reason
    if pledge.removed_from_register_at:
        return "This pledge has already been removed from the register."
    if not pledge.on_register:
        return "This pledge is not on the public register."
    return None


@rule
def can_restore_to_register(user, pledge):
    if reason := _officer(user, "restore an entry to the register"):
        return reason
    if not pledge.removed_from_register_at:
        return "This pledge has not been removed from the register."
    return None


@rule
def can_give_review_feedback(user, review=None):
    return _officer(user, "answer a review")


@rule
def can_publish_charter(user, charter=None):
    return _officer(user, "publish a charter")


@rule
def can_manage_providers(user, commissioner):
    """The commissioner's lead (or an officer) lists, reminds and removes its providers."""
    from .selectors import is_approved_commissioner

    if not (user.is_officer or is_lead(user, commissioner)):
        return "Only the commissioner's lead can change its list of providers."
    if not is_approved_commissioner(commissioner):
        return "Only an organisation whose pledge as a commissioner the council has approved lists providers."
    return None


@rule
def can_answer_provider_request(user, link):
    if link.provider_id is None or not is_lead(user, link.provider):
        return "Only the provider's lead can answer a commissioner's request."
    return None


PLEDGE_RULES = {
    "change": can_change_pledge,
    "withdraw": can_withdraw_pledge,
    "listing": can_set_listing,
    "review": can_review_pledge,
    "approve": can_approve_pledge,
    "return": can_return_pledge,
    "remove": can_remove_from_register,
    "restore": can_restore_to_register,
}


def pledge_actions(user, pledge) -> set[str]:
    return allowed_actions(user, pledge, PLEDGE_RULES)
