"""The public catalogue, course pages and calendar feed are kept a minute in the shared
cache for anonymous visitors (ppp/pagecache.py); any change to a course, a session or a
place (places left) forgets them once it commits, whether it came through a service,
a command or the admin. A write that bypasses signals (`QuerySet.update`, `bulk_create`)
calls `invalidate_on_commit(*PAGES)` itself."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from ppp.pagecache import invalidate_on_commit

from .models import Audience, Booking, Course, CourseSession

PAGES = ("training-catalogue",)


@receiver([post_save, post_delete], sender=Course)
@receiver([post_save, post_delete], sender=CourseSession)
@receiver([post_save, post_delete], sender=Booking)
@receiver([post_save, post_delete], sender=Audience)
@receiver(m2m_changed, sender=Course.audiences.through)
def forget_public_pages(**kwargs):
    invalidate_on_commit(*PAGES)
