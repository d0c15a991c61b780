"""Forms for staff (the record, people involved, reviews) and for pupils (telling someone,
coming back with a code). Errors are in GOV.UK words naming the field; the same rules are
checked again in `incidents.services`."""

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import (
    HTML,
    ConditionalQuestion,
    ConditionalRadios,
    Div,
    Field,
    Fieldset,
    Layout,
    Size,
    Submit,
)
from django import forms
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from ppp.fields import GOVUKTimeField
from ppp.forms import GDSFormMixin, GOVUKMessagesMixin

from .models import (
    Category,
    Form,
    InformedHow,
    Location,
    Mode,
    PupilWhen,
    ReportedBy,
    Role,
    YearGroup,
)
from .services import MAX_MESSAGE, MAX_REFERENCE, MAX_TEXT, IncidentDetails, looks_like_full_name

YES_NO = [("yes", "Yes"), ("no", "No")]


class FormMixin(GDSFormMixin):
    """PPP's GOV.UK form helper, with the browser's own validation off (`novalidate`):
    errors come from the server, in the error summary."""

    @cached_property
    def helper(self) -> FormHelper:
        self.escape_labels()
        helper = FormHelper(self)
        helper.attrs = {"novalidate": ""}
        helper.add_input(Submit("submit", self.submit_label))
        return helper


def _yes_no(value: str):
    return {"yes": True, "no": False}.get(value)


def _answer(value) -> str:
    return {True: "yes", False: "no"}.get(value, "")


class DateField(DateInputField):
    """The GOV.UK date input with messages that name the date."""

    def __init__(self, *, what: str, **kwargs):
        super().__init__(**kwargs)
        self.what = what
        real = f"{what[0].upper()}{what[1:]} must be a real date"
        self.real_date = real
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"Enter {what} as a day, month and year"
        for field, part in zip(self.fields, ("day", "month", "year"), strict=True):
            field.error_messages["incomplete"] = f"Enter the {part} of {what}"
            field.validators = [RegexValidator(r"^[0-9]{1,4}$", real)]

    def compress(self, data_list):
        try:
            day = super().compress(data_list)
        except forms.ValidationError:
            raise forms.ValidationError(self.real_date) from None
        if day and not 2000 <= day.year <= 2100:
            raise forms.ValidationError(self.real_date)
        return day


def _radios(label, choices, required_message, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
        **kwargs,
    )


