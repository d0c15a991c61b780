"""Private file storage: evidence and other uploads that must never have a public URL."""

import contextlib
import errno
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from storages.backends.s3 import S3Storage

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StorageFull(Exception):
    """The disk (or quota) for uploaded files is full: nothing of the file was kept."""


class PrivateFileStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private (or OPTIONS["location"]), with no URL at all:
    they are served only by views that check permission first.

    A full disk leaves no partial file behind: the half-written file is removed and
    `StorageFull` raised, which the services turn into a message for the person."""

    _location: str | None  # FileSystemStorage's: OPTIONS["location"] (django-stubs leaves it out)

    def _save(self, name, content):
        try:
            return super()._save(name, content)  # type: ignore[misc]  # Django's Storage._save; not in django-stubs
        except OSError as error:
            if error.errno not in FULL:
                raise
            with contextlib.suppress(OSError):
                os.remove(self.path(name))
            raise StorageFull(str(error)) from error

    @cached_property
    def base_location(self):
        return self._location or os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a permission-checked view.")


class PrivateS3Storage(S3Storage):
    """Private files in an S3-compatible bucket (settings: S3_BUCKET…), shared by every
    app server. Like PrivateFileStorage they have no URL, not even a signed one."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("Private files have no URL: serve them through a permission-checked view.")
