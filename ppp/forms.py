"""Shared form plumbing: every PPP form renders with the GOV.UK Design System."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData


class GDSFormMixin:
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

    def escape_labels(self) -> None:
        """crispy-forms-gds prints labels and hints as HTML (`|safe`): escape any that are
        plain text, such as labels built from charter text officers edit. Hints built with
        `format_html` are already safe and stay as they are."""
        for field in self.fields.values():
            for attribute in ("label", "help_text"):
                value = getattr(field, attribute)
                if value and not isinstance(value, SafeData):
                    setattr(field, attribute, conditional_escape(value))


def posted(request):
    """The form data of a POST (even an empty one), or None on a GET: `Form(posted(request))`.
    (`request.POST or None` would treat an empty POST as no POST and skip validation.)"""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None