class IncidentForm(FormMixin, forms.Form):
    """Recording an incident, changing it, or triaging a new report into one."""

    submit_label = "Save the record"

    occurred_on = DateField(
        what="the date of the incident", label="Date it happened", help_text="For example, 27 3 2026"
    )
    occurred_time = GOVUKTimeField(
        noun="the time of the incident",
        label="Time (optional)",
        required=False,
        help_text="For example, 13:45 or 1.45pm",
    )
    reported_on = DateField(
        what="the date it was reported",
        label="Date it was reported",
        help_text="When the school was told. Today, unless it was told on an earlier day.",
    )
    reported_by = _radios("Who reported it?", ReportedBy.choices, "Choose who reported it")
    location = _radios("Where did it happen?", Location.choices, "Choose where it happened")
    mode = _radios("Was it face to face or online?", Mode.choices, "Choose face to face, online or both")
    bullying_forms = forms.MultipleChoiceField(
        label="What form did it take?",
        help_text="Choose all that apply.",
        choices=Form.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one form the incident took",
            "invalid_choice": "Choose the forms the incident took from the list",
        },
    )
    categories = forms.MultipleChoiceField(
        label="Was it related to prejudice?",
        help_text="Choose any that apply. Leave them all empty if it was not.",
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose prejudice-related categories from the list"},
    )
    description = forms.CharField(
        label="What happened?",
        help_text="Use pupils' initials or the school's references, never their names.",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Describe what happened",
            "max_length": f"The description must be {MAX_TEXT:,} characters or fewer",
        },
    )
    stop_several_times = _radios("Has it happened several times?", YES_NO, "Say whether it has happened several times")
    stop_on_purpose = _radios("Was it done on purpose?", YES_NO, "Say whether it was done on purpose")
    stop_power_imbalance = _radios(
        "Is there an imbalance of power?",
        YES_NO,
        "Say whether there is an imbalance of power",
        help_text="For example age, size, popularity, numbers, or a disability or need.",
    )
    immediate_action = forms.CharField(
        label="Immediate action taken (optional)",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The immediate action must be {MAX_TEXT:,} characters or fewer"},
    )
    restorative_used = forms.BooleanField(label="A restorative approach was used", required=False)
    parents_informed = _radios(
        "Have parents or carers been told?",
        [("yes", "Yes"), ("no", "Not yet")],
        "Say whether parents or carers have been told",
    )
    parents_informed_on = DateField(
        what="the date parents or carers were told", label="When were they told?", required=False
    )
    parents_informed_how = forms.ChoiceField(
        label="How were they told?",
        choices=[("", "Choose how"), *InformedHow.choices],
        required=False,
        error_messages={"invalid_choice": "Choose how parents or carers were told from the list"},
    )
    review_date = DateField(
        what="the review date",
        label="Review date (optional)",
        required=False,
        help_text="When you will check the response has worked. For example, 15 4 2026",
    )

    def __init__(self, *args, incident=None, submit_label=None, **kwargs):
        if incident is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(incident)
        if submit_label:
            self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Fieldset(
                Field("occurred_on"),
                Field.text("occurred_time", field_width=5),
                Field("reported_on"),
                Field.radios("reported_by", legend_size=Size.SMALL),
                Field.radios("location", legend_size=Size.SMALL),
                Field.radios("mode", legend_size=Size.SMALL, inline=True),
                legend="When and where",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.checkboxes("bullying_forms", legend_size=Size.SMALL, small=True),
                Field.checkboxes("categories", legend_size=Size.SMALL, small=True),
                Field.textarea("description"),
                legend="What happened",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                HTML(
                    '<p class="govuk-body">Bullying is behaviour that happens <strong>Several Times On '
                    "Purpose</strong> (STOP) where there is an imbalance of power. Anything else is still "
                    "recorded, as a one-off incident or a conflict.</p>"
                ),
                Field.radios("stop_several_times", legend_size=Size.SMALL, inline=True),
                Field.radios("stop_on_purpose", legend_size=Size.SMALL, inline=True),
                Field.radios("stop_power_imbalance", legend_size=Size.SMALL, inline=True),
                legend="The STOP test",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.textarea("immediate_action"),
                Field.checkbox("restorative_used"),
                Field.radios("parents_informed", legend_size=Size.SMALL, inline=True),
                Field("parents_informed_on"),
                Field.select("parents_informed_how"),
                Field("review_date"),
                legend="What was done",
                legend_size=Size.MEDIUM,
            ),
        )

    @staticmethod
    def initial_from(incident) -> dict:
        occurred = timezone.localtime(incident.occurred_at) if incident.occurred_at else None
        return {
            "occurred_on": occurred.date() if occurred else None,
            "occurred_time": occurred.strftime("%H:%M") if occurred and occurred.time() != datetime.time.min else None,
            "reported_on": incident.reported_on,
            "reported_by": incident.reported_by,
            "location": incident.location,
            "mode": incident.mode,
            "bullying_forms": incident.forms,
            "categories": incident.categories,
            "description": incident.description or "",
            "stop_several_times": _answer(incident.stop_several_times),
            "stop_on_purpose": _answer(incident.stop_on_purpose),
            "stop_power_imbalance": _answer(incident.stop_power_imbalance),
            "immediate_action": incident.immediate_action or "",
            "restorative_used": incident.restorative_used,
            "parents_informed": _answer(incident.parents_informed),
            "parents_informed_on": incident.parents_informed_on,
            "parents_informed_how": incident.parents_informed_how,
            "review_date": incident.review_date,
        }

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        occurred_on = cleaned.get("occurred_on")
        if occurred_on:
            when = datetime.datetime.combine(occurred_on, cleaned.get("occurred_time") or datetime.time.min)
            cleaned["occurred_at"] = timezone.make_aware(when)
            if occurred_on > today or cleaned["occurred_at"] > timezone.now():
                self.add_error("occurred_on", "The date of the incident must be today or in the past")
        if cleaned.get("parents_informed") == "yes":
            told = cleaned.get("parents_informed_on")
            if told is None and "parents_informed_on" not in self.errors:
                self.add_error("parents_informed_on", "Enter the date parents or carers were told")
            elif told and told > today:
                self.add_error(
                    "parents_informed_on", "The date parents or carers were told must be today or in the past"
                )
            elif told and occurred_on and told < occurred_on:
                self.add_error(
                    "parents_informed_on",
                    "The date parents or carers were told must be on or after the date of the incident",
                )
        reported_on = cleaned.get("reported_on")
        if reported_on and reported_on > today:
            self.add_error("reported_on", "The date it was reported must be today or in the past")
        elif reported_on and occurred_on and reported_on < occurred_on:
            self.add_error("reported_on", "The date it was reported must be on or after the date of the incident")
        review = cleaned.get("review_date")
        if review and occurred_on and review < occurred_on:
            self.add_error("review_date", "The review date must be on or after the date of the incident")
        return cleaned

    def details(self) -> IncidentDetails:
        c = self.cleaned_data
        informed = _yes_no(c["parents_informed"])
        return IncidentDetails(
            occurred_at=c["occurred_at"],
            reported_by=c["reported_by"],
            location=c["location"],
            mode=c["mode"],
            forms=list(c["bullying_forms"]),
            categories=list(c["categories"]),
            description=c["description"],
            stop_several_times=_yes_no(c["stop_several_times"]),
            stop_on_purpose=_yes_no(c["stop_on_purpose"]),
            stop_power_imbalance=_yes_no(c["stop_power_imbalance"]),
            immediate_action=c["immediate_action"],
            restorative_used=c["restorative_used"],
            parents_informed=informed,
            parents_informed_on=c["parents_informed_on"] if informed else None,
            parents_informed_how=c["parents_informed_how"] if informed else "",
            review_date=c["review_date"],
            reported_on=c["reported_on"],
        )


