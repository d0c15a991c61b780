from django import forms
from django.utils.html import format_html, format_html_join

from ppp.accounts.forms import AcceptInvitationForm
from ppp.accounts.models import Organisation
from ppp.fields import GOVUKWholeNumberField
from ppp.forms import GDSFormMixin

from .models import Charter, Pledge
from .services import PledgeDetails

WIDE_NUMBER = {"class": "govuk-input--width-10", "inputmode": "numeric", "spellcheck": "false"}

TEXTAREA = {"rows": 4}


def _examples_hint(commitment) -> str:
    examples = [e for e in commitment.examples.all() if e.is_active]
    text = format_html("{}", commitment.text.replace("**", ""))
    if not examples:
        return text
    return format_html(
        "{}<br><br>For example:<ul class='govuk-list govuk-list--bullet govuk-hint'>{}</ul>",
        text,
        format_html_join("", "<li>{}</li>", ((e.text,) for e in examples)),
    )


class PledgeForm(GDSFormMixin, forms.Form):
    """What an organisation pledges. One text box per commitment of `charter`."""

    submit_label = "Sign the charter"

    delivery_role = forms.ChoiceField(
        label="How does your organisation work with children and young people?",
        choices=Pledge.DeliveryRole.choices,
        widget=forms.RadioSelect,
        help_text="Commissioners build the charter's principles into the services they buy.",
        error_messages={"required": "Select how your organisation works with children and young people"},
    )
    children_covered = GOVUKWholeNumberField(
        noun="the number of children and young people",
        min_value=0,
        max_value=10_000_000,
        label="How many children and young people does your pledge cover?",
        help_text="An estimate is fine. For a school, the number on roll.",
        widget=forms.TextInput(attrs=WIDE_NUMBER),
    )
    staff_covered = GOVUKWholeNumberField(
        noun="the number of staff",
        min_value=0,
        max_value=1_000_000,
        label="How many staff does your pledge cover?",
        widget=forms.TextInput(attrs=WIDE_NUMBER),
    )
    signatory_name = forms.CharField(
        label="Your full name", max_length=150, error_messages={"required": "Enter your full name"}
    )
    signatory_role = forms.CharField(
        label="Your role",
        max_length=150,
        help_text="For example, headteacher or service manager.",
        error_messages={"required": "Enter your role"},
    )
    leader_statement = forms.CharField(
        label="A statement from your organisation's leader (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Shown on the public register if you agree below.",
    )
    consent_to_list = forms.BooleanField(
        label="List our organisation, our statement and our pledge on the public register",
        required=False,
        help_text="Once the council approves your pledge. You can change your mind at any time.",
    )

    def __init__(self, *args, charter: Charter, **kwargs):
        super().__init__(*args, **kwargs)
        self.charter = charter
        self.commitments = list(charter.commitments.prefetch_related("examples"))
        tail = [name for name in list(self.fields) if name != "delivery_role"]
        for commitment in self.commitments:
            self.fields[f"commitment_{commitment.pk}"] = forms.CharField(
                label=f"How will you show this? {commitment.short_title}",
                help_text=_examples_hint(commitment),
                max_length=4000,
                widget=forms.Textarea(attrs=TEXTAREA),
                error_messages={"required": f"Say how you will show '{commitment.short_title}'"},
            )
        self.order_fields(self.field_order_before() + ["delivery_role"] + self.commitment_fields() + tail)

    def field_order_before(self) -> list[str]:
        return []

    def commitment_fields(self) -> list[str]:
        return [f"commitment_{c.pk}" for c in self.commitments]

    @classmethod
    def initial_from(cls, pledge: Pledge) -> dict:
        initial = {
            name: getattr(pledge, name)
            for name in (
                "delivery_role",
                "children_covered",
                "staff_covered",
                "signatory_name",
                "signatory_role",
                "leader_statement",
                "consent_to_list",
            )
        }
        for item in pledge.commitments.all():
            initial[f"commitment_{item.commitment_id}"] = item.text
        return initial

    def details(self) -> PledgeDetails:
        data = self.cleaned_data
        return PledgeDetails(
            delivery_role=data["delivery_role"],
            commitments={c.pk: data[f"commitment_{c.pk}"] for c in self.commitments},
            children_covered=data["children_covered"],
            staff_covered=data["staff_covered"],
            signatory_name=data["signatory_name"],
            signatory_role=data["signatory_role"],
            leader_statement=data["leader_statement"],
            consent_to_list=data["consent_to_list"],
        )


