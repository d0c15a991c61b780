"""Checks for uploaded files: size, type by content (not only by name), structure, and —
when the council runs one — a virus scan. Used by every form that takes a file.

1. Not empty, not over EVIDENCE_MAX_UPLOAD_MB, an allowed extension.
2. The content, sniffed with libmagic, matches the extension (an HTML page or a program
   renamed to .pdf is refused).
3. Documents that are ZIP containers (Word, Excel, PowerPoint, OpenDocument) must have
   the parts of their kind (`[Content_Types].xml` and the main part), no macros, no
   programs or other archives inside (an Office chart's embedded workbook is checked in
   turn), and at most UPLOAD_MAX_UNCOMPRESSED_MB and UPLOAD_MAX_RATIO once unpacked —
   so a renamed ZIP, a zip bomb or 50 nested archives are refused. Old Word/Excel/
   PowerPoint files with macros are refused too. A PDF is parsed with pikepdf (qpdf), so
   escaped names (/J#61vaScript) and compressed object streams are read as a reader would:
   one that runs scripts (/JavaScript, /JS, /AA, an /OpenAction that does), launches
   programs, carries attachments, plays rich media or has an XFA form is refused, and so
   is one that cannot be parsed.
4. With CLAMAV_SOCKET (or CLAMAV_HOST and CLAMAV_PORT) set, every file is scanned by
   clamd (its INSTREAM command) and an infected file is refused; if clamd cannot be
   reached the upload is refused rather than stored unscanned.
"""

import logging
import re
import socket
import struct
import zipfile
from io import BytesIO
from pathlib import PurePath
from typing import NoReturn

import magic
from django.conf import settings
from django.core.exceptions import ValidationError

log = logging.getLogger(__name__)

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

# The part every genuine file of the kind has.
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
ODF_MIMETYPE = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
# Inside a document: nothing that runs, no archives (bar an Office part embedded in Office).
EXECUTABLE = re.compile(
    r"\.(exe|dll|com|scr|bat|cmd|pif|msi|msp|cpl|jar|js|jse|vbs|vbe|wsf|wsh|ps1|psm1|hta|lnk|sh|app|apk|elf|so)$",
    re.IGNORECASE,
)
ARCHIVE = re.compile(r"\.(zip|7z|rar|gz|tgz|tar|bz2|xz|cab|iso|arj|lzh|z)$", re.IGNORECASE)
MACRO_PARTS = re.compile(r"(vbaProject\.bin|vbaData\.xml|/activeX/|^Basic/|^Scripts/)", re.IGNORECASE)
MACRO_CONTENT_TYPE = re.compile(rb"macroEnabled|vbaProject|application/vnd\.ms-office\.activeX", re.IGNORECASE)
EMBEDDED_OFFICE = re.compile(r"/embeddings/[^/]+\.(docx|xlsx|pptx)$", re.IGNORECASE)
OLE_MACROS = ("_VBA_PROJECT".encode("utf-16-le"), "Macros".encode("utf-16-le"), b"_VBA_PROJECT")
PDF_ACTIVE = re.compile(rb"/(Launch|EmbeddedFile|JavaScript|JS)\b")
MAX_NESTING = 2
MAX_MEMBERS = 5000


class InfectedFile(ValidationError):
    pass


def _refuse(message: str) -> NoReturn:
    raise ValidationError(message)


def fit_filename(name: str, limit: int = 255) -> str:
    """The name shortened to `limit` characters, keeping its extension (and only its base name)."""
    name = PurePath(name.replace("\\", "/")).name or "file"
    suffix = PurePath(name).suffix[:20]
    if len(name) <= limit:
        return name
    return name[: limit - len(suffix)] + suffix


def validate_upload(upload) -> str:
    """Raise ValidationError unless `upload` is a safe, allowed file; return its content type."""
    limit_mb = settings.EVIDENCE_MAX_UPLOAD_MB
    if upload.size == 0:
        _refuse("The selected file is empty")
    if upload.size > limit_mb * 1024 * 1024:
        _refuse(f"The selected file must be smaller than {limit_mb} MB")
    extension = PurePath(upload.name).suffix.lower().lstrip(".")
    if extension not in ALLOWED:
        _refuse(f"The selected file must be a {DESCRIPTION} file")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    detected = magic.from_buffer(head, mime=True)
    if detected not in ALLOWED[extension]:
        _refuse(
            f"The selected file's content does not match its name (.{extension}). Save it again as a "
            f"{DESCRIPTION} file and upload that"
        )
    try:
        if extension in OOXML_MAIN_PART or extension in ODF_MIMETYPE:
            _check_container(upload, extension)
        elif extension in {"doc", "xls", "ppt"}:
            _check_ole(upload)
        elif extension == "pdf":
            _check_pdf(upload)
        scan_for_viruses(upload)
    finally:
        upload.seek(0)
    return detected