class InvolvementForm(FormMixin, forms.Form):
    submit_label = "Save"

    pupil_reference = forms.CharField(
        label="Pupil reference",
        max_length=MAX_REFERENCE,
        help_text="The school's own reference for the pupil, or their initials. Never their full name.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the pupil's reference or initials",
            "max_length": f"The pupil reference must be {MAX_REFERENCE} characters or fewer",
        },
    )
    confirm_not_a_name = forms.BooleanField(label="This is not the pupil's name", required=False)
    role = _radios("Their part in it", Role.choices, "Choose the pupil's part in the incident")
    year_group = forms.ChoiceField(
        label="Year group",
        choices=YearGroup.choices,
        initial=YearGroup.NOT_KNOWN,
        error_messages={"required": "Choose the year group", "invalid_choice": "Choose the year group from the list"},
    )
    send = forms.BooleanField(label="The pupil has special educational needs or a disability (SEND)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.name_warning = False
        # The "not a name" box appears only once a reference that looks like a name is sent.
        looks_like_name = self.is_bound and looks_like_full_name(self.data.get("pupil_reference", ""))
        self.helper.layout = Layout(
            Field.text("pupil_reference", field_width=20),
            *([Div(Field.checkbox("confirm_not_a_name"), css_id="confirm-not-a-name")] if looks_like_name else []),
            Field.radios("role", legend_size=Size.SMALL),
            Field.select("year_group"),
            Field.checkbox("send"),
        )

    def clean(self):
        cleaned = super().clean()
        reference = cleaned.get("pupil_reference", "")
        if reference and looks_like_full_name(reference) and not cleaned.get("confirm_not_a_name"):
            self.name_warning = True
            self.add_error(
                "pupil_reference",
                "The pupil reference looks like a full name. Use the school's reference or the pupil's initials, "
                "or tick 'This is not the pupil's name'",
            )
        return cleaned


class ReviewForm(FormMixin, forms.Form):
    submit_label = "Set the review"
    review_date = DateField(
        what="the review date",
        label="Review date",
        help_text="When you will check with the pupils involved that it has stopped. For example, 15 4 2026",
    )

    def clean_review_date(self):
        day = self.cleaned_data["review_date"]
        if day and day < timezone.localdate():
            raise forms.ValidationError("The review date must be today or in the future")
        return day


def _text(label, required_message, *, help_text="", rows=4, max_length=MAX_TEXT):
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


class ResolveForm(FormMixin, forms.Form):
    submit_label = "Resolve the incident"
    outcome = _text(
        "Outcome",
        "Describe the outcome",
        help_text="What was done, what the pupils involved said at the review, and whether it has stopped.",
    )


class ReasonForm(FormMixin, forms.Form):
    submit_label = "Confirm"
    reason = _text("Reason", "Give a reason", rows=3, max_length=2000)


class RemovePersonForm(FormMixin, forms.Form):
    submit_label = "Remove this person"
    reason = _text(
        "Why are you removing this person from the record?",
        "Say why this person is being removed from the record",
        help_text="For example, the wrong pupil was added. The reason stays in the record's history.",
        rows=3,
        max_length=2000,
    )


class NoteForm(FormMixin, forms.Form):
    submit_label = "Add the note"
    body = _text("Note", "Enter the note", help_text="A conversation, a follow-up, something you noticed.")


class ReplyForm(FormMixin, forms.Form):
    submit_label = "Send the reply"
    body = _text(
        "Your reply to the pupil",
        "Enter your reply",
        help_text="The pupil reads this with their code. Write simply and kindly, and never name another pupil.",
        max_length=MAX_MESSAGE,
    )


class RoleForm(FormMixin, forms.Form):
    submit_label = "Save"
    can_record = forms.BooleanField(label="Records incidents", required=False)
    can_review = forms.BooleanField(label="Reviews incidents", required=False)


class PupilReferenceForm(FormMixin, forms.Form):
    submit_label = "Find"
    pupil_reference = forms.CharField(
        label="Pupil reference",
        max_length=MAX_REFERENCE,
        help_text="The reference or initials as your school records them.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the pupil reference",
            "max_length": f"The pupil reference must be {MAX_REFERENCE} characters or fewer",
        },
    )


