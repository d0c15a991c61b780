from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from ppp import views
from ppp.accounts import views as accounts_views

admin.site.site_header = "PPP administration"
admin.site.site_title = "PPP administration"
admin.site.index_title = "Positive and Peaceful Places"
# No list of every model beside each page: drawing it cost 18 ms of every admin page at
# national scale (bench/FINDINGS.md). The admin's home lists them; breadcrumbs lead back.
admin.site.enable_nav_sidebar = False
# Admin sign-in goes through the site's own sign-in (with two-factor and lockouts).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # on purpose

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("contact/", views.contact, name="contact"),
    path("healthz", views.healthz, name="healthz"),
    path("portal/", accounts_views.portal, name="portal"),
    path("", include("ppp.accounts.urls")),
    path("", include("ppp.certificates.urls")),
    path("", include("accreditation.urls")),
    path("", include("incidents.urls")),
    path("", include("surveys.urls")),
    path("charter/", include("charter.urls")),
    path("training/", include("training.urls")),
    # Accounts have one address, the one invited or confirmed; people cannot add others.
    path("accounts/email/", views.not_offered, name="account-email-not-offered"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "ppp.views.bad_request"
handler403 = "ppp.views.permission_denied"
handler404 = "ppp.views.page_not_found"
# allauth's own rate limits answer with this too (it looks for ROOT_URLCONF.handler429).
handler429 = "ppp.views.too_many_requests"
handler500 = "ppp.views.server_error"
