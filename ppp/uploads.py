"""Checks for uploaded files: size, type by content (not only by name), never empty.

Used by every form that takes a file. The content is sniffed with libmagic, so an HTML
page or a program renamed to .pdf is refused.
"""

from pathlib import PurePath

import magic
from django.conf import settings
from django.core.exceptions import ValidationError

OLE = {"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office"}
ZIP = {"application/zip", "application/x-zip-compressed"}

# extension: the content types libmagic reports for a genuine file of that kind
ALLOWED = {
    "pdf": {"application/pdf"},
    "doc": {"application/msword"} | OLE,
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"} | ZIP,
    "xls": {"application/vnd.ms-excel"} | OLE,
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} | ZIP,
    "ppt": {"application/vnd.ms-powerpoint"} | OLE,
    "pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"} | ZIP,
    "odt": {"application/vnd.oasis.opendocument.text"},
    "ods": {"application/vnd.oasis.opendocument.spreadsheet"},
    "odp": {"application/vnd.oasis.opendocument.presentation"},
    "jpg": {"image/jpeg"},
    "jpeg": {"image/jpeg"},
    "png": {"image/png"},
}
DESCRIPTION = "PDF, Word, Excel, PowerPoint, OpenDocument, JPEG or PNG"


def validate_upload(upload) -> str:
    """Raise ValidationError unless `upload` is a non-empty allowed file; return its content type."""
    limit_mb = settings.EVIDENCE_MAX_UPLOAD_MB
    if upload.size == 0:
        raise ValidationError("The selected file is empty")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(f"The selected file must be smaller than {limit_mb} MB")
    extension = PurePath(upload.name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        raise ValidationError(f"The selected file must be a {DESCRIPTION} file")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    detected = magic.from_buffer(head, mime=True)
    if detected not in ALLOWED[extension]:
        raise ValidationError(
            f"The selected file's content does not match its name (.{extension}). Save it again as a "
            f"{DESCRIPTION} file and upload that"
        )
    return detected
