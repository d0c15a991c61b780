"""Training forms, in GOV.UK words (crispy-forms-gds)."""

import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from ppp.fields import GOVUKDateField, GOVUKTimeField, GOVUKWholeNumberField
from ppp.forms import GDSFormMixin, GOVUKMessagesMixin

from .models import Booking, Charge, Course, CourseSession, Evaluation
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


def _aware(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, time))


class SessionForm(TrainingFormMixin, forms.Form):
    """An officer schedules a session: the day, start and end times typed as visits'
    times are (09:30, 2pm, midday), in person at a venue or online with a link."""

    submit_label = "Schedule the session"
    DEFAULT_DEADLINE_TIME = datetime.time(17, 0)

    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="Choose a course",
        error_messages={"required": "Select the course", "invalid_choice": "Select a course from the list"},
    )
    date = GOVUKDateField(noun="the date of the session", not_past=True)
    start_time = GOVUKTimeField(noun="the start time")
    end_time = GOVUKTimeField(noun="the end time")
    mode = forms.ChoiceField(
        label="In person or online?",
        choices=CourseSession.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select in person or online"},
    )
    venue = forms.CharField(label="Venue", max_length=200, required=False, help_text="For example, City Hall")
    venue_address = forms.CharField(
        label="Venue address (optional)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    joining_link = forms.URLField(
        label="Joining link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="For example, a Teams or Zoom link. Only people with a confirmed place see it.",
        error_messages={"invalid": "Enter the joining link as a web address, like https://teams.microsoft.com/…"},
    )
    capacity = GOVUKWholeNumberField(noun="the number of places", min_value=1, max_value=500)
    minimum_numbers = GOVUKWholeNumberField(
        noun="the minimum numbers",
        min_value=0,
        max_value=500,
        required=False,
        help_text="Officers are told if fewer are booked shortly before. Leave empty for no minimum.",
    )
    trainer = forms.CharField(label="Trainer (optional)", max_length=150, required=False)
    deadline_date = GOVUKDateField(noun="the booking deadline", required=False)
    deadline_time = GOVUKTimeField(noun="the time bookings close", required=False)
    notes = forms.CharField(
        label="Notes for attendees (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.order_by("title")
        self.fields["minimum_numbers"].label = "Minimum numbers (optional)"
        self.fields["deadline_date"].label = "Booking deadline (optional)"
        self.fields[
            "deadline_date"
        ].help_text = "No bookings after this day. Leave empty to close bookings 2 days before. For example, 27 3 2027"
        self.fields["deadline_time"].label = "Time bookings close (optional)"
        self.fields["deadline_time"].help_text = "For example, 17:00. Leave empty for 17:00."

    @cached_property
    def helper(self) -> FormHelper:
        helper = super().helper
        helper.layout = Layout(
            "course",
            "date",
            "start_time",
            "end_time",
            ConditionalRadios(
                "mode",
                ConditionalQuestion(CourseSession.Mode.IN_PERSON.label, "venue", "venue_address"),
                ConditionalQuestion(CourseSession.Mode.ONLINE.label, "joining_link"),
            ),
            "capacity",
            "minimum_numbers",
            "trainer",
            "deadline_date",
            "deadline_time",
            "notes",
        )
        return helper

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            cleaned["starts_at"], cleaned["ends_at"] = _aware(day, start), _aware(day, end)
            if end <= start:
                self.add_error("end_time", "The end time must be after the start time")
        mode = cleaned.get("mode")
        if mode == CourseSession.Mode.ONLINE and not cleaned.get("joining_link") and "joining_link" not in self.errors:
            self.add_error("joining_link", "Enter the joining link for an online session")
        if mode == CourseSession.Mode.IN_PERSON and not cleaned.get("venue", "").strip():
            self.add_error("venue", "Enter the venue")
        capacity, minimum = cleaned.get("capacity"), cleaned.get("minimum_numbers")
        if capacity and minimum and minimum > capacity:
            self.add_error("minimum_numbers", "The minimum numbers cannot be more than the number of places")
        cleaned["booking_deadline"] = None
        if cleaned.get("deadline_time") and not cleaned.get("deadline_date") and "deadline_date" not in self.errors:
            self.add_error("deadline_date", "Enter the booking deadline, or leave the time empty too")
        elif cleaned.get("deadline_date") and "starts_at" in cleaned:
            deadline = _aware(cleaned["deadline_date"], cleaned.get("deadline_time") or self.DEFAULT_DEADLINE_TIME)
            if deadline > cleaned["starts_at"]:
                self.add_error("deadline_date", "The booking deadline must be before the session starts")
            cleaned["booking_deadline"] = deadline
        return cleaned

    def session_fields(self) -> dict:
        """What `services.session_create` takes."""
        c = self.cleaned_data
        online = c["mode"] == CourseSession.Mode.ONLINE
        return {
            "course": c["course"],
            "starts_at": c["starts_at"],
            "ends_at": c["ends_at"],
            "mode": c["mode"],
            "venue": "" if online else c["venue"].strip(),
            "venue_address": "" if online else c["venue_address"].strip(),
            "joining_link": c["joining_link"] if online else "",
            "capacity": c["capacity"],
            "minimum_numbers": c.get("minimum_numbers") or 0,
            "trainer": c["trainer"].strip(),
            "booking_deadline": c["booking_deadline"],
            "notes": c["notes"].strip(),
        }

    @classmethod
    def initial_from(cls, session: CourseSession) -> dict:
        """A copy of `session` for a repeat: everything but the day (and the deadline,
        which follows the day)."""
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "course": session.course_id,
            "start_time": start.time(),
            "end_time": end.time(),
            "mode": session.mode,
            "venue": session.venue,
            "venue_address": session.venue_address,
            "joining_link": session.joining_link,
            "capacity": session.capacity,
            "minimum_numbers": session.minimum_numbers or None,
            "trainer": session.trainer,
            "notes": session.notes,
        }
