"""Every form, sent empty (and with nonsense), answers in GOV.UK words that name the field:
never Django's "This field is required.", "Enter a valid …", "Ensure this value …" or
"Select a valid choice." (issue 10). Forms are found in each app's forms.py, so a new form
is checked without anyone remembering to add it."""

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

DJANGO_WORDS = [
    "This field is required",
    "Enter a valid",
    "Ensure this value",
    "Select a valid choice",
    "Enter a whole number",
    "out of range",
    "does not match format",
]


def project_forms():
    found = {}
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or "site-packages" in config.path:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{name}"] = cls
    return found


def _charter():
    from charter.models import Charter

    return Charter.objects.current()


def _scheme():
    from accreditation.models import Scheme

    return Scheme.current()


def _visit():
    from accreditation.models import Visit
    from tests.accreditation.factories import apply
    from tests.factories import MembershipFactory, OrganisationFactory

    school = OrganisationFactory()
    application = apply(school, MembershipFactory(organisation=school, role="lead").user)
    return Visit.objects.create(
        application=application,
        kind=Visit.Kind.INITIAL,
        mode=Visit.Mode.IN_PERSON,
        status=Visit.Status.REQUESTED,
        preferred_1=timezone.now() + datetime.timedelta(days=9),
        preferred_2=timezone.now() + datetime.timedelta(days=10),
    )


def _pledge():
    from tests.charter.factories import PledgeFactory

    return PledgeFactory()


def _survey_round():
    """What the start page reads of a round: its year groups and class labels."""
    from types import SimpleNamespace

    from surveys.models import YearGroup

    return SimpleNamespace(year_groups=[YearGroup.values[0], YearGroup.values[1]], class_labels=["Oak", "Ash"])


def _survey_questions():
    from surveys.models import Question

    return list(Question.objects.order_by("pk")[:4])


def _user():
    from tests.factories import UserFactory

    return UserFactory()


def _request():
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().post("/")
    request.session = SessionStore()
    return request


# Constructor arguments for forms that need them (called inside the test, with a database).
ARGUMENTS = {
    "ppp.accounts.forms.InvitationForm": lambda: {"can_invite_lead": True},
    "ppp.accounts.forms.AcceptInvitationForm": lambda: {"email": "someone@example.org"},
    "charter.forms.VerifyEmailForm": lambda: {"email": "someone@example.org"},
    "ppp.accounts.forms.LoginForm": lambda: {"request": _request()},
    "charter.forms.PledgeForm": lambda: {"charter": _charter()},
    "charter.forms.SignUpForm": lambda: {"charter": _charter()},
    "charter.forms.ReviewForm": lambda: {"pledge": _pledge()},
    "accreditation.forms.AwardForm": lambda: {"levels": ["Award"]},
    "accreditation.forms.VisitConfirmForm": lambda: {"visit": _visit()},
    "accreditation.forms.VisitMoveForm": lambda: {"visit": _visit()},
    "accreditation.forms.VisitCompleteForm": lambda: {"visit": _visit()},
    "accreditation.forms.ApplyForm": lambda: {"standard_price": 695},
    "accreditation.forms.EvidenceSubmitDraftsForm": lambda: {"drafts": []},
    "accreditation.forms.ActionItemForm": lambda: {"scheme": _scheme()},
    "accreditation.forms.EvidenceForm": lambda: {"scheme": _scheme()},
    "training.forms.AttendanceForm": lambda: {"bookings": []},
    "ppp.accounts.forms.ChangePasswordForm": lambda: {"user": _user()},
    "incidents.forms.FiguresForm": lambda: {"releases": []},
    "accreditation.forms.AssignSeveralForm": lambda: {"user": _user()},
    "surveys.forms.StartForm": lambda: {"round": _survey_round()},
    "surveys.forms.QuestionPageForm": lambda: {"questions": _survey_questions()},
    "ppp.accounts.forms.MFAAuthenticateForm": lambda: {"user": _user()},
    "ppp.accounts.forms.MFAReauthenticateForm": lambda: {"user": _user()},
}

# Forms that are not checked here, and why.
EXEMPT = {}
# Forms sent only empty here: a wrong code counts towards the person's lockout, and is
# tested with its messages in tests/accounts/test_two_factor_limits.py.
EMPTY_ONLY = {"ppp.accounts.forms.MFAAuthenticateForm", "ppp.accounts.forms.MFAReauthenticateForm"}

NONSENSE = "x" * 5000


def _messages(form) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def test_every_form_is_checked():
    missing = [
        name for name, cls in project_forms().items() if name not in EXEMPT and _needs(cls) and name not in ARGUMENTS
    ]
    assert not missing, f"Give these forms constructor arguments in ARGUMENTS (or EXEMPT them with a reason): {missing}"


def _needs(cls) -> bool:
    """Whether the form's constructor has required keyword-only arguments."""
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        if any(p.kind == p.KEYWORD_ONLY and p.default is p.empty for p in params):
            return True
    return False


CASES = [(name, data) for name in sorted(project_forms()) if name not in EXEMPT for data in ("empty", "nonsense")]


@pytest.mark.parametrize(("name", "data"), [c for c in CASES if not (c[1] == "nonsense" and c[0] in EMPTY_ONLY)])
def test_errors_are_in_govuk_words(db, name, data):
    cls = project_forms()[name]
    kwargs = ARGUMENTS.get(name, dict)()
    if data == "empty":
        payload = {}
    else:
        unbound = cls(**kwargs)
        payload = {}
        for field_name, field in unbound.fields.items():
            widget = field.widget
            if isinstance(widget, forms.MultiWidget):
                for i in range(len(widget.widgets)):
                    payload[f"{field_name}_{i}"] = "99"
            else:
                payload[field_name] = NONSENSE if not isinstance(field, forms.MultipleChoiceField) else [NONSENSE]
    form = cls(data=payload, **kwargs)
    form.is_valid()
    bad = [m for m in _messages(form) if any(words in m for words in DJANGO_WORDS)]
    assert not bad, f"{name} ({data}): {bad}"
    for message in _messages(form):
        assert not message.endswith("."), f"{name}: GOV.UK error messages have no full stop: {message!r}"
