from crispy_forms_gds.fields import DateInputField
from django import forms
from django.utils import timezone

from ppp.forms import GDSFormMixin
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
        label="I agree to the terms of the Positive and Peaceful Places award, including the traded service charge",
        error_messages={"required": "You must agree to the terms to apply"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("package") == Application.Package.BESPOKE and not cleaned.get("bespoke_note", "").strip():
            self.add_error("bespoke_note", "Tell us what you would like from a bespoke package")
        return cleaned


class ReasonForm(GDSFormMixin, forms.Form):
    submit_label = "Confirm"
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Give a reason"}
    )


class NoteForm(GDSFormMixin, forms.Form):
    submit_label = "Send"
    note = forms.CharField(
        label="What more evidence is needed?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what more evidence is needed"},
    )


class AssignForm(GDSFormMixin, forms.Form):
    submit_label = "Assign"
    officer = forms.ModelChoiceField(label="Officer", queryset=None, empty_label="Choose an officer")

    def __init__(self, *args, **kwargs):
        from ppp.accounts.models import OFFICERS_GROUP, User

        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(
            is_active=True, is_staff=True, groups__name=OFFICERS_GROUP
        ).order_by("full_name")


class AwardForm(GDSFormMixin, forms.Form):
    submit_label = "Make the award"
    level = forms.ChoiceField(label="Level", required=False, widget=forms.RadioSelect)

    def __init__(self, *args, levels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if levels:
            self.fields["level"].choices = [(level, level) for level in levels]
            self.fields["level"].required = True
            self.fields["level"].error_messages["required"] = "Choose the level"
        else:
            del self.fields["level"]


def _aware(date, time):
    import datetime

    return timezone.make_aware(datetime.datetime.combine(date, time))


class VisitRequestForm(GDSFormMixin, forms.Form):
    submit_label = "Offer these dates"

    kind = forms.ChoiceField(label="Kind of visit", choices=Visit.Kind.choices, widget=forms.RadioSelect)
    mode = forms.ChoiceField(label="In person or online?", choices=Visit.Mode.choices, widget=forms.RadioSelect)
    first_date = DateInputField(label="First choice: date", help_text="For example, 27 3 2027")
    first_time = forms.TimeField(
        label="First choice: time",
        help_text="For example, 09:30",
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )
    second_date = DateInputField(label="Second choice: date")
    second_time = forms.TimeField(
        label="Second choice: time",
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )
    third_date = DateInputField(label="Third choice: date (optional)", required=False)
    third_time = forms.TimeField(
        label="Third choice: time (optional)",
        required=False,
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )
    note = forms.CharField(
        label="Who will be there, and anything the officer should know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

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
            self.add_error("third_time", "Give both a date and a time for the third choice, or neither")
        return cleaned


class VisitScheduleForm(GDSFormMixin, forms.Form):
    submit_label = "Book the visit"

    kind = forms.ChoiceField(label="Kind of visit", choices=Visit.Kind.choices, widget=forms.RadioSelect)
    mode = forms.ChoiceField(label="In person or online?", choices=Visit.Mode.choices, widget=forms.RadioSelect)
    date = DateInputField(label="Date", help_text="For example, 27 3 2027")
    time = forms.TimeField(
        label="Start time",
        help_text="For example, 09:30",
        widget=forms.TimeInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=15,
        max_value=480,
        initial=90,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    location = forms.CharField(label="Address or meeting link", max_length=200, required=False)
    attendees = forms.CharField(
        label="Who will attend (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label="If you are moving a booked visit, why?",
        required=False,
        help_text="The school is told the reason.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def starts_at(self):
        return _aware(self.cleaned_data["date"], self.cleaned_data["time"])


class VisitCompleteForm(GDSFormMixin, forms.Form):
    submit_label = "Save the visit record"

    report = forms.CharField(
        label="Report for the school",
        help_text="What you saw, what is going well, and the agreed next steps. The school can read and download this.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write a short report for the school"},
    )
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(
        label="Private notes (officers only)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionItemForm(GDSFormMixin, forms.ModelForm):
    submit_label = "Save action"

    due_date = DateInputField(label="Due date", help_text="For example, 27 3 2027")

    class Meta:
        model = ActionItem
        fields = ["criterion", "action", "owner", "due_date", "success_measure", "status"]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 3}),
            "success_measure": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "action": {"required": "Describe the action"},
            "owner": {"required": "Say who will do it"},
        }

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = Criterion.objects.filter(standard__scheme=scheme).select_related("standard")
        self.fields["criterion"].required = False
        self.fields["criterion"].empty_label = "Not linked to a criterion"
        self.fields["criterion"].label_from_instance = lambda c: f"{c.code} {c.statement[:90]}"


class EvidenceForm(GDSFormMixin, forms.Form):
    submit_label = "Save as draft"

    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Give the evidence a title"})
    kind = forms.ChoiceField(
        label="What are you adding?",
        choices=Evidence.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a file, a link or a written statement"},
    )
    file = forms.FileField(
        label="Upload the file",
        required=False,
        error_messages={"empty": "The selected file is empty", "invalid": "Select a file"},
    )
    url = forms.URLField(label="Web address of the link", required=False, max_length=500, assume_scheme="https")
    statement = forms.CharField(label="Your statement", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    criteria = forms.ModelMultipleChoiceField(
        label="Which criteria does this show?",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one criterion"},
    )

    def __init__(self, *args, scheme, editing: Evidence | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["criteria"].queryset = Criterion.objects.filter(standard__scheme=scheme).select_related("standard")
        self.fields["criteria"].label_from_instance = lambda c: f"{c.code} {c.statement}"
        from django.conf import settings

        self.fields["file"].help_text = f"{DESCRIPTION}, up to {settings.EVIDENCE_MAX_UPLOAD_MB} MB"

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
            self.add_error("url", "Enter the link")
        if kind == Evidence.Kind.STATEMENT and not cleaned.get("statement", "").strip():
            self.add_error("statement", "Write the statement")
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
        error_messages={"required": "Choose accept or ask for changes"},
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
            self.add_error("comment", "Say what needs to change")
        return cleaned


class EvidenceSubmitForm(GDSFormMixin, forms.Form):
    submit_label = "Submit for review"
    comment = forms.CharField(
        label="Your response to the officer's comment (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
