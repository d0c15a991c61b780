from django.urls import path

from . import pupil_views, views

app_name = "incidents"

urlpatterns = [
    # A school's staff
    path("incidents/", views.incident_list, name="list"),
    path("incidents/new/", views.incident_new, name="new"),
    path("incidents/<uuid:pk>/", views.incident_detail, name="detail"),
    path("incidents/<uuid:pk>/edit/", views.incident_edit, name="edit"),
    path("incidents/<uuid:pk>/triage/", views.incident_triage, name="triage"),
    path("incidents/<uuid:pk>/dismiss/", views.incident_dismiss, name="dismiss"),
    path("incidents/<uuid:pk>/review/", views.incident_review, name="review"),
    path("incidents/<uuid:pk>/resolve/", views.incident_resolve, name="resolve"),
    path("incidents/<uuid:pk>/close/", views.incident_close, name="close"),
    path("incidents/<uuid:pk>/reopen/", views.incident_reopen, name="reopen"),
    path("incidents/<uuid:pk>/notes/", views.note_add, name="note-add"),
    path("incidents/<uuid:pk>/reply/", views.pupil_reply, name="reply"),
    path("incidents/<uuid:pk>/print/", views.incident_print, name="print"),
    path("incidents/<uuid:pk>/people/new/", views.involvement_new, name="involvement-new"),
    path("incidents/people/<uuid:pk>/", views.involvement_edit, name="involvement-edit"),
    path("incidents/people/<uuid:pk>/remove/", views.involvement_remove, name="involvement-remove"),
    path("incidents/people/<uuid:pk>/history/", views.pupil_history, name="pupil-history"),
    path("incidents/pupils/", views.pupil_search, name="pupil-search"),
    path("incidents/report/", views.school_report, name="report"),
    path("incidents/report/governors.pdf", views.governors_pdf, name="governors-pdf"),
    path("incidents/report/governors.csv", views.governors_csv, name="governors-csv"),
    path("incidents/award/<uuid:application>/<str:criterion>/attach/", views.award_attach, name="award-attach"),
    # The school's lead
    path("incidents/export.csv", views.export_csv, name="export"),
    path("incidents/subject-access/", views.subject_access, name="subject-access"),
    path("incidents/staff/", views.staff, name="staff"),
    path("incidents/staff/<uuid:pk>/", views.role_set, name="role-set"),
    path("incidents/access-log/", views.access_log, name="access-log"),
    path("incidents/reporting-link/", views.reporting_link, name="reporting-link"),
    path("incidents/reporting-link/new/", views.reporting_link_new, name="reporting-link-new"),
    path("incidents/reporting-link/poster/", views.poster, name="poster"),
    # Council officers
    path("incidents/figures/", views.figures, name="figures"),
    path("incidents/figures.csv", views.figures_csv, name="figures-csv"),
    path("incidents/figures/participation/", views.participation, name="participation"),
    # Pupils
    path("tell/follow-up/", pupil_views.follow_up, name="tell-follow-up"),
    path("tell/<str:token>/", pupil_views.tell, name="tell"),
]
