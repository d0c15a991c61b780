"""Private file storage: evidence and other uploads that must never have a public URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from storages.backends.s3 import S3Storage


class PrivateFileStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private (or OPTIONS["location"]), with no URL at all:
    they are served only by views that check permission first."""

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
