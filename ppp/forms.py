"""Shared form plumbing: every PPP form renders with the GOV.UK Design System."""

import html
import re
from typing import TYPE_CHECKING, cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Submit
from django import forms
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

# Django's own wording, which a GOV.UK service never shows (issue 10).
_DJANGO_WORDS = re.compile(
    r"^(This field is required|Enter a valid|Ensure this value|Select a valid choice|Enter a whole number|"
    r"Enter a number|No file was submitted|The submitted file is empty|Enter a list of values|"
    r"Upload a valid image|The submitted data was not a file)"
)
_QUESTION = re.compile(r"^(why|what|how|who|when|which|where|do|does|did|is|are|can|will|has|have)\b", re.I)


def field_noun(field: forms.Field) -> str:
    """What the field is, for its error messages: `field.noun` if the form set one, else
    its label without "(optional)" — "Your answer" for a label that is a question."""
    noun = getattr(field, "noun", None)
    if noun:
        return noun
    label = re.sub(r"\s*\([^)]*\)", "", html.unescape(str(field.label or ""))).strip().rstrip("?:").strip()
    if not label or _QUESTION.match(label.rsplit(":", 1)[-1].strip()):
        return "your answer"
    return label[:1].lower() + label[1:] if not label[:2].isupper() else label


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def govuk_messages(form: forms.BaseForm) -> None:
    """Give every field GOV.UK error messages that name it, wherever the form left Django's
    own ("This field is required.", "Ensure this value has at most 200 characters…").
    Messages a form sets itself are kept."""
    for field in form.fields.values():
        noun = field_noun(field)
        name = _capital(noun)
        choosing = isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField) or isinstance(
            field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.Select
        )
        wanted = {
            "required": f"Select {noun}" if choosing else f"Enter {noun}",
            "max_length": f"{name} must be %(limit_value)d characters or fewer",
            "min_length": f"{name} must be %(limit_value)d characters or more",
            "invalid_choice": f"Select one of the options for {noun}",
            "invalid_list": f"Select one of the options for {noun}",
            "invalid_pk_value": f"Select one of the options for {noun}",
            "min_value": f"{name} must be %(limit_value)s or more",
            "max_value": f"{name} must be %(limit_value)s or less",
            "empty": "The selected file is empty",
            "missing": f"Select {noun}",
        }
        if isinstance(field, forms.EmailField):
            wanted["invalid"] = "Enter an email address in the correct format, like name@example.com"
        elif isinstance(field, forms.URLField):
            wanted["invalid"] = "Enter a web address in the correct format, like https://www.example.org"
        elif isinstance(field, forms.IntegerField):
            wanted["invalid"] = f"{name} must be a whole number"
        elif isinstance(field, forms.DecimalField | forms.FloatField):
            wanted["invalid"] = f"{name} must be a number"
        for code, message in wanted.items():
            current = field.error_messages.get(code)
            if current is None or _DJANGO_WORDS.match(str(current)):
                field.error_messages[code] = message
        # Length and range limits are checked by validators, whose messages Django swaps
        # for `error_messages[code]` only when the code is there (set above).


# To mypy GDSFormMixin is a form (it uses a form's fields); at run time it is a plain class
# mixed into one.
if TYPE_CHECKING:
    _Form = forms.BaseForm
else:
    _Form = object


class GOVUKMessagesMixin:
    """Every form in PPP answers in GOV.UK words (see `govuk_messages`); applied when the
    form validates, so fields added in a form's own `__init__` are covered too."""

    def full_clean(self):
        govuk_messages(cast(forms.BaseForm, self))
        super().full_clean()  # type: ignore[misc]  # the form's own, after this mixin


class GDSFormMixin(GOVUKMessagesMixin, _Form):
    """Gives a form a crispy-forms-gds helper with one submit button.

    Set `submit_label` on the form class; the template renders `{% crispy form %}`
    after `{% include "includes/error_summary.html" %}`.

    The helper is built the first time it is used, not in `__init__`: crispy's default
    layout lists the fields that exist when the helper is made, so a form that adds
    fields in its own `__init__` (one per charter commitment, say) would otherwise
    render without them. A form may still set `self.helper.layout` in its `__init__`.
    """

    submit_label = "Continue"

    @cached_property
    def helper(self) -> FormHelper:
        self.escape_labels()
        helper = FormHelper(self)
        helper.add_input(Submit("submit", self.submit_label))
        # Errors come from the server, in the error summary, never the browser's bubbles.
        helper.attrs = {"novalidate": ""}
        return helper

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and getattr(self, "_errors", None) is not None:
            self.forget_hidden_answers()

    def forget_hidden_answers(self) -> None:
        """Fields revealed under a radio option (crispy-forms-gds `ConditionalQuestion`) that
        is not the one chosen are hidden from the person: their errors and values are
        dropped. Otherwise a mistake typed under one option ("Another date": 35 12 2026; a
        meeting link for an online session) blocks the form after another option is chosen,
        with an error on a field nobody can see."""
        for radios in _conditional_radios(getattr(self.helper, "layout", None)):
            field = self.fields.get(radios.field)
            if field is None or radios.field not in self.cleaned_data:
                continue
            value_of = {str(label): str(value) for value, label in getattr(field, "choices", [])}
            chosen = str(self[radios.field].data)  # as sent, like the choices' values (not a model)
            for question in radios.choices:
                if isinstance(question, ConditionalQuestion) and value_of.get(str(question.value)) != chosen:
                    for name in _field_names(question):
                        self.errors.pop(name, None)
                        self.cleaned_data.pop(name, None)

    def escape_labels(self) -> None:
        """crispy-forms-gds prints labels and hints as HTML (`|safe`): escape any that are
        plain text, such as labels built from charter text officers edit. Hints built with
        `format_html` are already safe and stay as they are."""
        for field in self.fields.values():
            for attribute in ("label", "help_text"):
                value = getattr(field, attribute)
                if value and not isinstance(value, SafeData):
                    setattr(field, attribute, conditional_escape(value))


def _field_names(layout) -> list[str]:
    """The names of the fields in a crispy layout object (`"venue"`, `Field.text("name")`)."""
    names = []
    for child in getattr(layout, "fields", None) or []:
        names.extend([child] if isinstance(child, str) else _field_names(child))
    return names


def _conditional_radios(layout):
    """Every `ConditionalRadios` in a crispy layout, however deep."""
    if isinstance(layout, ConditionalRadios):
        yield layout
        return
    for child in getattr(layout, "fields", None) or []:
        if not isinstance(child, str):
            yield from _conditional_radios(child)


def posted(request):
    """The form data of a POST (even an empty one), or None on a GET: `Form(posted(request))`.
    (`request.POST or None` would treat an empty POST as no POST and skip validation.)"""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None
