"""Two places where Django's admin turns a hostile value into a server error instead of
a message (issue 20's fuzzer: 936 of its 1,034 errors), mended here for every admin page:

- a change-list action posted with a selected id that is not an id ("abc", or a number
  too big for the column): Django filters on it as it is, and the database refuses;
- a form with an autocomplete field sent back with such a value (to show its error):
  the widget looks the value up to draw it, and the database refuses;
- a date hierarchy asked for a day past the calendar's end (year 9999, December): the
  next month overflows; it is now a wrong filter, as a malformed one already was.

In both, values that cannot be the related row's key are dropped before Django uses
them: the action then says nothing was selected, the form says "Select a valid choice".
Installed once, from PPPConfig.ready().
"""

from django.contrib.admin import ModelAdmin, helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

BIGGEST = 2**63 - 1


def usable_keys(field, values) -> list:
    """The values that `field` (a model field) can hold and the database can compare."""
    usable = []
    for value in values:
        try:
            python = field.to_python(value)
        except (ValidationError, TypeError, ValueError):
            continue
        if isinstance(python, int) and not -BIGGEST - 1 <= python <= BIGGEST:
            continue
        usable.append(value)
    return usable


_response_action = ModelAdmin.response_action
_optgroups = AutocompleteMixin.optgroups
_get_filters = ChangeList.get_filters


def get_filters(self, request):
    try:
        return _get_filters(self, request)
    except OverflowError as error:
        raise IncorrectLookupParameters(error) from error


def response_action(self, request, queryset):
    selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
    usable = usable_keys(self.model._meta.pk, selected)
    if len(usable) != len(selected):
        post = request.POST.copy()
        post.setlist(helpers.ACTION_CHECKBOX_NAME, usable)
        request.POST = post
    return _response_action(self, request, queryset)


def optgroups(self, name, value, attr=None):
    remote = self.field.remote_field
    field_name = getattr(remote, "field_name", None)
    target = remote.model._meta.get_field(field_name) if field_name else remote.model._meta.pk
    values = [v for v in value if v not in (None, "")]
    return _optgroups(self, name, usable_keys(target, values), attr)


def install() -> None:
    # Patches of Django's own methods, on purpose (see above).
    ModelAdmin.response_action = response_action  # type: ignore[method-assign]
    AutocompleteMixin.optgroups = optgroups  # type: ignore[method-assign]
    ChangeList.get_filters = get_filters  # type: ignore[method-assign]