class SignUpForm(PledgeForm):
    """The public form: a new organisation registers and signs in one go."""

    organisation_name = forms.CharField(
        label="Organisation name", max_length=200, error_messages={"required": "Enter your organisation's name"}
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[("", "Choose one")] + list(Organisation.Kind.choices),
        error_messages={"required": "Select the kind of organisation"},
    )
    urn = forms.RegexField(
        label="DfE URN (schools only, optional)",
        regex=r"^\d{6,8}$",
        required=False,
        help_text="Your school's unique reference number, 6 to 8 digits.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter a URN of 6 to 8 digits, or leave it blank"},
    )
    address = forms.CharField(
        label="Address",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your organisation's address"},
    )
    postcode = forms.RegexField(
        label="Postcode",
        regex=r"^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}),
        error_messages={"required": "Enter a postcode", "invalid": "Enter a real postcode, like LE1 1FZ"},
    )
    local_authority = forms.CharField(
        label="Local authority area",
        max_length=100,
        initial="Leicester",
        error_messages={"required": "Enter the local authority area your organisation is in"},
    )
    email = forms.EmailField(
        label="Your work email address",
        help_text="We will send you a link to confirm it. Your pledge goes to the council once you have.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    # A honeypot: hidden from people, filled in by bots.
    fax_number = forms.CharField(
        label="Leave this blank",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def field_order_before(self) -> list[str]:
        return [
            "organisation_name",
            "kind",
            "urn",
            "address",
            "postcode",
            "local_authority",
            "signatory_name",
            "signatory_role",
            "email",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*self.fields, "fax_number"])
        from crispy_forms_gds.layout import Div, Field, Fieldset, Layout

        organisation = self.field_order_before()[:6]
        you = ["signatory_name", "signatory_role", "email"]
        pledge = ["delivery_role", *self.commitment_fields(), "children_covered", "staff_covered"]
        self.helper.layout = Layout(
            Fieldset(*organisation, legend="Your organisation", legend_size="m"),
            Fieldset(*you, legend="You", legend_size="m"),
            Fieldset(*pledge, legend="Your pledge", legend_size="m"),
            Fieldset("leader_statement", "consent_to_list", legend="The public register", legend_size="m"),
            Div(Field.text("fax_number"), css_class="govuk-visually-hidden", aria_hidden="true"),
        )

    def is_bot(self) -> bool:
        return bool(self.data.get("fax_number"))


class VerifyEmailForm(AcceptInvitationForm):
    submit_label = "Confirm and continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["full_name"]


class CommentForm(GDSFormMixin, forms.Form):
    submit_label = "Return the pledge"
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Sent to the organisation and kept in the pledge's history.",
        error_messages={"required": "Say what the organisation needs to change"},
    )


class RemoveForm(GDSFormMixin, forms.Form):
    submit_label = "Remove from the register"
    reason = forms.CharField(
        label="Reason for removing the entry",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Kept in the pledge's history.",
        error_messages={"required": "Give the reason for removing the entry"},
    )


class WithdrawForm(GDSFormMixin, forms.Form):
    submit_label = "Withdraw our pledge"
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(GDSFormMixin, forms.Form):
    submit_label = "Send the review"

    consent_to_publish = forms.BooleanField(
        label="Show what we did on our entry in the public register",
        required=False,
        help_text="So the public sees progress, not just a signature.",
    )

    def __init__(self, *args, pledge: Pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments = list(pledge.charter.commitments.all())
        pledged = {item.commitment_id: item.text for item in pledge.commitments.all()}
        names = []
        for commitment in self.commitments:
            self.fields[f"done_{commitment.pk}"] = forms.CharField(
                label=f"{commitment.short_title}: what did you do this year?",
                help_text=format_html("You pledged: {}", pledged.get(commitment.pk, "")),
                widget=forms.Textarea(attrs=TEXTAREA),
                max_length=4000,
                error_messages={"required": f"Say what you did for '{commitment.short_title}'"},
            )
            self.fields[f"next_{commitment.pk}"] = forms.CharField(
                label=f"{commitment.short_title}: what will you do next?",
                widget=forms.Textarea(attrs=TEXTAREA),
                max_length=4000,
                error_messages={"required": f"Say what you will do next for '{commitment.short_title}'"},
            )
            names += [f"done_{commitment.pk}", f"next_{commitment.pk}"]
        self.order_fields([*names, "consent_to_publish"])

    def answers(self) -> dict[int, tuple[str, str]]:
        return {c.pk: (self.cleaned_data[f"done_{c.pk}"], self.cleaned_data[f"next_{c.pk}"]) for c in self.commitments}


class FeedbackForm(GDSFormMixin, forms.Form):
    submit_label = "Send feedback"
    feedback = forms.CharField(
        label="Your feedback",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        error_messages={"required": "Write your feedback"},
    )


class ProviderForm(GDSFormMixin, forms.Form):
    submit_label = "Add provider"
    # "Did you mean …?": an organisation's slug, or "new". Hidden until `offer` shows the choices.
    match = forms.CharField(required=False, max_length=220, widget=forms.HiddenInput)
    name = forms.CharField(
        label="Provider's name", max_length=200, error_messages={"required": "Enter the provider's name"}
    )
    urn = forms.CharField(label="DfE URN (optional)", max_length=8, required=False)
    email = forms.EmailField(
        label="Contact email (optional if they are already on this service)",
        required=False,
        help_text="Providers not yet on this service are invited to sign the charter at this address.",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )

    def offer(self, name: str, matches) -> None:
        """Ask "did you mean …" with the organisations already on PPP whose names are close."""
        self.fields["match"] = forms.ChoiceField(
            label="Did you mean one of these?",
            help_text="They are already on Positive and Peaceful Places. Its lead is asked to agree before "
            "you see its charter status.",
            choices=[
                *[(o.slug, f"{o.name}{f', {o.postcode}' if o.postcode else ''}") for o in matches],
                ("new", f"None of these: invite {name} as a new organisation"),
            ],
            widget=forms.RadioSelect,
            required=False,
        )
        self.order_fields(["match"])
        self._bound_fields_cache.pop("match", None)  # render the new field, not the hidden one
        self.__dict__.pop("helper", None)  # build the helper again, with the choices
