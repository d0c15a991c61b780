"""Shared form plumbing: every PPP form renders with the GOV.UK Design System."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django.utils.functional import cached_property


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
        helper = FormHelper(self)
        helper.add_input(Submit("submit", self.submit_label))
        return helper
