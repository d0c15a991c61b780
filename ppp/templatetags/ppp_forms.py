import re

from crispy_forms_gds.templatetags.crispy_forms_gds import CrispyGDSFieldNode, crispy_gds_field
from crispy_forms_gds.widgets import DateInputWidget
from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def govuk_fields(form):
    """Tidy a third-party form (allauth's) for the GOV.UK style: hints, not placeholders."""
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)
    return form


def _selected(field) -> set[str]:
    value = field.value()
    values = value if isinstance(value, list | tuple) else [value]
    return {"" if v is None else str(v) for v in values}


def _options(field, chosen: set[str]) -> str:
    return "".join(
        format_html(
            '<option value="{}"{}>{}</option>', value, mark_safe(" selected") if str(value) in chosen else "", label
        )
        for value, label in field.field.choices
    )


def _checkboxes(field, chosen: set[str], describedby: str) -> str:
    items = "".join(
        format_html(
            '<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{id}_{n}" name="{name}" '
            'type="checkbox" value="{value}"{checked}><label class="govuk-label govuk-checkboxes__label" '
            'for="{id}_{n}">{label}</label></div>',
            id=field.auto_id,
            n=n,
            name=field.html_name,
            value=value,
            checked=mark_safe(" checked") if str(value) in chosen else "",
            label=label,
        )
        for n, (value, label) in enumerate(field.field.choices)
    )
    return format_html(
        '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes"{}>{}</div>',
        format_html(' aria-describedby="{}"', describedby) if describedby else "",
        mark_safe(items),  # noqa: S308 - built with format_html above
    )


def _field(field) -> str:
    widget = field.field.widget
    errors = list(field.errors)
    hint_id = f"{field.auto_id}_hint" if field.help_text else ""
    error_ids = [f"{field.auto_id}_{n}_error" for n in range(1, len(errors) + 1)]
    describedby = " ".join([hint_id, *error_ids]).strip()
    hint = format_html('<div id="{}" class="govuk-hint">{}</div>', hint_id, field.help_text) if hint_id else ""
    messages = "".join(
        format_html(
            '<span id="{}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {}</span>',
            error_id,
            message,
        )
        for error_id, message in zip(error_ids, errors, strict=True)
    )
    aria = format_html(' aria-describedby="{}"', describedby) if describedby else ""
    if errors:
        aria += mark_safe(' aria-invalid="true"')
    chosen = _selected(field)
    group_class = "govuk-form-group govuk-form-group--error" if errors else "govuk-form-group"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return format_html(
            '<div id="div_{id}" class="{group}"><fieldset class="govuk-fieldset"{aria}><legend '
            'class="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>{hint}{messages}{boxes}'
            "</fieldset></div>",
            id=field.auto_id,
            group=group_class,
            aria=format_html(' aria-describedby="{}"', describedby) if describedby else "",
            label=field.label,
            hint=hint,
            messages=mark_safe(messages),  # noqa: S308 - built with format_html above
            boxes=_checkboxes(field, chosen, ""),
        )
    if isinstance(widget, forms.Select):
        control = format_html(
            '<select name="{}" class="govuk-select{}" id="{}"{}{}>{}</select>',
            field.html_name,
            " govuk-select--error" if errors else "",
            field.auto_id,
            aria,
            mark_safe(" multiple") if isinstance(widget, forms.SelectMultiple) else "",
            mark_safe(_options(field, chosen)),  # noqa: S308 - built with format_html
        )
    elif isinstance(widget, forms.widgets.Input):
        value = field.value()
        control = format_html(
            '<input type="{}" name="{}" value="{}" class="govuk-input{}" id="{}"{}>',
            widget.attrs.get("type", widget.input_type),
            field.html_name,
            "" if value is None else value,
            " govuk-input--error" if errors else "",
            field.auto_id,
            aria,
        )
    else:
        control = field.as_widget()
    return format_html(
        '<div id="div_{}" class="{}"><label for="{}" class="govuk-label">{}</label>{}{}{}</div>',
        field.auto_id,
        group_class,
        field.auto_id,
        field.label,
        hint,
        mark_safe(messages),  # noqa: S308 - built with format_html above
        control,
    )


@register.filter
def govuk_filter_fields(form):
    """A filter form's fields in GOV.UK markup (text and search inputs, selects and
    checkboxes), written in Python: the same markup as crispy-forms-gds in a tenth of the
    time, which matters on list pages whose selects have a hundred options."""
    return mark_safe("".join(_field(field) for field in form))  # noqa: S308 - every piece escaped by format_html


_ERROR_CLASS = {"Textarea": "govuk-textarea--error", "Select": "govuk-select--error"}
_INPUT_ERROR_IN_CLASS = re.compile(r'(class="[^"]*)\bgovuk-input--error\b')


class GDSFieldNode(CrispyGDSFieldNode):
    """crispy-forms-gds's field, as GOV.UK Frontend's own fixtures give it: date boxes with
    `inputmode="numeric"`, and a textarea's or select's error class its own (the package
    gives every widget `govuk-input--error`)."""

    def render(self, context):
        field = template.Variable(self.field).resolve(context)
        widget = field.field.widget
        if isinstance(widget, DateInputWidget):
            for box in widget.widgets:
                box.attrs.setdefault("inputmode", "numeric")
        html = super().render(context)
        error_class = _ERROR_CLASS.get(type(widget).__name__)
        if error_class and field.errors:
            html = _INPUT_ERROR_IN_CLASS.sub(rf"\g<1>{error_class}", html, count=1)
        return html


@register.tag
def gds_field(parser, token):
    """`{% gds_field field %}` in the project's gds/ template overrides, where the package
    has `{% crispy_gds_field field %}`."""
    node = crispy_gds_field(parser, token)
    return GDSFieldNode(node.field, node.attrs)
