from django import template

register = template.Library()


@register.filter
def govuk_fields(form):
    """Tidy a third-party form (allauth's) for the GOV.UK style: hints, not placeholders."""
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)
    return form
