from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("certificates/<str:code>/download/", views.download, name="download"),
]
