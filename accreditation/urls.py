from django.urls import path

from . import views

app_name = "accreditation"

urlpatterns = [
    path("award/", views.dashboard, name="dashboard"),
    path("award/apply/", views.apply, name="apply"),
    path("award/officer/", views.caseload, name="caseload"),
    path("award/applications/<uuid:pk>/", views.application_detail, name="application-detail"),
    path("award/applications/<uuid:pk>/do/<slug:action>/", views.application_action, name="application-action"),
    path("award/applications/<uuid:pk>/self-review/", views.self_review, name="self-review"),
    path("award/applications/<uuid:pk>/action-plan/", views.action_plan, name="action-plan"),
    path("award/applications/<uuid:pk>/action-plan.csv", views.action_plan_csv, name="action-plan-csv"),
    path("award/applications/<uuid:pk>/action-plan.pdf", views.action_plan_pdf, name="action-plan-pdf"),
    path("award/applications/<uuid:pk>/evidence/add/", views.evidence_add, name="evidence-add"),
    path("award/applications/<uuid:pk>/visits/new/", views.visit_new, name="visit-new"),
    path("award/applications/<uuid:pk>/award-logo.svg", views.award_logo, name="award-logo"),
    path("award/actions/<uuid:pk>/", views.action_edit, name="action-edit"),
    path("award/evidence/<uuid:pk>/", views.evidence_detail, name="evidence-detail"),
    path("award/evidence/<uuid:pk>/edit/", views.evidence_edit, name="evidence-edit"),
    path("award/evidence/<uuid:pk>/file/", views.evidence_download, name="evidence-download"),
    path("award/visits/<uuid:pk>/", views.visit_detail, name="visit-detail"),
    path("award/visits/<uuid:pk>/calendar.ics", views.visit_ics, name="visit-ics"),
    path("award/visits/<uuid:pk>/report.txt", views.visit_report_download, name="visit-report"),
    path("award-holders/", views.award_holders, name="award-holders"),
]
