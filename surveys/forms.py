"""Forms for the school's lead (opening, extending a round; the poster) and for the people
answering (who they are, one page of questions, anything else). GOV.UK messages that name
the field; the rules are checked again in services."""

import datetime

from crispy_forms_gds.layout import Div, Field, Layout, Size, Submit
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils import timezone

from incidents.selectors import has_reporting_link, reporting_link_matches
from ppp.fields import GOVUKDateField
from ppp.forms import GDSFormMixin, GOVUKMessagesMixin

from .models import Audience, Question, YearGroup, years_message, years_outside
from .services import MAX_COMMENT, MAX_DAYS_OPEN


def _token(link: str) -> str:
    return link.strip().rstrip("/").rsplit("/", 1)[-1]


def _once_button(label: str) -> Submit:
    """A GOV.UK button that ignores a second click within a second (with JavaScript;
    ppp.once holds without it)."""
    return Submit("submit", label, data_module="govuk-button", data_prevent_double_click="true")


class RoundForm(GDSFormMixin, forms.Form):
    submit_label = "Open the round"

    audience = forms.ChoiceField(
        label="Who are you asking?",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who you are asking"},
    )
    opens_on = GOVUKDateField(noun="the opening date", not_past=True)
    closes_on = GOVUKDateField(noun="the closing date", not_past=True)
    year_groups = forms.MultipleChoiceField(
        label="Year groups asked",
        help_text="Pupils choose theirs when they start. Leave empty for parents, carers or staff.",
        choices=YearGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose year groups from the list"},
    )
    class_labels = forms.CharField(
        label="Class or group names (optional)",
        help_text="One a line, for example Oak or 7R. Pupils choose theirs; results are never shown for fewer than 10.",
        required=False,
        max_length=800,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Class or group names must be 800 characters or fewer"},
    )
    reporting_link = forms.CharField(
        label="Your school's reporting link (optional)",
        help_text="Paste it to show it on every page of the survey, so a pupil who needs to tell someone can.",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    on_register = forms.BooleanField(
        label="Say on the charter register that we asked our pupils this year",
        help_text="Pupil surveys only. The register shows that you asked, never any answers or figures.",
        required=False,
    )

    def __init__(self, *args, organisation=None, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)
        self.helper.inputs = [_once_button(self.submit_label)]
        example = timezone.localdate() + datetime.timedelta(days=30)
        self.fields[
            "closes_on"
        ].help_text = f"At most {MAX_DAYS_OPEN} days after the opening date. For example, {example:%-d %-m %Y}"

    def clean_class_labels(self):
        labels = []
        for line in self.cleaned_data["class_labels"].splitlines():
            label = " ".join(line.split())
            if not label:
                continue
            if len(label) > 40:
                raise forms.ValidationError("Each class or group name must be 40 characters or fewer")
            if label not in labels:
                labels.append(label)
        if len(labels) > 30:
            raise forms.ValidationError("Give at most 30 class or group names")
        return labels

    def clean_reporting_link(self):
        link = self.cleaned_data["reporting_link"].strip()
        if link and not reporting_link_matches(self.organisation, _token(link)):
            if not has_reporting_link(self.organisation):
                raise forms.ValidationError(
                    "Your school does not have a pupils' reporting link yet. Make one on the incidents "
                    "pages (Pupils' reporting link), or leave this empty"
                )
            raise forms.ValidationError("This is not your school's current reporting link. Check it, or leave it empty")
        return link

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        elif opens and closes and (closes - opens).days > MAX_DAYS_OPEN:
            self.add_error("closes_on", f"The closing date must be at most {MAX_DAYS_OPEN} days after the opening date")
        if cleaned.get("audience") in {
            a.value for a in (Audience.PUPILS_5_7, Audience.PUPILS_7_11, Audience.PUPILS_11_18)
        } and not cleaned.get("year_groups"):
            self.add_error("year_groups", "Choose the year groups you are asking")
        elif outside := years_outside(cleaned.get("audience") or "", cleaned.get("year_groups") or []):
            self.add_error("year_groups", years_message(cleaned["audience"], outside))
        return cleaned


class ExtendForm(GDSFormMixin, forms.Form):
    submit_label = "Extend the round"
    closes_on = GOVUKDateField(noun="the new closing date", not_past=True)


class RegisterNoteForm(GDSFormMixin, forms.Form):
    submit_label = "Save the register note"
    on_register = forms.BooleanField(
        label="Say on the charter register that we asked our pupils this year",
        help_text="The register shows that you asked, never any answers or figures.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False  # the page's own form names the round's address
        # Its own button name: the round's page has another form's button (ids must differ).
        self.helper.inputs = [Submit("register", self.submit_label, css_class="govuk-button--secondary")]


class PosterForm(GDSFormMixin, forms.Form):
    submit_label = "Download the poster (PDF)"
    link = forms.CharField(
        label="The round's link",
        max_length=300,
        help_text="Paste the link you saved when you opened the round. We keep only a scrambled copy.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter the round's link"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False  # the page's own form names the round's address

    def token(self) -> str:
        return _token(self.cleaned_data["link"])


# For the people answering


class _Honeypot(forms.Form):
    # Hidden from people (and from screen readers), filled in by bots.
    website = forms.CharField(required=False, max_length=200, error_messages={"max_length": "Leave this box blank"})

    def _hide_honeypot(self):
        self.fields["website"].label = "Leave this blank"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        return Div(Field.text("website"), css_class="govuk-visually-hidden", aria_hidden="true")

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class _AnsweringForm(GOVUKMessagesMixin, _Honeypot):
    """The forms of the pages people answer on, drawn with Django's form rendering API
    (the form's, each field's and each widget's own template under
    templates/surveys/answer/, through the project's template engine: `TemplatesSetting`)
    rather than crispy-forms' layout machinery: the same GOV.UK markup for about a third
    of the work, on the pages a whole class loads at once (bench/FINDINGS.md, issue 24).
    The page template holds the form tag, the CSRF token and the button."""

    default_renderer = TemplatesSetting
    template_name = "surveys/answer/form.html"
    legend_class = "govuk-fieldset__legend--m"
    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        honeypot = self.fields["website"]
        honeypot.label = "Leave this blank"
        honeypot.template_name = "surveys/answer/honeypot_field.html"
        honeypot.widget.template_name = "surveys/answer/widgets/input.html"
        honeypot.widget.attrs.update({"autocomplete": "off", "tabindex": "-1", "class": "govuk-input"})
        self.order_fields([name for name in self.fields if name != "website"] + ["website"])


CHOICES_FIELD = "surveys/answer/choices_field.html"


class _Radios(forms.RadioSelect):
    template_name = "surveys/answer/widgets/radios.html"

    def format_value(self, value):
        # Nothing chosen is nothing ticked: Django ticks an option whose value is "" (the
        # class question's "I'd rather not say") when there is no value, and GOV.UK
        # radios start with none chosen.
        return [] if value is None else super().format_value(value)


class _Checkboxes(forms.CheckboxSelectMultiple):
    template_name = "surveys/answer/widgets/checkboxes.html"


class _Choice(forms.ChoiceField):
    """One answer of several, drawn with the answering pages' field template."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.template_name = CHOICES_FIELD


class _Choices(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.template_name = CHOICES_FIELD


class StartForm(_AnsweringForm):
    submit_label = "Start"
    year_group = _Choice(
        label="What year are you in?",
        widget=_Radios,
        error_messages={"required": "Choose your year", "invalid_choice": "Choose your year"},
    )
    class_label = _Choice(
        label="Which class or group are you in?",
        required=False,
        widget=_Radios,
        error_messages={"invalid_choice": "Choose your class or group"},
    )

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        years = dict(YearGroup.choices)
        if round.year_groups:
            self.fields["year_group"].choices = [(y, years[y]) for y in round.year_groups]
        else:
            del self.fields["year_group"]
        if round.class_labels:
            self.fields["class_label"].choices = [(c, c) for c in round.class_labels] + [("", "I'd rather not say")]
        else:
            del self.fields["class_label"]


class QuestionPageForm(_AnsweringForm):
    """The questions of one page; each may be left out (skipped)."""

    submit_label = "Next"

    def __init__(self, *args, questions: list[Question], faces: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        if faces:
            self.legend_class = "govuk-fieldset__legend--l"
        for question in questions:
            name = f"q{question.position}"
            choices = [(str(n), label) for n, label in enumerate(question.choices)]
            if question.kind == Question.Kind.MULTIPLE:
                self.fields[name] = _Choices(
                    label=question.text,
                    choices=choices,
                    required=False,
                    widget=_Checkboxes,
                    help_text="You can skip this question.",
                    error_messages={"invalid_choice": "Choose from the list"},
                )
            else:
                self.fields[name] = _Choice(
                    label=question.text,
                    choices=choices,
                    required=False,
                    widget=_Radios,
                    help_text="You can skip this question.",
                    error_messages={"invalid_choice": "Choose one answer"},
                )
        self.order_fields([name for name in self.fields if name != "website"] + ["website"])

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = f"q{question.position}"
            chosen = cleaned.get(name) or []
            if question.kind == Question.Kind.MULTIPLE and str(question.rather_not_say) in chosen and len(chosen) > 1:
                self.add_error(name, "Choose the answers that are true, or “I’d rather not say”, not both")
        return cleaned

    def answers(self) -> dict[str, list[int]]:
        out = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.position}")
            if not value:
                continue
            chosen = [int(v) for v in (value if isinstance(value, list) else [value])]
            out[str(question.position)] = chosen
        return out

    @classmethod
    def initial_for(cls, questions, stored: dict) -> dict:
        initial = {}
        for question in questions:
            chosen = stored.get(str(question.position))
            if chosen:
                value = [str(c) for c in chosen]
                initial[f"q{question.position}"] = value if question.kind == Question.Kind.MULTIPLE else value[0]
        return initial


class _Comment(forms.CharField):
    def to_python(self, value):
        # A line break counts as one character, as the character count and the browser count it.
        return super().to_python(value).replace("\r\n", "\n")


class SendForm(GDSFormMixin, _Honeypot):
    submit_label = "Send my answers"
    comment = _Comment(
        label="Is there anything else you want to tell us? (optional)",
        help_text=(
            "Do not write your name or anyone else's. Your school's staff who look after bullying "
            "read this, but cannot reply, because they do not know who wrote it."
        ),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"What you write must be {MAX_COMMENT:,} characters or fewer"},
    )
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, free_text: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        fields = []
        if free_text:
            # A GOV.UK character count, and an error above the limit: no `maxlength`, with
            # which a browser cuts what is pasted without a word.
            self.fields["comment"].widget.attrs.pop("maxlength", None)
            fields.append(Field.textarea("comment", label_size=Size.MEDIUM, rows=4, max_characters=MAX_COMMENT))
        else:
            del self.fields["comment"]
        self.helper.layout = Layout(*fields, self._hide_honeypot(), Field("submission"))
        self.helper.inputs = [_once_button(self.submit_label)]