class PosterForm(FormMixin, forms.Form):
    submit_label = "Download the poster (PDF)"
    link = forms.CharField(
        label="Your school's reporting link",
        max_length=300,
        help_text="Paste the link you saved when you made it. We keep only a scrambled copy, so cannot show it again.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter your school's reporting link"},
    )

    @cached_property
    def helper(self) -> FormHelper:
        helper = super().helper
        helper.form_action = reverse("incidents:poster")
        return helper

    def token(self) -> str:
        value = self.cleaned_data["link"].strip().rstrip("/")
        return value.rsplit("/", 1)[-1]


# For pupils: plain words, short, and nothing they must give.


class TellForm(FormMixin, forms.Form):
    submit_label = "Send"

    what_happened = forms.CharField(
        label="What happened?",
        help_text="Tell us in your own words. You can write as much or as little as you like.",
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Tell us what happened",
            "max_length": f"What happened must be {MAX_MESSAGE:,} letters or fewer. Try saying it more briefly",
        },
    )
    where = forms.ChoiceField(
        label="Where did it happen?",
        choices=[
            (Location.CLASSROOM, "In a classroom"),
            (Location.CORRIDOR, "In a corridor"),
            (Location.PLAYGROUND, "In the playground"),
            (Location.TOILETS, "In the toilets"),
            (Location.DINING_HALL, "In the dining hall"),
            (Location.JOURNEY, "On the way to or from school"),
            (Location.ONLINE, "Online, like on a phone, a game or an app"),
            (Location.OTHER, "Somewhere else"),
            (Location.NOT_KNOWN, "I don't want to say"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where it happened", "invalid_choice": "Choose where it happened"},
    )
    when = forms.ChoiceField(
        label="When did it happen?",
        choices=PupilWhen.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when it happened", "invalid_choice": "Choose when it happened"},
    )
    who = forms.CharField(
        label="Who was it? (you do not have to say)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Who was it must be 500 letters or fewer"},
    )
    tell_name = forms.ChoiceField(
        label="Do you want to tell us who you are?",
        choices=[("no", "No, I want to stay anonymous"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": "Choose whether to tell us who you are", "invalid_choice": "Choose yes or no"},
    )
    name = forms.CharField(
        label="Your name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": "Your name must be 100 letters or fewer"},
    )
    class_name = forms.CharField(
        label="Your class",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-10"}),
        error_messages={"max_length": "Your class must be 50 letters or fewer"},
    )
    # A honeypot: hidden from people (and from screen readers), filled in by bots.
    website = forms.CharField(required=False, max_length=200)
    # One report per page load: sending the same page twice saves it once.
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("what_happened", label_size=Size.MEDIUM),
            Field.radios("where", legend_size=Size.MEDIUM),
            Field.radios("when", legend_size=Size.MEDIUM),
            Field.textarea("who", label_size=Size.MEDIUM),
            Fieldset(
                # The name and class boxes show under "Yes" only (static/ppp/init.js);
                # without JavaScript both show, and "stay anonymous" keeps them unsaved.
                ConditionalRadios(
                    "tell_name",
                    "No, I want to stay anonymous",
                    ConditionalQuestion("Yes", Field.text("name"), Field.text("class_name", field_width=10)),
                ),
                legend="You",
                legend_size=Size.MEDIUM,
            ),
            Div(Field.text("website"), css_class="govuk-visually-hidden", aria_hidden="true"),
            Field("submission"),
        )
        self.fields["website"].label = "Leave this blank"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("tell_name") == "yes" and not cleaned.get("name", "").strip():
            self.add_error("name", "Write your name, or choose 'No, I want to stay anonymous'")
        return cleaned

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class CodeForm(GOVUKMessagesMixin, forms.Form):
    code = forms.CharField(
        label="Your code",
        max_length=40,
        help_text="It looks like H3MP-9RWX-4KTE-7QDA.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}),
        error_messages={"required": "Enter your code", "max_length": "Check your code: it is 16 letters and numbers"},
    )


class PupilAddForm(GOVUKMessagesMixin, forms.Form):
    code = forms.CharField(
        max_length=40,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Your code is missing: go back, enter your code again, then add your message",
            "max_length": "Your code is missing: go back, enter your code again, then add your message",
        },
    )
    body = forms.CharField(
        label="Add something",
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write what you want to add",
            "max_length": f"Your message must be {MAX_MESSAGE:,} letters or fewer",
        },
    )


class FiguresForm(GOVUKMessagesMixin, forms.Form):
    """Which published release (a closed term) and which incidents to show."""

    release = forms.ChoiceField(label="Term", choices=[], required=False)
    which = forms.ChoiceField(
        label="Incidents",
        choices=[("all", "Every recorded incident"), ("bullying", "Only those that meet the STOP test")],
        required=False,
    )

    def __init__(self, *args, releases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].choices = [(release.period.slug, release.period.label) for release in releases]
