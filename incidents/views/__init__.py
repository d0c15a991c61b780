"""Pages for a school's staff (records, reports, settings), for council officers (the
suppressed figures) and for pupils (telling someone, and coming back with a code).

Every record is fetched through `Incident.objects.for_user`, which is empty for council
officers, so every incident URL is a 404 for them. Every page that shows a record, and
every print or export of one, writes one AuditEvent.
"""

from ._base import PAGE_SIZE, _attachment, _incident, _involvement, _pdf, _require, _school, _viewed
from .exports import (
    EXPORT_CHUNK,
    EXPORT_COLUMNS,
    _export_rows,
    _term,
    _yes_no,
    award_attach,
    export_csv,
    governors_csv,
    governors_pdf,
    governors_pdf_bytes,
    school_report,
    subject_access,
)
from .figures import _figures, figures, figures_csv, participation
from .listing import incident_list, incident_new
from .people import (
    _pupil_rows,
    _shown,
    involvement_edit,
    involvement_new,
    involvement_remove,
    pupil_history,
    pupil_search,
)
from .record import (
    _small_form,
    incident_close,
    incident_detail,
    incident_dismiss,
    incident_edit,
    incident_print,
    incident_reopen,
    incident_resolve,
    incident_review,
    incident_triage,
    note_add,
    pupil_reply,
)
from .school_settings import _qr, _role_initial, access_log, poster, reporting_link, reporting_link_new, role_set, staff

__all__ = [
    "EXPORT_CHUNK",
    "EXPORT_COLUMNS",
    "PAGE_SIZE",
    "_attachment",
    "_export_rows",
    "_figures",
    "_incident",
    "_involvement",
    "_pdf",
    "_pupil_rows",
    "_qr",
    "_require",
    "_role_initial",
    "_school",
    "_shown",
    "_small_form",
    "_term",
    "_viewed",
    "_yes_no",
    "access_log",
    "award_attach",
    "export_csv",
    "figures",
    "figures_csv",
    "governors_csv",
    "governors_pdf",
    "governors_pdf_bytes",
    "incident_close",
    "incident_detail",
    "incident_dismiss",
    "incident_edit",
    "incident_list",
    "incident_new",
    "incident_print",
    "incident_reopen",
    "incident_resolve",
    "incident_review",
    "incident_triage",
    "involvement_edit",
    "involvement_new",
    "involvement_remove",
    "note_add",
    "participation",
    "poster",
    "pupil_history",
    "pupil_reply",
    "pupil_search",
    "reporting_link",
    "reporting_link_new",
    "role_set",
    "school_report",
    "staff",
    "subject_access",
]
