"""Charter versions: part of `charter.services` (see its docstring)."""

import datetime

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.audit.services import audit_record

from ..models import Charter
from ..permissions import (
    can_publish_charter,
)
from ._base import CharterError


@transaction.atomic
def charter_publish(*, charter: Charter, by: User, on: datetime.date | None = None, request=None) -> Charter:
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    can_publish_charter.require(by, charter, CharterError)
    if charter.status == Charter.Status.PUBLISHED:
        raise CharterError(f"Version {charter.version} is already published.")
    if not charter.principles.exists() or not charter.commitments.exists():
        raise CharterError("A charter needs its principles and commitments before it is published.")
    charter.status = Charter.Status.PUBLISHED
    charter.published_on = on or timezone.localdate()
    charter.save(update_fields=["status", "published_on"])
    audit_record("charter.publish", actor=by, target=charter, request=request, version=charter.version)
    return charter
