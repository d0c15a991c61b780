"""What every part shares: part of `charter.views` (see its docstring)."""

from django.http import Http404

from ..models import Charter


def _current_charter() -> Charter:
    charter = Charter.objects.current()
    if charter is None:
        raise Http404("The charter has not been published yet.")
    return charter
