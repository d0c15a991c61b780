"""Public: part of `training.views` (see its docstring)."""

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ppp.pagecache import cache_public_page

from .. import permissions, selectors
from ..calendar import sessions_feed
from ..filters import CatalogueFilter, session_q
from ..models import Course, CourseSession
from ._base import _organisation


@require_GET
@cache_public_page("training-catalogue")
def catalogue(request):
    sessions = selectors.catalogue_sessions()
    filterset = CatalogueFilter(request.GET or None, queryset=selectors.active_courses())
    courses = selectors.active_courses()
    if filterset.is_bound and filterset.is_valid():
        courses = filterset.qs
        sessions = sessions.filter(session_q(filterset.form.cleaned_data))
    courses = list(selectors.courses_with_sessions(courses, sessions))
    return render(
        request,
        "training/catalogue.html",
        {"filter": filterset, "courses": courses, "organisation": _organisation(request)},
    )


@require_GET
@cache_public_page("training-catalogue")
def course(request, slug):
    course = get_object_or_404(Course.objects.active().prefetch_related("audiences"), slug=slug)
    sessions = list(selectors.catalogue_sessions().filter(course=course))
    return render(request, "training/course.html", {"course": course, "sessions": sessions})


@require_GET
@cache_public_page("training-catalogue")
def sessions_ics(request):
    """Every upcoming session, streamed a few at a time (kept whole for the next anonymous
    reader once it has been sent)."""
    response = StreamingHttpResponse(
        sessions_feed(selectors.feed_sessions()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="send-support-training.ics"'
    return response


@require_GET
def session_detail(request, session):
    """A session's details. The person's own organisation's places are listed, and the
    joining link shown only when one of them is confirmed (or to officers)."""
    session = get_object_or_404(CourseSession.objects.with_counts().select_related("course"), public_id=session)
    organisation = _organisation(request)
    bookings = selectors.own_booking(request.user, session, organisation)
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "course": session.course,
            "organisation": organisation,
            "bookings": bookings,
            "show_link": selectors.can_see_joining_link(request.user, session, bookings),
            "price": session.course.price_for(organisation) if organisation else None,
            "can_book": organisation is not None and permissions.can_book_for(request.user, organisation),
        },
    )
