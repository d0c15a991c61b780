"""GOV.UK date, time and number fields: what a person may type, and what they are told."""

import datetime

import pytest
from django import forms
from django.utils import timezone

from ppp.fields import GOVUKDateField, GOVUKTimeField, GOVUKWholeNumberField


class VisitForm(forms.Form):
    date = GOVUKDateField(noun="the date of the visit", not_past=True)
    time = GOVUKTimeField(noun="the start time")
    minutes = GOVUKWholeNumberField(noun="the length of the visit", min_value=15, max_value=480, unit="minutes")


def errors(**data) -> dict:
    form = VisitForm(data=data)
    form.is_valid()
    return {k: list(v) for k, v in form.errors.items()}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("09:30", (9, 30)),
        ("9.30", (9, 30)),
        ("0930", (9, 30)),
        ("930", (9, 30)),
        ("14:00", (14, 0)),
        ("2pm", (14, 0)),
        ("2 p.m.", (14, 0)),
        ("2:15PM", (14, 15)),
        ("12am", (0, 0)),
        ("12pm", (12, 0)),
        ("midday", (12, 0)),
        (" 10:05 ", (10, 5)),
    ],
)
def test_times_people_type_are_understood(typed, expected):
    assert GOVUKTimeField(noun="the start time").clean(typed) == datetime.time(*expected)


@pytest.mark.parametrize("typed", ["14", "25:00", "9:75", "13pm", "half nine", "9:3", "0:00:00"])
def test_times_that_are_not_real_say_so(typed):
    with pytest.raises(forms.ValidationError) as error:
        GOVUKTimeField(noun="the start time").clean(typed)
    assert error.value.messages == ["Start time must be a real time, like 09:30 or 14:00"]


def test_empty_fields_name_themselves():
    assert errors() == {
        "date": ["Enter the date of the visit"],
        "time": ["Enter the start time"],
        "minutes": ["Enter the length of the visit"],
    }


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2030", "Date of the visit must be a real date"),
        ("x", "2", "2030", "Date of the visit must be a real date"),
        ("1", "", "2030", "Date of the visit must include a month"),
        ("", "", "2030", "Date of the visit must include a day and a month"),
        ("1", "1", "3000", "Date of the visit must be a real date"),
        ("1", "1", "2001", "Date of the visit must be today or in the future"),
    ],
)
def test_dates_that_are_not_real_or_not_allowed_say_why(day, month, year, message):
    assert errors(date_0=day, date_1=month, date_2=year, time="10:00", minutes="60")["date"] == [message]


def test_a_real_future_date_is_accepted():
    day = timezone.localdate() + datetime.timedelta(days=3)
    assert errors(date_0=str(day.day), date_1=str(day.month), date_2=str(day.year), time="10:00", minutes="60") == {}


@pytest.mark.parametrize("typed", ["ten", "1.5", "10", "500"])
def test_numbers_outside_the_range_or_not_whole_say_so(typed):
    message = errors(minutes=typed)["minutes"][0]
    assert "length of the visit" in message.lower()
    assert any(words in message for words in ("whole number", "15 minutes or more", "480 minutes or fewer"))
