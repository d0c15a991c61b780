"""Training forms, in GOV.UK words (crispy-forms-gds)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils.functional import cached_property

from ppp.forms import GDSFormMixin, GOVUKMessagesMixin

from .models import Booking, Charge, Evaluation
from .services import Attendee

MAX_ATTENDEES = 6


class TrainingFormMixin(GDSFormMixin):
    """GDSFormMixin with `novalidate` on the form tag: the server checks every field and
    answers in GOV.UK words, never the browser's own bubbles."""

    @cached_property
    def helper(self) -> FormHelper:
        helper = super().helper
        helper.attrs = {**helper.attrs, "novalidate": ""}
        return helper


def _attendee_fields(prefix: str, required: bool) -> dict:
    name = "the attendee's" if prefix == "" else f"attendee {prefix}'s"
    return {
        "name": forms.CharField(
            label="Full name",
            max_length=150,
            required=required,
            error_messages={"required": f"Enter {name} full name"},
        ),
        "email": forms.EmailField(
            label="Email address",
            required=required,
            help_text="Their confirmation and joining details go here.",
            error_messages={
                "required": f"Enter {name} email address",
                "invalid": f"Enter {name} email address in the correct format, like name@example.org",
            },
        ),
        "role": forms.ChoiceField(
            label="Role",
            required=required,
            choices=[("", "Select a role"), *Booking.Role.choices],
            error_messages={"required": f"Select {name} role"},
        ),
    }


class BookingForm(GOVUKMessagesMixin, forms.Form):
    """Places for up to MAX_ATTENDEES named people; empty rows are ignored."""

    def __init__(self, *args, rows: int = 3, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = max(1, min(rows, MAX_ATTENDEES))
        fieldsets = []
        for n in range(1, self.rows + 1):
            for key, field in _attendee_fields(str(n), required=(n == 1)).items():
                self.fields[f"{key}_{n}"] = field
            fieldsets.append(
                Fieldset(
                    Field.text(f"name_{n}", field_width=20),
                    Field.text(f"email_{n}", field_width=20),
                    Field.select(f"role_{n}"),
                    legend=f"Attendee {n}",
                    legend_size=Size.SMALL,
                )
            )
        self.fields["name_1"].error_messages["required"] = "Enter the first attendee's full name"
        self.fields["email_1"].error_messages["required"] = "Enter the first attendee's email address"
        self.fields["role_1"].error_messages["required"] = "Select the first attendee's role"
        self.helper = FormHelper(self)
        self.helper.form_tag = False  # book.html's own <form novalidate> holds the row count too
        self.helper.layout = Layout(*fieldsets, Submit("submit", "Book places"))

    def clean(self):
        cleaned = super().clean()
        for n in range(2, self.rows + 1):
            values = [cleaned.get(f"{key}_{n}") for key in ("name", "email", "role")]
            if any(values) and not all(values):
                for key, message in (
                    ("name", f"Enter attendee {n}'s full name"),
                    ("email", f"Enter attendee {n}'s email address"),
                    ("role", f"Select attendee {n}'s role"),
                ):
                    if not cleaned.get(f"{key}_{n}") and f"{key}_{n}" not in self.errors:
                        self.add_error(f"{key}_{n}", message)
        return cleaned

    def attendees(self) -> list[Attendee]:
        data = self.cleaned_data
        return [
            Attendee(name=data[f"name_{n}"], email=data[f"email_{n}"], role=data[f"role_{n}"])
            for n in range(1, self.rows + 1)
            if data.get(f"name_{n}") and data.get(f"email_{n}") and data.get(f"role_{n}")
        ]


class SubstituteForm(TrainingFormMixin, forms.Form):
    submit_label = "Change the attendee"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, field in _attendee_fields("", required=True).items():
            field.label = {"name": "New attendee's full name", "email": "New attendee's email address"}.get(
                key, "New attendee's role"
            )
            field.error_messages["required"] = {
                "name": "Enter the new attendee's full name",
                "email": "Enter the new attendee's email address",
                "role": "Select the new attendee's role",
            }[key]
            self.fields[key] = field

    def attendee(self) -> Attendee:
        return Attendee(
            name=self.cleaned_data["name"], email=self.cleaned_data["email"], role=self.cleaned_data["role"]
        )


class CancelBookingForm(TrainingFormMixin, forms.Form):
    submit_label = "Cancel this place"
    reason = forms.CharField(
        label="Why are you cancelling? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelSessionForm(TrainingFormMixin, forms.Form):
    submit_label = "Cancel the session"
    reason = forms.CharField(
        label="Why is the session cancelled?",
        max_length=1000,
        help_text="Everyone booked is emailed this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the session is cancelled"},
    )


class CapacityForm(TrainingFormMixin, forms.Form):
    submit_label = "Change the capacity"
    capacity = forms.IntegerField(
        label="Places on the session",
        min_value=1,
        max_value=500,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of places",
            "invalid": "Enter the number of places as a whole number, like 20",
            "min_value": "The number of places must be 1 or more",
            "max_value": "The number of places must be 500 or fewer",
        },
    )


class AttendanceForm(GOVUKMessagesMixin, forms.Form):
    """Attended / absent for each confirmed place (fields named by booking public id)."""

    def __init__(self, *args, bookings, **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = list(bookings)
        for booking in self.bookings:
            self.fields[f"b_{booking.public_id}"] = forms.ChoiceField(
                label=booking.attendee_name,
                choices=[(Booking.Attendance.ATTENDED, "Attended"), (Booking.Attendance.ABSENT, "Absent")],
                widget=forms.RadioSelect,
                required=False,
                initial=booking.attendance if booking.attendance != Booking.Attendance.NOT_RECORDED else None,
            )

    def rows(self):
        return [(booking, self[f"b_{booking.public_id}"]) for booking in self.bookings]

    def marks(self) -> dict[str, str]:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("b_") and value}


class EvaluationForm(TrainingFormMixin, forms.Form):
    submit_label = "Send your evaluation"
    usefulness = forms.TypedChoiceField(
        label="How useful was the session for your work?",
        choices=Evaluation.Usefulness.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how useful the session was"},
    )
    will_change = forms.CharField(
        label="What will you do differently because of it?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    comments = forms.CharField(
        label="Anything else you would like to tell the trainer? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class _PublicIdsField(forms.ModelMultipleChoiceField):
    """Objects by their public id; an id that is not a UUID is an unknown choice (the
    same message), not Django's "… is not a valid UUID"."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except forms.ValidationError as error:
            if error.code in ("invalid_choice", "invalid_pk_value", "invalid_list"):
                raise
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from error


class ChargesInvoicedForm(GOVUKMessagesMixin, forms.Form):
    """The charges ticked on the charges page, to mark invoiced in one go."""

    charges = _PublicIdsField(
        queryset=Charge.objects.all(),
        to_field_name="public_id",
        error_messages={
            "required": "Select the charges to mark as invoiced",
            "invalid_choice": "A charge you selected no longer exists: select the charges again",
            "invalid_pk_value": "A charge you selected no longer exists: select the charges again",
        },
    )


class ChargeForm(GOVUKMessagesMixin, forms.Form):
    status = forms.ChoiceField(choices=Charge.Status.choices)
    invoice_reference = forms.CharField(required=False, max_length=60)
