"""Officers: part of `charter.views` (see its docstring)."""

from functools import partial

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ppp.audit.services import audit_record
from ppp.decorators import officer_required
from ppp.exports import stream_csv
from ppp.pagecache import page_version

from .. import reports

COUNTS_SECONDS = 3600  # a bound only: the register's version changes with every pledge and organisation


@officer_required
@require_GET
def officer_home(request):
    today = timezone.localdate()
    return render(
        request,
        "charter/officer_home.html",
        {
            # The two count tables are a fragment kept under the register's version, which
            # every change to a pledge or an organisation replaces (charter/signals.py); the
            # counts are read only when the fragment is drawn (bench/FINDINGS.md, issue 21).
            "by_kind": partial(reports.counts_by, "kind"),
            "by_area": partial(reports.counts_by, "local_authority"),
            "counts_version": page_version(request, "charter-register"),
            "counts_seconds": COUNTS_SECONDS,
            "today": today,
            # The same window as a pledge's annual review opens (CHARTER_REVIEW_WINDOW_DAYS).
            "due_heading": f"Due for review in the next {settings.CHARTER_REVIEW_WINDOW_DAYS} days or overdue",
            **reports.officer_lists(today),
        },
    )


@officer_required
@require_GET
def register_csv(request):
    audit_record("charter.register_export", actor=request.user, request=request)
    return stream_csv(
        reports.register_csv_rows(),
        header=reports.REGISTER_CSV_HEADER,
        filename=f"charter-register-{timezone.localdate():%Y-%m-%d}.csv",
    )
