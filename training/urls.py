from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("sessions.ics", views.sessions_ics, name="sessions-ics"),
    path("courses/<slug:slug>/", views.course, name="course"),
    path("sessions/<uuid:session>/", views.session_detail, name="session"),
    path("sessions/<uuid:session>/book/", views.book, name="book"),
    path("bookings/<uuid:booking>/", views.booking_detail, name="booking"),
    path("bookings/<uuid:booking>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("bookings/<uuid:booking>/substitute/", views.booking_substitute, name="booking-substitute"),
    path("my-training/", views.mine, name="mine"),
    path("organisations/<slug:slug>/", views.record, name="record"),
    path("organisations/<slug:slug>/record.csv", views.record_csv, name="record-csv"),
    path("award/<uuid:application>/attach/<str:criterion>/", views.award_attach, name="award-attach"),
    path("evaluate/<str:token>/", views.evaluate, name="evaluate"),
    path("officer/", views.officer_home, name="officer-home"),
    path("officer/sessions/new/", views.session_new, name="session-new"),
    path("officer/sessions/<uuid:session>/", views.register, name="register"),
    path("officer/sessions/<uuid:session>/attendance/", views.attendance, name="attendance"),
    path("officer/sessions/<uuid:session>/complete/", views.complete, name="complete"),
    path("officer/sessions/<uuid:session>/certificates/", views.certificates, name="certificates"),
    path("officer/sessions/<uuid:session>/sign-in-sheet.pdf", views.sign_in_sheet, name="sign-in-sheet"),
    path("officer/sessions/<uuid:session>/cancel/", views.session_cancel, name="session-cancel"),
    path("officer/sessions/<uuid:session>/capacity/", views.capacity, name="capacity"),
    path("officer/sessions/<uuid:session>/go-ahead/", views.go_ahead, name="go-ahead"),
    path("officer/sessions/<uuid:session>/evaluations/", views.session_evaluations, name="session-evaluations"),
    path("officer/batches/<uuid:batch>/", views.batch, name="batch"),
    path("officer/batches/<uuid:batch>/retry/", views.batch_retry, name="batch-retry"),
    path("officer/batches/<uuid:batch>/cancel/", views.batch_cancel, name="batch-cancel"),
    path("officer/courses/<slug:slug>/evaluations/", views.course_evaluations, name="course-evaluations"),
    path("officer/charges/", views.charges, name="charges"),
    path("officer/charges.csv", views.charges_csv, name="charges-csv"),
    path("officer/charges/invoiced/", views.charges_mark_invoiced, name="charges-invoiced"),
    path("officer/charges/<uuid:charge>/", views.charge_mark, name="charge-mark"),
    path("officer/reports/", views.reports_page, name="reports"),
    path("officer/reports.csv", views.reports_csv, name="reports-csv"),
]
