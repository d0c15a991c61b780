"""The award page's criteria rows, drawn in Python.

Each standard lists its criteria with the evidence that shows each, an "Add evidence" link
and what other apps offer: about 25 rows and 30 evidence links a page. As template nodes
they cost ~2.5 ms of the page's ~6 ms of drawing; here about a third of that. The markup
is the template's (tests/accreditation/test_pages.py reads it).
"""

import html

from django import template
from django.utils.safestring import mark_safe

from ppp.templatetags.ppp_tags import status_tag

register = template.Library()


def _h(value) -> str:
    """Django's conditional_escape, without its check for lazy strings on every call
    (a third of this tag's time): every value here is a str, a number or already safe."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


OFFER_TEMPLATE = "accreditation/includes/evidence_offer.html"


@register.simple_tag(takes_context=True)
def criteria_rows(context, progress: dict, add_evidence_url: str, offers: dict):
    """`{% criteria_rows p add_evidence_url offers %}`: one standard's rows of the
    `govuk-summary-list`, from `reports.standard_progress`."""
    offer_template = context.template.engine.get_template(OFFER_TEMPLATE) if offers else None
    rows = []
    for criterion, items in progress["criteria"]:
        shown = "".join(
            f'<a class="govuk-link" href="{_h(e.get_absolute_url())}">{_h(e.title)}</a> {_h(status_tag(e))}'
            + (' <span class="govuk-body-s">(carried forward)</span>' if e.carried_forward_from_id else "")
            + "<br>"
            for e in items
        )
        add = (
            f'<a class="govuk-link govuk-body-s" href="{_h(add_evidence_url)}?criterion={_h(criterion.pk)}">'
            "Add evidence"
            f'<span class="govuk-visually-hidden"> for {_h(criterion.code)}</span></a>'
            if add_evidence_url
            else ""
        )
        offered = ""
        if offer_template is not None:
            csrf_token = context.get("csrf_token")
            offered = "".join(
                offer_template.render(context.new({"offer": offer, "csrf_token": csrf_token}))
                for offer in offers.get(criterion.code, ())
            )
        rows.append(
            '<div class="govuk-summary-list__row">'
            f'<dt class="govuk-summary-list__key"><strong>{_h(criterion.code)}</strong> {_h(criterion.statement)}</dt>'
            f'<dd class="govuk-summary-list__value">{shown or "None yet"}\n{add}\n{offered}</dd></div>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped by _h, offers by their template
