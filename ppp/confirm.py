""" "Are you sure?" pages for decisions that cannot easily be undone.

A view that makes such a decision answers GET with `confirm_page(...)` (what will happen,
a warning, the button) and does the work on POST. The page posts back to the same URL, so
one URL is one action whichever way it is reached.
"""

from dataclasses import dataclass, field

from django.shortcuts import render


@dataclass(frozen=True)
class Confirmation:
    question: str  # "Are you sure you want to remove Bob from School A?"
    caption: str  # the organisation's name
    button: str  # "Yes, remove Bob"
    back_url: str
    happens: list[str] = field(default_factory=list)  # what the decision does, one line each
    warning: str = ""
    destructive: bool = True
    back_text: str = "Back"


def confirm_page(request, confirmation: Confirmation, form=None, status: int = 200):
    return render(request, "confirm.html", {"confirm": confirmation, "form": form}, status=status)
