from django.urls import path

from incidents.selectors import needs_two_factor
from ppp.decorators import two_factor_required

from . import answer_views, views

app_name = "surveys"

urlpatterns = [
    # The school's lead
    path("surveys/", views.round_list, name="list"),
    path("surveys/new/", views.round_new, name="new"),
    path("surveys/<uuid:pk>/", views.round_detail, name="round"),
    path("surveys/<uuid:pk>/close/", views.round_close, name="round-close"),
    path("surveys/<uuid:pk>/extend/", views.round_extend, name="round-extend"),
    path("surveys/<uuid:pk>/register/", views.round_register, name="round-register"),
    path("surveys/<uuid:pk>/poster/", views.round_poster, name="round-poster"),
    path("surveys/<uuid:pk>/summary.pdf", views.round_pdf, name="round-pdf"),
    path(
        "surveys/<uuid:pk>/award/<uuid:application>/<str:criterion>/attach/",
        views.award_attach,
        name="award-attach",
    ),
    # The lead and the staff who review incidents. What pupils wrote may name a child or tell
    # of one at risk: like incident records, a password alone does not open it (ADR 0031).
    path(
        "surveys/<uuid:pk>/comments/",
        two_factor_required(needs_two_factor)(views.round_comments),
        name="round-comments",
    ),
    # Council officers
    path("surveys/council/", views.council, name="council"),
    path("surveys/council.csv", views.council_csv, name="council-csv"),
    # The people answering (public, by the round's secret link)
    path("survey/<str:token>/", answer_views.start, name="answer-start"),
    path("survey/<str:token>/page/<int:number>/", answer_views.page, name="answer-page"),
    path("survey/<str:token>/send/", answer_views.send, name="answer-send"),
    path("survey/<str:token>/next/", answer_views.next_person, name="answer-next"),
]
