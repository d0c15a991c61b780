"""Show the charter's stored text: escaped first, then **emphasis** as <strong>, blank
lines as paragraphs and lines starting "- " as a bulleted list."""

import re

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

BOLD = re.compile(r"\*\*(.+?)\*\*")


@register.filter
def emphasis(value: str) -> str:
    return mark_safe(BOLD.sub(r"<strong>\1</strong>", str(conditional_escape(value))))  # noqa: S308 - escaped above


@register.filter
def charter_text(value: str) -> str:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", value or "") if block.strip()]
    html = []
    for block in blocks:
        lines = block.splitlines()
        if all(line.startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((emphasis(line[2:]),) for line in lines))
            html.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
        else:
            html.append(f'<p class="govuk-body">{emphasis(block)}</p>')
    return mark_safe("\n".join(html))  # noqa: S308 - every part escaped by emphasis()
