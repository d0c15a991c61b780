"""History notes say what really changed, in words a person reads."""

import datetime

from ppp.history import changes_note

LABELS = {"due": "Due date", "text": "Statement", "listed": "Listed"}


def test_a_value_that_reads_the_same_is_no_change():
    day = datetime.date(2026, 12, 18)
    assert changes_note({"due": day, "text": "A b"}, {"due": day, "text": "A\r\n b "}, LABELS) == ""


def test_short_values_read_from_and_to():
    note = changes_note({"due": datetime.date(2026, 12, 18)}, {"due": datetime.date(2027, 1, 8)}, LABELS)
    assert note == "Due date: 18 December 2026 → 8 January 2027"


def test_long_or_several_line_texts_give_the_earlier_and_the_new_words():
    note = changes_note({"text": "One line."}, {"text": "First line.\nSecond line."}, LABELS)
    assert note == "Statement changed.\nEarlier: One line.\nNow: First line.\nSecond line."


def test_yes_no_and_empty_values_read_plainly():
    assert changes_note({"listed": False, "text": ""}, {"listed": True, "text": "x"}, LABELS) == (
        "Statement: (none) → x\nListed: No → Yes"
    )
