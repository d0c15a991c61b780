import datetime
import re

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout
from django import forms
from django.utils import timezone

from ppp.accounts.models import User
from ppp.fields import GOVUKDateField, GOVUKTimeField, GOVUKWholeNumberField
from ppp.forms import GDSFormMixin, GOVUKMessagesMixin
from ppp.uploads import DESCRIPTION, fit_filename, validate_upload

from .models import ActionItem, Application, Criterion, Evidence, Visit


class ApplyForm(GDSFormMixin, forms.Form):
    submit_label = "Send application"

    package = forms.ChoiceField(
        label="Which package would you like?",
        choices=Application.Package.choices,
        initial=Application.Package.STANDARD,
        widget=forms.RadioSelect,
        help_text="The standard package includes an initial visit, guided planning, support while you gather "
        "evidence, monitoring visits and the assessment.",
        error_messages={"required": "Choose a package"},
    )
    bespoke_note = forms.CharField(
        label="If bespoke, what would you like?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    purchase_order = forms.CharField(label="Purchase order number (if you have one)", max_length=50, required=False)
    contact_name = forms.CharField(
        label="Contact name", max_length=150, error_messages={"required": "Enter a contact name"}
    )
    contact_email = forms.EmailField(
        label="Contact email",
        error_messages={
            "required": "Enter a contact email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    contact_phone = forms.CharField(label="Contact phone (optional)", max_length=30, required=False)
    accept_terms = forms.BooleanField(
        label="I have read the terms of the award and agree to pay for the package I choose",
        error_messages={"required": "Confirm that you agree to the terms of the award"},
    )

    def __init__(self, *args, standard_price: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].choices = [
            (Application.Package.STANDARD, f"Standard package: £{standard_price}"),
            (Application.Package.BESPOKE, "Bespoke package: priced by agreement"),
        ]
        self.fields["package"].help_text = "What each package includes is set out in the terms above."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("package") == Application.Package.BESPOKE and not cleaned.get("bespoke_note", "").strip():
            self.add_error("bespoke_note", "Tell us what you would like from a bespoke package")
        return cleaned


class ReasonForm(GDSFormMixin, forms.Form):
    submit_label = "Confirm"
    reason = forms.CharField(
        label="Reason",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
    )


class NoteForm(GDSFormMixin, forms.Form):
    submit_label = "Send"
    note = forms.CharField(
        label="What more evidence is needed?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what more evidence is needed"},
    )


class AssignForm(GDSFormMixin, forms.Form):
    submit_label = "Assign"
    officer = forms.ModelChoiceField(
        label="Officer",
        queryset=User.objects.none(),
        empty_label="Choose an officer",
        error_messages={"required": "Select the officer", "invalid_choice": "Select an officer from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.officers().order_by("full_name", "email")


class _PublicIdsField(forms.ModelMultipleChoiceField):
    """Objects by their public id; an id that is not a UUID is an unknown choice."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except forms.ValidationError as error:
            if error.code in ("invalid_choice", "invalid_pk_value", "invalid_list"):
                raise
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from error


class AssignSeveralForm(GOVUKMessagesMixin, forms.Form):
    """The applications ticked on the caseload, and the officer to give them to."""

    applications = _PublicIdsField(
        queryset=Application.objects.none(),
        to_field_name="public_id",
        error_messages={
            "required": "Select the applications to assign",
            "invalid_choice": "An application you selected is not on the caseload: select the applications again",
            "invalid_pk_value": "An application you selected is not on the caseload: select the applications again",
        },
    )
    officer = forms.ModelChoiceField(
        label="Assign the selected applications to",
        queryset=User.objects.none(),
        empty_label="Choose an officer",
        error_messages={"required": "Select the officer", "invalid_choice": "Select an officer from the list"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = Application.objects.for_user(user)
        self.fields["officer"].queryset = User.objects.officers().order_by("full_name", "email")


class AwardForm(GDSFormMixin, forms.Form):
    submit_label = "Make the award"
    level = forms.ChoiceField(label="Level", required=False, widget=forms.RadioSelect)

    def __init__(self, *args, levels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if levels:
            self.fields["level"].choices = [(level, level) for level in levels]
            self.fields["level"].required = True
            self.fields["level"].error_messages["required"] = "Select the level of the award"
        else:
            del self.fields["level"]


def _aware(date, time):
    return timezone.make_aware(datetime.datetime.combine(date, time))


def _location_fields():
    return {
        "address": forms.CharField(
            label="Address",
            max_length=200,
            required=False,
            error_messages={"max_length": "Address must be 200 characters or fewer"},
        ),
        "meeting_link": forms.URLField(
            label="Meeting link",
            max_length=200,
            required=False,
            assume_scheme="https",
            help_text="For example, a Teams or Zoom link",
            error_messages={"invalid": "Enter the meeting link as a web address, like https://teams.microsoft.com/…"},
        ),
    }


def _link(location: str) -> str:
    """An online visit's location as the meeting-link box's starting value: a web address,
    or nothing (a note such as "link to follow" is not one, and a URL box holds only URLs)."""
    return location if re.match(r"https?://\S+$", location or "") else ""


class VisitLocationMixin:
    """In person: the address (the school's, to start with); online: a meeting link, never
    the street address."""

    def location(self) -> str:
        c = self.cleaned_data
        return c.get("meeting_link", "") if c.get("mode") == Visit.Mode.ONLINE else c.get("address", "")

    def location_layout(self):
        return ConditionalRadios(
            "mode",
            ConditionalQuestion(Visit.Mode.IN_PERSON.label, "address"),
            ConditionalQuestion(Visit.Mode.ONLINE.label, "meeting_link"),
        )


class VisitRequestForm(GDSFormMixin, forms.Form):
    submit_label = "Offer these dates"

    kind = forms.ChoiceField(
        label="Kind of visit",
        choices=Visit.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of visit"},
    )
    mode = forms.ChoiceField(
        label="In person or online?",
        choices=Visit.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select in person or online"},
    )
    first_date = GOVUKDateField(noun="the date of your first choice", not_past=True)
    first_time = GOVUKTimeField(noun="the time of your first choice")
    second_date = GOVUKDateField(noun="the date of your second choice", not_past=True)
    second_time = GOVUKTimeField(noun="the time of your second choice")
    third_date = GOVUKDateField(noun="the date of your third choice", not_past=True, required=False)
    third_time = GOVUKTimeField(noun="the time of your third choice", required=False)
    note = forms.CharField(
        label="Who will be there, and anything the officer should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["third_date"].label = "Date of your third choice (optional)"
        self.fields["third_time"].label = "Time of your third choice (optional)"

    def preferred(self):
        c = self.cleaned_data
        return [
            _aware(c[f"{n}_date"], c[f"{n}_time"])
            for n in ("first", "second", "third")
            if c.get(f"{n}_date") and c.get(f"{n}_time")
        ]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("third_date")) != bool(cleaned.get("third_time")) and not self.errors:
            self.add_error("third_time", "Enter both a date and a time for your third choice, or neither")
        return cleaned


class VisitScheduleForm(VisitLocationMixin, GDSFormMixin, forms.Form):
    """An officer books a visit."""

    submit_label = "Book the visit"

    kind = forms.ChoiceField(
        label="Kind of visit",
        choices=Visit.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of visit"},
    )
    mode = forms.ChoiceField(
        label="In person or online?",
        choices=Visit.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select in person or online"},
    )
    date = GOVUKDateField(noun="the date of the visit", not_past=True)
    time = GOVUKTimeField(noun="the start time")
    duration_minutes = GOVUKWholeNumberField(
        noun="the length of the visit", min_value=15, max_value=480, unit="minutes", initial=90
    )
    attendees = forms.CharField(
        label="Who will attend (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_location_fields())
        self.fields["duration_minutes"].label = "Length in minutes"
        self.order_fields(["kind", "mode", "address", "meeting_link", "date", "time", "duration_minutes", "attendees"])
        self.helper.layout = Layout("kind", self.location_layout(), "date", "time", "duration_minutes", "attendees")

    def starts_at(self):
        return _aware(self.cleaned_data["date"], self.cleaned_data["time"])


class VisitRecordPastForm(VisitScheduleForm):
    """An officer records a visit that has already happened, and its report, in one go."""

    submit_label = "Record the visit"

    record = forms.CharField(widget=forms.HiddenInput, initial="1", required=False)
    report = forms.CharField(
        label="Report for the school",
        help_text="What you saw, what is going well, and the agreed next steps. The school can read and download this.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": "Enter the report for the school"},
    )
    outcome = forms.CharField(label="Outcome (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(
        label="Private notes for officers (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"] = GOVUKDateField(noun="the date of the visit", not_future=True)
        self.fields["date"].help_text = "The day it happened, for example 3 11 2026"
        self.fields["attendees"].label = "Who attended (optional)"
        self.helper.layout.extend(["report", "outcome", "notes", "record"])


class VisitConfirmForm(VisitLocationMixin, GDSFormMixin, forms.Form):
    """The officer confirms one of the dates the school offered, or gives another."""

    submit_label = "Confirm the visit"
    ANOTHER = "another"

    choice = forms.ChoiceField(
        label="Which date and time?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select one of the dates the school offered, or another date"},
    )
    date = GOVUKDateField(noun="the date of the visit", not_past=True, required=False)
    time = GOVUKTimeField(noun="the start time", required=False)
    mode = forms.ChoiceField(
        label="In person or online?",
        choices=Visit.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select in person or online"},
    )
    duration_minutes = GOVUKWholeNumberField(
        noun="the length of the visit", min_value=15, max_value=480, unit="minutes"
    )

    def __init__(self, *args, visit: Visit, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("mode", visit.mode)
        initial.setdefault("duration_minutes", visit.duration_minutes)
        if visit.mode == Visit.Mode.IN_PERSON:
            initial.setdefault("address", visit.location or visit.application.organisation.address.replace("\n", ", "))
        else:
            initial.setdefault("meeting_link", _link(visit.location))
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.fields.update(_location_fields())
        self.fields["duration_minutes"].label = "Length in minutes"
        offered = [
            (str(n), f"{timezone.localtime(d):%A %-d %B %Y at %H:%M}") for n, d in enumerate(visit.preferred_dates)
        ]
        self.fields["choice"].choices = [*offered, (self.ANOTHER, "Another date and time")]
        self.helper.layout = Layout(
            ConditionalRadios(
                "choice",
                *[label for _, label in offered],
                ConditionalQuestion("Another date and time", "date", "time"),
            ),
            self.location_layout(),
            "duration_minutes",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("choice") == self.ANOTHER:
            if not cleaned.get("date") and "date" not in self.errors:
                self.add_error("date", "Enter the date of the visit")
            if not cleaned.get("time") and "time" not in self.errors:
                self.add_error("time", "Enter the start time")
        return cleaned

    def starts_at(self):
        c = self.cleaned_data
        if c["choice"] == self.ANOTHER:
            return _aware(c["date"], c["time"])
        return self.visit.preferred_dates[int(c["choice"])]


class VisitMoveForm(VisitLocationMixin, GDSFormMixin, forms.Form):
    """The officer moves a booked visit: the reason is asked for, and the school told."""

    submit_label = "Move the visit"

    date = GOVUKDateField(noun="the new date of the visit", not_past=True)
    time = GOVUKTimeField(noun="the new start time")
    mode = forms.ChoiceField(
        label="In person or online?",
        choices=Visit.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select in person or online"},
    )
    duration_minutes = GOVUKWholeNumberField(
        noun="the length of the visit", min_value=15, max_value=480, unit="minutes"
    )
    reason = forms.CharField(
        label="Why are you moving it?",
        help_text="The school is told the reason.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why you are moving the visit"},
    )

    def __init__(self, *args, visit: Visit, **kwargs):
        initial = kwargs.setdefault("initial", {})
        local = timezone.localtime(visit.starts_at) if visit.starts_at else None
        initial.setdefault("mode", visit.mode)
        initial.setdefault("duration_minutes", visit.duration_minutes)
        if local:
            initial.setdefault("date", local.date())
            initial.setdefault("time", local.time())
        if visit.mode == Visit.Mode.IN_PERSON:
            initial.setdefault("address", visit.location)
        else:
            initial.setdefault("meeting_link", _link(visit.location))
        super().__init__(*args, **kwargs)
        self.fields.update(_location_fields())
        self.fields["duration_minutes"].label = "Length in minutes"
        self.helper.layout = Layout("date", "time", self.location_layout(), "duration_minutes", "reason")

    def starts_at(self):
        return _aware(self.cleaned_data["date"], self.cleaned_data["time"])


class VisitCompleteForm(GDSFormMixin, forms.Form):
    """The officer records a booked visit: when it really happened (the booked time unless
    changed: a visit brought forward is recorded on its real day), and the report."""

    submit_label = "Save the visit record"

    date = GOVUKDateField(noun="the date of the visit", not_future=True)
    time = GOVUKTimeField(noun="the start time")
    report = forms.CharField(
        label="Report for the school",
        help_text="What you saw, what is going well, and the agreed next steps. The school can read and download this.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": "Enter the report for the school"},
    )
    outcome = forms.CharField(label="Outcome (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(
        label="Private notes for officers (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, visit: Visit, **kwargs):
        super().__init__(*args, **kwargs)
        if visit.starts_at:
            booked = timezone.localtime(visit.starts_at)
            self.initial.setdefault("date", booked.date())
            self.initial.setdefault("time", booked.time())
        self.fields["date"].help_text = "The day it happened. Change it if the visit took place on another day."
        self.fields["time"].help_text = "For example 09:30 or 2pm"

    def happened_at(self):
        return _aware(self.cleaned_data["date"], self.cleaned_data["time"])


class ActionItemForm(GDSFormMixin, forms.ModelForm):
    submit_label = "Save action"

    due_date = GOVUKDateField(noun="the due date")

    class Meta:
        model = ActionItem
        fields = ["criterion", "action", "owner", "due_date", "success_measure", "status"]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 3}),
            "success_measure": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"owner": "Who will do it", "success_measure": "How you will know it has worked (optional)"}
        error_messages = {
            "action": {"required": "Enter the action", "max_length": "Action must be 4,000 characters or fewer"},
            "owner": {
                "required": "Enter who will do it",
                "max_length": "Who will do it must be 150 characters or fewer",
            },
            "status": {"required": "Select the status of the action"},
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = Criterion.objects.filter(standard__scheme=scheme).select_related("standard")
        self.fields["criterion"].required = False
        self.fields["criterion"].label = "Criterion it works towards (optional)"
        self.fields["criterion"].empty_label = "Not linked to a criterion"
        self.fields["criterion"].label_from_instance = lambda c: f"{c.code} {c.statement}"
        self.fields["criterion"].error_messages["invalid_choice"] = "Select a criterion from the list"
        self.fields["action"].widget.attrs["maxlength"] = 4000

    def clean_due_date(self):
        """A new due date cannot be in the past; one already set may be kept (an overdue
        action is still marked done)."""
        due = self.cleaned_data.get("due_date")
        unchanged = self.instance.pk is not None and due == self.instance.due_date
        if due and due < timezone.localdate() and not unchanged:
            raise forms.ValidationError("The due date must be today or in the future")
        return due


class EvidenceForm(GDSFormMixin, forms.Form):
    submit_label = "Save as draft"

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter a title for the evidence",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="What are you adding?",
        choices=Evidence.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a file, a link or a written statement"},
    )
    file = forms.FileField(
        label="Upload the file",
        required=False,
        error_messages={"empty": "The selected file is empty", "invalid": "Select a file"},
    )
    url = forms.URLField(
        label="Web address of the link",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter the link as a web address, like https://www.example.org/policy"},
    )
    statement = forms.CharField(
        label="Your statement",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "Your statement must be 20,000 characters or fewer"},
    )
    criteria = forms.ModelMultipleChoiceField(
        label="Which criteria does this show?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one criterion this evidence shows",
            "invalid_choice": "Select criteria from the list",
            "invalid_pk_value": "Select criteria from the list",
        },
    )

    def __init__(self, *args, scheme, editing: Evidence | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["criteria"].queryset = Criterion.objects.filter(standard__scheme=scheme).select_related("standard")
        self.fields["criteria"].label_from_instance = lambda c: f"{c.code} {c.statement}"
        from django.conf import settings

        self.fields["file"].help_text = f"{DESCRIPTION}, up to {settings.EVIDENCE_MAX_UPLOAD_MB} MB"
        if editing is not None and editing.file:
            self.fields["file"].help_text += f". Leave it empty to keep {editing.original_filename}"
        self.criteria_by_standard = {}
        for criterion in self.fields["criteria"].queryset.order_by("standard__number", "order", "code"):
            self.criteria_by_standard.setdefault(criterion.standard, []).append(criterion)
        # Choosing a file, a link or a statement reveals only that question.
        self.helper.layout = Layout(
            "title",
            ConditionalRadios(
                "kind",
                ConditionalQuestion(Evidence.Kind.FILE.label, "file"),
                ConditionalQuestion(Evidence.Kind.LINK.label, "url"),
                ConditionalQuestion(Evidence.Kind.STATEMENT.label, "statement"),
            ),
        )
        self.helper.form_tag = False
        self.helper.inputs = []

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            self.detected_type = validate_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        has_file = cleaned.get("file") or (self.editing and self.editing.file)
        if kind == Evidence.Kind.FILE and not has_file and "file" not in self.errors:
            self.add_error("file", "Select a file")
        if kind == Evidence.Kind.LINK and not cleaned.get("url") and "url" not in self.errors:
            self.add_error("url", "Enter the web address of the link")
        if (
            kind == Evidence.Kind.STATEMENT
            and not cleaned.get("statement", "").strip()
            and "statement" not in self.errors
        ):
            self.add_error("statement", "Enter your statement")
        return cleaned

    def evidence_fields(self) -> dict:
        c = self.cleaned_data
        fields = {"title": c["title"], "kind": c["kind"], "url": "", "statement": ""}
        if c["kind"] == Evidence.Kind.LINK:
            fields["url"] = c["url"]
        elif c["kind"] == Evidence.Kind.STATEMENT:
            fields["statement"] = c["statement"]
        elif c.get("file"):
            upload = c["file"]
            fields.update(
                file=upload,
                original_filename=fit_filename(upload.name),
                content_type=self.detected_type,
                size=upload.size,
            )
        return fields


class EvidenceReviewForm(GDSFormMixin, forms.Form):
    submit_label = "Save decision"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(Evidence.Status.ACCEPTED, "Accept"), (Evidence.Status.CHANGES_REQUESTED, "Ask for changes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select accept or ask for changes"},
    )
    comment = forms.CharField(
        label="Comment for the school",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you ask for changes.",
    )
    seen_status = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Evidence.Status.CHANGES_REQUESTED and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Enter what the school needs to change")
        return cleaned


class EvidenceSubmitForm(GDSFormMixin, forms.Form):
    submit_label = "Submit for review"
    comment = forms.CharField(
        label="Your response to the officer's comment (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvidenceSubmitDraftsForm(GDSFormMixin, forms.Form):
    """The lead ticks the drafts to send to the officer together."""

    submit_label = "Submit for review"

    drafts = forms.MultipleChoiceField(
        label="Which drafts do you want to submit?",
        help_text="Select all that are ready. Your officer reviews each one.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the drafts to submit", "invalid_choice": "Select the drafts to submit"},
    )

    def __init__(self, *args, drafts: list[Evidence], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drafts"].choices = [
            (str(e.public_id), f"{e.title} ({', '.join(c.code for c in e.criteria.all()) or 'no criteria'})")
            for e in drafts
        ]
        self.initial.setdefault("drafts", [str(e.public_id) for e in drafts])
