"""Form fields whose error messages follow the GOV.UK Design System: they name what is
wrong in the person's words ("Enter the date of the visit", "Date of the visit must be a
real date"), never Django's "This field is required." or Python's "day is out of range".

Each takes `noun`, what the field is ("the date of the visit"), and builds its messages
from it; the label is the noun with a capital letter unless given.
"""

import datetime
import re

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils import timezone


def _sentence(noun: str) -> str:
    """ "the date of the visit" → "Date of the visit"."""
    words = noun.removeprefix("the ").removeprefix("your ")
    return words[:1].upper() + words[1:]


class GOVUKDateField(DateInputField):
    """A GOV.UK date input (day, month, year boxes) with GOV.UK messages, and optionally a
    rule on when the date may be (`not_past`, `not_future`)."""

    def __init__(self, *, noun: str, not_past: bool = False, not_future: bool = False, **kwargs):
        self.noun, self.not_past, self.not_future = noun, not_past, not_future
        kwargs.setdefault("label", _sentence(noun))
        kwargs.setdefault("help_text", f"For example, {timezone.localdate() + datetime.timedelta(days=30):%-d %-m %Y}")
        super().__init__(**kwargs)
        name = _sentence(noun)
        self.error_messages["required"] = f"Enter {noun}"
        self.error_messages["incomplete"] = f"{name} must include a day, month and year"
        self.error_messages["invalid"] = f"{name} must be a real date"
        for part, field in zip(("day", "month", "year"), self.fields, strict=True):
            field.error_messages["incomplete"] = f"{name} must include a {part}"
            field.validators = [RegexValidator(r"^\s*[0-9]{1,4}\s*$", f"{name} must be a real date")]

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            value = datetime.date(day=int(day), month=int(month), year=int(year))
        except ValueError:
            raise ValidationError(f"{_sentence(self.noun)} must be a real date", code="invalid") from None
        if value.year < 1900 or value.year > 2100:
            raise ValidationError(f"{_sentence(self.noun)} must be a real date", code="invalid")
        today = timezone.localdate()
        if self.not_past and value < today:
            raise ValidationError(f"{_sentence(self.noun)} must be today or in the future", code="past")
        if self.not_future and value > today:
            raise ValidationError(f"{_sentence(self.noun)} must be today or in the past", code="future")
        return value


TIME = re.compile(r"^\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?P<half>[ap]\.?m\.?)?\s*$", re.IGNORECASE)


class GOVUKTimeField(forms.Field):
    """A time typed as 09:30, 9.30, 14:00 or 2:00pm, with GOV.UK messages."""

    widget = forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false", "inputmode": "text"})

    def __init__(self, *, noun: str, **kwargs):
        self.noun = noun
        kwargs.setdefault("label", _sentence(noun))
        kwargs.setdefault("help_text", "Use the 24-hour clock, for example 09:30 or 14:00")
        super().__init__(**kwargs)
        self.error_messages["required"] = f"Enter {noun}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.time):
            return value
        match = TIME.match(str(value))
        if match is None:
            raise ValidationError(f"{_sentence(self.noun)} must be a real time, like 09:30 or 14:00", code="invalid")
        hour, minute = int(match["hour"]), int(match["minute"])
        if match["half"]:
            if not 1 <= hour <= 12:
                raise ValidationError(f"{_sentence(self.noun)} must be a real time, like 09:30 or 14:00")
            hour = hour % 12 + (12 if match["half"].lower().startswith("p") else 0)
        if hour > 23 or minute > 59:
            raise ValidationError(f"{_sentence(self.noun)} must be a real time, like 09:30 or 14:00", code="invalid")
        return datetime.time(hour, minute)

    def prepare_value(self, value):
        return value.strftime("%H:%M") if isinstance(value, datetime.time) else value


class GOVUKWholeNumberField(forms.IntegerField):
    """A whole number between `min_value` and `max_value`, with GOV.UK messages."""

    def __init__(self, *, noun: str, min_value: int, max_value: int, unit: str = "", **kwargs):
        kwargs.setdefault("label", _sentence(noun))
        attrs = {"class": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": "false"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        unit = f" {unit}" if unit else ""
        name = _sentence(noun)
        self.error_messages.update(
            {
                "required": f"Enter {noun}",
                "invalid": f"{name} must be a whole number",
                "min_value": f"{name} must be {min_value}{unit} or more",
                "max_value": f"{name} must be {max_value}{unit} or fewer",
            }
        )
        for validator in self.validators:
            if isinstance(validator, MinValueValidator):
                validator.message = self.error_messages["min_value"]
            if isinstance(validator, MaxValueValidator):
                validator.message = self.error_messages["max_value"]
