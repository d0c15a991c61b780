from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/two-factor/continue/", views.after_two_factor, name="after-two-factor"),
    path("home/", views.home, name="home"),
    path("officer/", views.officer_home, name="officer-home"),
    path("officer/organisations.csv", views.officer_organisations_csv, name="officer-organisations-csv"),
    path("officer/search/", views.officer_search, name="officer-search"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/switch/", views.organisation_switch, name="organisation-switch"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/invite/", views.organisation_invite, name="organisation-invite"),
    path("organisations/<slug:slug>/hand-over/", views.organisation_hand_over_view, name="organisation-hand-over"),
    path(
        "organisations/<slug:slug>/members/<uuid:membership>/remove/",
        views.membership_remove_view,
        name="membership-remove",
    ),
    path(
        "organisations/<slug:slug>/members/<uuid:membership>/make-lead/",
        views.membership_make_lead_view,
        name="membership-make-lead",
    ),
    path(
        "organisations/<slug:slug>/invitations/<uuid:invitation>/cancel/",
        views.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation-accept"),
]
