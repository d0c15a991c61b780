"""`{% nav_item href label "/section/" %}`: one link of the header's service navigation,
marked as the current section (GOV.UK's active item and `aria-current`) when the page is
in it. `hidden` adds words for screen readers only ("Home for Abbeygate Primary School")."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_item(context, href: str, label: str, section: str = "", hidden: str = ""):
    request = context.get("request")
    path = getattr(request, "path", "")
    extra = format_html('<span class="govuk-visually-hidden"> {}</span>', hidden) if hidden else ""
    current = "page" if path == href else ("true" if path.startswith(section or href) and href != "/" else "")
    if not current:
        return format_html(
            '<li class="govuk-service-navigation__item">'
            '<a class="govuk-service-navigation__link" href="{}">{}{}</a></li>',
            href,
            label,
            extra,
        )
    return format_html(
        '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
        '<a class="govuk-service-navigation__link" href="{}" aria-current="{}">'
        '<strong class="govuk-service-navigation__active-fallback">{}</strong>{}</a></li>',
        href,
        current,
        label,
        extra,
    )
