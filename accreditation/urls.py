from django.urls import path

from . import views

app_name = "accreditation"

A = "award/applications/<uuid:pk>/"

urlpatterns = [
    path("award/", views.dashboard, name="dashboard"),
    path("award/apply/", views.apply, name="apply"),
    path("award/terms/", views.award_terms, name="terms"),
    path("award/officer/", views.caseload, name="caseload"),
    path("award/officer/assign/", views.caseload_assign, name="caseload-assign"),
    path(A, views.application_detail, name="application-detail"),
    path(A + "assign/", views.application_assign, name="application-assign"),
    path(A + "agree-plan/", views.application_agree_plan, name="application-agree-plan"),
    path(A + "submit/", views.application_submit, name="application-submit"),
    path(A + "return/", views.application_return, name="application-return"),
    path(A + "award/", views.application_award, name="application-award"),
    path(A + "ratify/", views.application_ratify, name="application-ratify"),
    path(A + "withdraw/", views.application_withdraw, name="application-withdraw"),
    path(A + "self-review/", views.self_review, name="self-review"),
    path(A + "action-plan/", views.action_plan, name="action-plan"),
    path(A + "action-plan.csv", views.action_plan_csv, name="action-plan-csv"),
    path(A + "action-plan.pdf", views.action_plan_pdf, name="action-plan-pdf"),
    path(A + "evidence/add/", views.evidence_add, name="evidence-add"),
    path(A + "visits/new/", views.visit_new, name="visit-new"),
    path(A + "award-logo.svg", views.award_logo, name="award-logo"),
    path(A + "award-logo.png", views.award_logo, {"fmt": "png"}, name="award-logo-png"),
    path("award/actions/<uuid:pk>/", views.action_edit, name="action-edit"),
    path("award/actions/<uuid:pk>/delete/", views.action_delete, name="action-delete"),
    path("award/evidence/<uuid:pk>/", views.evidence_detail, name="evidence-detail"),
    path("award/evidence/<uuid:pk>/edit/", views.evidence_edit, name="evidence-edit"),
    path("award/evidence/<uuid:pk>/submit/", views.evidence_submit, name="evidence-submit"),
    path(A + "submit-drafts/", views.evidence_submit_drafts, name="evidence-submit-drafts"),
    path("award/evidence/<uuid:pk>/review/", views.evidence_review, name="evidence-review"),
    path("award/evidence/<uuid:pk>/file/", views.evidence_download, name="evidence-download"),
    path("award/visits/<uuid:pk>/", views.visit_detail, name="visit-detail"),
    path("award/visits/<uuid:pk>/confirm/", views.visit_confirm, name="visit-confirm"),
    path("award/visits/<uuid:pk>/record/", views.visit_record, name="visit-record"),
    path("award/visits/<uuid:pk>/cancel/", views.visit_cancel, name="visit-cancel"),
    path("award/visits/<uuid:pk>/calendar.ics", views.visit_ics, name="visit-ics"),
    path("award/visits/<uuid:pk>/report.pdf", views.visit_report_download, name="visit-report"),
    path("award-holders/", views.award_holders, name="award-holders"),
]
