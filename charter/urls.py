from django.urls import path

from . import views

app_name = "charter"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("register/<uuid:pledge>/", views.register_entry, name="register-entry"),
    path("sign/", views.sign, name="sign"),
    path("sign/check-your-email/", views.sign_up_sent, name="sign-up-sent"),
    path("verify/<str:token>/", views.verify_email, name="verify-email"),
    path("officer/", views.officer_home, name="officer-home"),
    path("officer/register.csv", views.register_csv, name="register-csv"),
    path("organisations/<slug:slug>/sign/", views.organisation_sign, name="organisation-sign"),
    path("organisations/<slug:slug>/providers/", views.providers, name="providers"),
    path("organisations/<slug:slug>/commissioners/", views.provider_requests, name="provider-requests"),
    path("providers/<uuid:provider>/accept/", views.provider_accept, name="provider-accept"),
    path("providers/<uuid:provider>/decline/", views.provider_decline, name="provider-decline"),
    path("providers/<uuid:provider>/remind/", views.provider_remind, name="provider-remind"),
    path("providers/<uuid:provider>/remove/", views.provider_remove, name="provider-remove"),
    path("pledges/<uuid:pledge>/", views.pledge_detail, name="pledge-detail"),
    path("pledges/<uuid:pledge>/change/", views.pledge_edit, name="pledge-edit"),
    path("pledges/<uuid:pledge>/withdraw/", views.pledge_withdraw, name="pledge-withdraw"),
    path("pledges/<uuid:pledge>/listing/", views.pledge_listing, name="pledge-listing"),
    path("pledges/<uuid:pledge>/approve/", views.pledge_approve, name="pledge-approve"),
    path("pledges/<uuid:pledge>/return/", views.pledge_return, name="pledge-return"),
    path("pledges/<uuid:pledge>/remove/", views.pledge_remove, name="pledge-remove"),
    path("pledges/<uuid:pledge>/restore/", views.pledge_restore, name="pledge-restore"),
    path("pledges/<uuid:pledge>/review/", views.review_create, name="review-create"),
    path("reviews/<uuid:review>/", views.review_detail, name="review-detail"),
    path("reviews/<uuid:review>/feedback/", views.review_feedback, name="review-feedback"),
]
