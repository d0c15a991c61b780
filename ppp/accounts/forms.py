from typing import TYPE_CHECKING, cast

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.mfa.base.forms import AuthenticateForm as MFABaseAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as MFABaseReauthenticateForm
from django import forms
from django.contrib.auth import password_validation

from ppp.forms import GDSFormMixin, GOVUKMessagesMixin

from .models import Membership


class InvitationForm(GDSFormMixin, forms.Form):
    submit_label = "Send invitation"

    full_name = forms.CharField(label="Full name", max_length=150, required=False)
    email = forms.EmailField(
        label="Email address",
        help_text="We will email them a link to set a password. Use their work address.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role from the list"},
        help_text="A lead manages the award, evidence and members. Members record incidents and book training.",
    )

    def __init__(self, *args, can_invite_lead: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_invite_lead:
            cast(forms.ChoiceField, self.fields["role"]).choices = [(Membership.Role.MEMBER, "Member")]
            self.fields["role"].help_text = "Members record incidents and book training."

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AcceptInvitationForm(GDSFormMixin, forms.Form):
    """Set up an account from an invitation: a name and a password."""

    submit_label = "Create account and join"

    full_name = forms.CharField(label="Full name", max_length=150, error_messages={"required": "Enter your full name"})
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. Avoid common passwords and ones like your name or email.",
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match")
        if p1:
            from .models import User

            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(GOVUKMessagesMixin, AllauthLoginForm):
    """allauth's sign-in form with GOV.UK labels: no placeholders, no link inside a label."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].noun = "your email address"
        self.fields["password"].noun = "your password"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields.pop("remember", None)


class ResetPasswordForm(GOVUKMessagesMixin, AllauthResetPasswordForm):
    """allauth's "forgot your password" form, answering in GOV.UK words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].noun = "your email address"
        self.fields["email"].widget.attrs.pop("placeholder", None)


class ResetPasswordKeyForm(GOVUKMessagesMixin, AllauthResetPasswordKeyForm):
    """allauth's "choose a new password" form, answering in GOV.UK words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].noun = "a new password"
        self.fields["password2"].noun = "the new password again"


class ChangePasswordForm(GOVUKMessagesMixin, AllauthChangePasswordForm):
    """allauth's change-password form, answering in GOV.UK words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].noun = "your current password"
        self.fields["password1"].noun = "a new password"
        self.fields["password2"].noun = "the new password again"

    def clean_oldpassword(self):
        try:
            return super().clean_oldpassword()
        except forms.ValidationError:
            raise forms.ValidationError("Your current password is not right: check it and try again") from None


# allauth's forms are untyped: to mypy, the mixins for them are allauth's own form.
if TYPE_CHECKING:

    class _CodeForm(MFABaseAuthenticateForm):
        pass

else:
    _CodeForm = object


class LimitedCodeMixin(_CodeForm):
    """Two-factor codes are guessed no more freely than passwords.

    Every wrong code (authenticator or recovery code) counts as a failed sign-in for the
    account in django-axes, which locks the account after AXES_FAILURE_LIMIT failures in
    the same way as a wrong password (and emails its owner), and is audited. The user's
    row is locked while a code is checked, so parallel guesses from several servers are
    counted one after another and none slips past the limit.
    """

    LOCKED = (
        "Your account is locked for {minutes} minutes because of too many failed attempts. "
        "Try again later, or reset your password to unlock it now."
    )

    def clean_code(self):
        from allauth.core import context
        from axes.handlers.proxy import AxesProxyHandler
        from django.conf import settings
        from django.core.exceptions import ValidationError
        from django.db import transaction

        request = context.request
        credentials = {"email": self.user.email}
        minutes = int(settings.AXES_COOLOFF_TIME * 60)
        locked = ValidationError(self.LOCKED.format(minutes=minutes))
        # The failure is recorded inside this block and must be kept: the error is raised
        # only after it has committed.
        with transaction.atomic():
            type(self.user).objects.select_for_update().filter(pk=self.user.pk).first()
            if AxesProxyHandler.is_locked(request, credentials):
                error = locked
            else:
                try:
                    return super().clean_code()
                except ValidationError as wrong_code:
                    error = locked if AxesProxyHandler.is_locked(request, credentials) else wrong_code
        raise error

    def _emit_authentication_failed(self, authenticator) -> None:
        from allauth.core import context
        from axes.handlers.proxy import AxesProxyHandler

        from ppp.audit.services import audit_record

        super()._emit_authentication_failed(authenticator)
        request = context.request
        audit_record("auth.mfa_failed", target=self.user, request=request, username=self.user.email)
        AxesProxyHandler.user_login_failed(sender=type(self), credentials={"email": self.user.email}, request=request)


class CodeNounMixin(_CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].noun = "the code from your authenticator app, or a recovery code"


class MFAAuthenticateForm(GOVUKMessagesMixin, CodeNounMixin, LimitedCodeMixin, MFABaseAuthenticateForm):
    pass


class MFAReauthenticateForm(GOVUKMessagesMixin, CodeNounMixin, LimitedCodeMixin, MFABaseReauthenticateForm):
    pass


class HandOverForm(GDSFormMixin, forms.Form):
    submit_label = "Hand over the organisation"

    email = forms.EmailField(
        label="Email address of the real lead",
        help_text="Their work address. If they are not a member yet, we email them an invitation to join as lead.",
        error_messages={
            "required": "Enter the email address of the real lead",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    full_name = forms.CharField(label="Their full name (optional)", max_length=150, required=False)
    reason = forms.CharField(
        label="Why are you handing it over?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: signed up by someone who does not work there. Kept in the audit trail.",
        error_messages={"required": "Enter why you are handing the organisation over"},
    )


class OfficerSearchForm(GDSFormMixin, forms.Form):
    """The officers' one search box: organisations, applications and pledges."""

    submit_label = "Search"

    q = forms.CharField(
        label="Search for an organisation, application or pledge",
        help_text="A name, DfE URN, postcode, reference or certificate code",
        max_length=100,
        error_messages={
            "required": "Enter a name, URN, postcode or reference",
            "max_length": "Search must be 100 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        # Its box is on pages with other forms (the caseload's filters have a `q` too):
        # an id of its own, so each label names its own box.
        kwargs.setdefault("auto_id", "search_%s")
        super().__init__(*args, **kwargs)

    def clean_q(self):
        query = " ".join(self.cleaned_data["q"].split())
        if len(query) < 2:
            raise forms.ValidationError("Search must be 2 characters or more")
        return query
