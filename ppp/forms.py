"""Shared form plumbing: every PPP form renders with the GOV.UK Design System."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit


class GDSFormMixin:
    """Gives a form a crispy-forms-gds helper with one submit button.

    Set `submit_label` on the form class; the template renders `{% crispy form %}`
    after `{% include "includes/error_summary.html" %}`.
    """

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", self.submit_label))
