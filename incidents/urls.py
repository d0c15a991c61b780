from django.urls import path

from ppp.decorators import two_factor_required

from . import pupil_views, views
from .permissions import needs_two_factor

app_name = "incidents"

# Everyone who may read incident records (the lead, staff who record or review) uses
# two-factor authentication, as officers do: these pages send them to set it up first.
staff = two_factor_required(needs_two_factor)

urlpatterns = [
    # A school's staff
    path("incidents/", staff(views.incident_list), name="list"),
    path("incidents/new/", staff(views.incident_new), name="new"),
    path("incidents/<uuid:pk>/", staff(views.incident_detail), name="detail"),
    path("incidents/<uuid:pk>/edit/", staff(views.incident_edit), name="edit"),
    path("incidents/<uuid:pk>/triage/", staff(views.incident_triage), name="triage"),
    path("incidents/<uuid:pk>/dismiss/", staff(views.incident_dismiss), name="dismiss"),
    path("incidents/<uuid:pk>/review/", staff(views.incident_review), name="review"),
    path("incidents/<uuid:pk>/resolve/", staff(views.incident_resolve), name="resolve"),
    path("incidents/<uuid:pk>/close/", staff(views.incident_close), name="close"),
    path("incidents/<uuid:pk>/reopen/", staff(views.incident_reopen), name="reopen"),
    path("incidents/<uuid:pk>/notes/", staff(views.note_add), name="note-add"),
    path("incidents/<uuid:pk>/reply/", staff(views.pupil_reply), name="reply"),
    path("incidents/<uuid:pk>/print/", staff(views.incident_print), name="print"),
    path("incidents/<uuid:pk>/people/new/", staff(views.involvement_new), name="involvement-new"),
    path("incidents/people/<uuid:pk>/", staff(views.involvement_edit), name="involvement-edit"),
    path("incidents/people/<uuid:pk>/remove/", staff(views.involvement_remove), name="involvement-remove"),
    path("incidents/people/<uuid:pk>/history/", staff(views.pupil_history), name="pupil-history"),
    path("incidents/pupils/", staff(views.pupil_search), name="pupil-search"),
    path("incidents/report/", staff(views.school_report), name="report"),
    path("incidents/report/governors.pdf", staff(views.governors_pdf), name="governors-pdf"),
    path("incidents/report/governors.csv", staff(views.governors_csv), name="governors-csv"),
    path("incidents/award/<uuid:application>/<str:criterion>/attach/", staff(views.award_attach), name="award-attach"),
    # The school's lead
    path("incidents/export.csv", staff(views.export_csv), name="export"),
    path("incidents/subject-access/", staff(views.subject_access), name="subject-access"),
    path("incidents/staff/", staff(views.staff), name="staff"),
    path("incidents/staff/<uuid:pk>/", staff(views.role_set), name="role-set"),
    path("incidents/access-log/", staff(views.access_log), name="access-log"),
    path("incidents/reporting-link/", staff(views.reporting_link), name="reporting-link"),
    path("incidents/reporting-link/new/", staff(views.reporting_link_new), name="reporting-link-new"),
    path("incidents/reporting-link/made/", staff(views.reporting_link_made), name="reporting-link-made"),
    path("incidents/reporting-link/poster/", staff(views.poster), name="poster"),
    # Council officers
    path("incidents/figures/", views.figures, name="figures"),
    path("incidents/figures.csv", views.figures_csv, name="figures-csv"),
    path("incidents/figures/participation/", views.participation, name="participation"),
    # Pupils
    path("tell/follow-up/", pupil_views.follow_up, name="tell-follow-up"),
    path("tell/<str:token>/", pupil_views.tell, name="tell"),
]