def _check_container(upload, extension: str, depth: int = 1) -> None:
    """A Word/Excel/PowerPoint or OpenDocument file: a ZIP with the right parts, nothing
    that runs and no bomb inside."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        _refuse(f"The selected file is not a real .{extension} file. Save it again from your office software")
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if len(members) > MAX_MEMBERS:
            _refuse("The selected file has too many parts inside it to be a document")
        if extension in OOXML_MAIN_PART:
            if "[Content_Types].xml" not in names or OOXML_MAIN_PART[extension] not in names:
                _refuse(f"The selected file is not a real .{extension} file. Save it again from your office software")
            if MACRO_CONTENT_TYPE.search(_read(archive, "[Content_Types].xml", 1024 * 1024)):
                _refuse("The selected file contains macros. Save it without macros (as .docx, .xlsx or .pptx)")
        else:
            if "mimetype" not in names or "content.xml" not in names:
                _refuse(f"The selected file is not a real .{extension} file. Save it again from your office software")
            if _read(archive, "mimetype", 200).strip() != ODF_MIMETYPE[extension].encode():
                _refuse(f"The selected file is not a real .{extension} file. Save it again from your office software")
        _check_members(archive, members, depth)


def _check_members(archive: zipfile.ZipFile, members, depth: int) -> None:
    max_total = settings.UPLOAD_MAX_UNCOMPRESSED_MB * 1024 * 1024
    max_ratio = settings.UPLOAD_MAX_RATIO
    declared = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members) or 1
    if declared > max_total or declared / compressed > max_ratio:
        _refuse("The selected file unpacks to far more than its size. Save it again and upload that")
    total = 0
    for member in members:
        name = member.filename
        if member.flag_bits & 0x1:
            _refuse("The selected file is password protected. Remove the password and upload it again")
        if MACRO_PARTS.search(name):
            _refuse("The selected file contains macros. Save it without macros (as .docx, .xlsx or .pptx)")
        if EXECUTABLE.search(name) or (name.lower().endswith(".bin") and "/embeddings/" in name.lower()):
            _refuse("The selected file has a program or an embedded object inside it. Save it without them")
        if ARCHIVE.search(name):
            _refuse("The selected file has another archive inside it. Save it as a plain document")
        data = _read(archive, name, max_total - total)  # the real size, whatever the header says
        total += len(data)
        if len(data) / max(member.compress_size, 1) > max_ratio and len(data) > 1024 * 1024:
            _refuse("The selected file unpacks to far more than its size. Save it again and upload that")
        if data[:2] == b"MZ" or data[:4] == b"\x7fELF":
            _refuse("The selected file has a program or an embedded object inside it. Save it without them")
        if data[:4] == b"PK\x03\x04":
            match = EMBEDDED_OFFICE.search(name)
            if match is None or depth >= MAX_NESTING:
                _refuse("The selected file has another archive inside it. Save it as a plain document")
            _check_container(BytesIO(data), match.group(1).lower(), depth + 1)


def _read(archive: zipfile.ZipFile, name: str, budget: int) -> bytes:
    """Read one member, refusing once more than `budget` bytes come out."""
    chunks, size = [], 0
    try:
        with archive.open(name) as member:
            while chunk := member.read(64 * 1024):
                size += len(chunk)
                if size > budget:
                    _refuse("The selected file unpacks to far more than its size. Save it again and upload that")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        _refuse("The selected file is damaged or in a form we cannot check. Save it again and upload that")
    return b"".join(chunks)


def _check_ole(upload) -> None:
    """An old Word/Excel/PowerPoint file: refuse one that carries a macro project."""
    data = upload.read()
    if any(marker in data for marker in OLE_MACROS):
        _refuse("The selected file contains macros. Save it without macros (as .docx, .xlsx or .pptx)")


# What a PDF may not carry, by what it does. qpdf (through pikepdf) parses the file, so names
# written with #xx escapes (/J#61vaScript) arrive decoded, and objects packed in compressed
# object streams are read like any other.
PDF_ACTIVE_KEYS = {
    "/JavaScript": "runs scripts",
    "/JS": "runs scripts",
    "/AA": "runs actions by itself (when it is opened, closed or printed)",
    "/Launch": "opens programs",
    "/EmbeddedFiles": "carries attachments",
    "/EmbeddedFile": "carries attachments",
    "/EF": "carries attachments",
    "/RichMedia": "plays embedded media",
    "/RichMediaContent": "plays embedded media",
    "/XFA": "has an XFA form, which can run scripts",
}
PDF_ACTIVE_ACTIONS = {
    "/JavaScript": "runs scripts",
    "/Launch": "opens programs",
    "/ImportData": "imports data when opened",
    "/SubmitForm": "sends its form to another site",
    "/GoToE": "opens an attachment",
    "/RichMediaExecute": "plays embedded media",
    "/Rendition": "plays media that can run scripts",
}
PDF_ACTIVE_TYPES = {
    "/EmbeddedFile": "carries attachments",
    "/FileAttachment": "carries attachments",
    "/RichMedia": "plays embedded media",
    "/Screen": "plays embedded media",
    "/Movie": "plays embedded media",
    "/Sound": "plays embedded media",
}
PDF_MAX_OBJECTS = 500_000


def _refuse_pdf(what: str):
    _refuse(f"The selected PDF {what}. Print it to a new PDF (Print, then Save as PDF) and upload that")


def _check_pdf(upload) -> None:
    """A PDF that qpdf can read, with nothing in it that runs, launches, attaches or plays."""
    import pikepdf

    data = upload.read()
    if PDF_ACTIVE.search(data):  # written plainly: no need to parse to know
        _refuse_pdf("runs scripts, opens programs or carries attachments")
    try:
        with pikepdf.open(BytesIO(data)) as pdf:
            _check_pdf_objects(pdf)
    except pikepdf.PasswordError:
        _refuse("The selected PDF is password protected. Remove the password and upload it again")
    except (pikepdf.PdfError, ValueError, RecursionError, RuntimeError, OverflowError):
        _refuse("The selected file is damaged or not a real PDF. Save it again as a PDF and upload that")


def _check_pdf_objects(pdf) -> None:
    import pikepdf

    roots = [pdf.trailer]
    for count, obj in enumerate(pdf.objects):
        if count > PDF_MAX_OBJECTS:
            _refuse("The selected PDF has too many parts to check. Print it to a new PDF and upload that")
        roots.append(obj)
    containers = pikepdf.Dictionary | pikepdf.Array
    for root in roots:
        stack = [root]
        while stack:  # each indirect object once (it is a root); its direct children walked here
            obj = stack.pop()
            children = _check_pdf_dictionary(obj) if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) else obj
            if isinstance(children, list | pikepdf.Array):
                stack.extend(child for child in children if isinstance(child, containers) and not child.is_indirect)


def _check_pdf_dictionary(obj) -> list:
    """Refuse an active key, action or type in one dictionary; its values, to walk next."""
    import pikepdf

    values = []
    for key in obj.keys():  # noqa: SIM118 - a pikepdf dictionary's keys, not a dict
        if key in PDF_ACTIVE_KEYS:
            _refuse_pdf(PDF_ACTIVE_KEYS[key])
        value = obj.get(key)
        name = str(value) if isinstance(value, pikepdf.Name) else None
        if key == "/S" and name in PDF_ACTIVE_ACTIONS:
            _refuse_pdf(PDF_ACTIVE_ACTIONS[name])
        if key in ("/Type", "/Subtype") and name in PDF_ACTIVE_TYPES:
            _refuse_pdf(PDF_ACTIVE_TYPES[name])
        values.append(value)
    return values


# ---------------------------------------------------------------- virus scanning (clamd)


def scanning_enabled() -> bool:
    return bool(settings.CLAMAV_SOCKET or settings.CLAMAV_HOST)


def _clamd_connection() -> socket.socket:
    if settings.CLAMAV_SOCKET:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(settings.CLAMAV_TIMEOUT)
        connection.connect(settings.CLAMAV_SOCKET)
        return connection
    return socket.create_connection((settings.CLAMAV_HOST, settings.CLAMAV_PORT), timeout=settings.CLAMAV_TIMEOUT)


def clamd_scan(stream) -> str | None:
    """Send `stream` to clamd with INSTREAM; the name of what it found, or None if clean.
    Raises OSError if clamd cannot be reached or answers with an error."""
    with _clamd_connection() as connection:
        connection.sendall(b"zINSTREAM\0")
        while chunk := stream.read(64 * 1024):
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0") and (part := connection.recv(4096)):
            reply += part
    answer = reply.rstrip(b"\0").decode(errors="replace").strip()
    if answer.endswith("OK"):
        return None
    if answer.endswith("FOUND"):
        return answer.split(":", 1)[-1].removesuffix("FOUND").strip()
    raise OSError(f"clamd answered {answer!r}")


def scan_for_viruses(upload) -> None:
    """Refuse an infected file; refuse any file while the scanner cannot be reached."""
    if not scanning_enabled():
        return
    upload.seek(0)
    try:
        found = clamd_scan(upload)
    except OSError:
        log.exception("The virus scanner (clamd) could not scan an upload")
        _refuse("We could not check the file for viruses just now. Try again in a few minutes")
    if found:
        log.warning("clamd found %s in an upload; it was refused", found)
        raise InfectedFile("The selected file contains a virus. It has not been saved")
