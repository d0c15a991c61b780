"""The charter's pages. Thin: find the object through a scoped QuerySet, call a form or
a service, render. Public: the charter, the register, signing up. Signed in: the
organisation's pledge, reviews and providers. Officers: decisions and the overview."""

from ._base import _current_charter
from .commissioners import (
    _provider_action,
    _provider_answer,
    provider_accept,
    provider_decline,
    provider_remind,
    provider_remove,
    provider_requests,
    providers,
)
from .officers import officer_home, register_csv
from .pledge import (
    _approval_happens,
    _pledge_action,
    _pledge_decision,
    _pledges,
    organisation_sign,
    pledge_approve,
    pledge_detail,
    pledge_edit,
    pledge_listing,
    pledge_remove,
    pledge_restore,
    pledge_return,
    pledge_withdraw,
)
from .public import index, register, register_entry, sign, sign_up_sent, verify_email
from .reviews import review_create, review_detail, review_feedback

__all__ = [
    "_approval_happens",
    "_current_charter",
    "_pledge_action",
    "_pledge_decision",
    "_pledges",
    "_provider_action",
    "_provider_answer",
    "index",
    "officer_home",
    "organisation_sign",
    "pledge_approve",
    "pledge_detail",
    "pledge_edit",
    "pledge_listing",
    "pledge_remove",
    "pledge_restore",
    "pledge_return",
    "pledge_withdraw",
    "provider_accept",
    "provider_decline",
    "provider_remind",
    "provider_remove",
    "provider_requests",
    "providers",
    "register",
    "register_csv",
    "register_entry",
    "review_create",
    "review_detail",
    "review_feedback",
    "sign",
    "sign_up_sent",
    "verify_email",
]
