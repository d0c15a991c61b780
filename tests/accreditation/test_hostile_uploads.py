"""Hostile files through the evidence form: each is refused with a message that says why,
and nothing is stored. Genuine documents still go through. With a virus scanner set,
every file is scanned, and a scanner that cannot be reached stops uploads."""

import errno
import io
import os
import socket
import stat
import struct
import threading
import zipfile

import pytest

from accreditation.models import Evidence
from tests.accreditation import factories as f
from tests.accreditation.test_pages import stored_files, upload

MACRO_TYPES = '<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def office(main="word/document.xml", content_types="<Types/>", extra=(), compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(main, "<document>Our anti-bullying policy</document>")
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


def plain_zip(*members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            # OpenDocument keeps its mimetype first and uncompressed, as office software does.
            archive.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def nested(depth: int) -> bytes:
    data = b"inner"
    for n in range(depth):
        data = plain_zip((f"level{n}.zip", data))
    return data


def bomb(megabytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (megabytes * 1024 * 1024))
    return buffer.getvalue()


@pytest.fixture
def application(school_a, alice, officer):
    return f.evidencing(school_a, alice, officer)


def _refused(client, alice, application, settings, name, content, message):
    client.force_login(alice)
    response = upload(client, application, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.docx", plain_zip(("notes.txt", b"hello")), "is not a real .docx file"),
        ("sheet.xlsx", office(), "is not a real .xlsx file"),
        ("policy.docx", office(extra=[("word/setup.exe", b"MZ\x90\x00" + b"\0" * 64)]), "a program"),
        ("policy.docx", office(extra=[("word/media/image1.png", b"MZ\x90\x00" + b"\0" * 64)]), "a program"),
        ("policy.docx", office(extra=[("word/vbaProject.bin", b"\0" * 64)]), "contains macros"),
        (
            "policy.docx",
            office(content_types=MACRO_TYPES),
            "contains macros",
        ),
        ("policy.docx", office(extra=[("word/embeddings/oleObject1.bin", b"\0" * 64)]), "embedded object"),
        ("policy.docx", office(extra=[("word/inner.zip", nested(50))]), "another archive"),
        ("policy.docx", office(extra=[("word/embeddings/chart.xlsx", nested(3))]), "is not a real .xlsx file"),
        ("slides.odp", plain_zip(("mimetype", b"application/vnd.oasis.opendocument.presentation")), "not a real .odp"),
        (
            "policy.pdf",
            b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
            "runs scripts",
        ),
        ("policy.pdf", b"%PDF-1.4\n1 0 obj<</S/Launch/F(cmd.exe)>>endobj\n%%EOF", "opens programs"),
        (
            "old.doc",
            bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512 + "_VBA_PROJECT".encode("utf-16-le"),
            "contains macros",
        ),
    ],
)
def test_hostile_documents_are_refused(client, alice, application, settings, name, content, message):
    _refused(client, alice, application, settings, name, content, message)


def test_a_zip_bomb_is_refused_without_unpacking_it_all(client, alice, application, settings):
    settings.UPLOAD_MAX_UNCOMPRESSED_MB = 10
    _refused(client, alice, application, settings, "policy.docx", bomb(200), "unpacks to far more than its size")


def test_a_bomb_that_lies_about_its_size_is_still_stopped(client, alice, application, settings):
    settings.UPLOAD_MAX_UNCOMPRESSED_MB = 5
    data = bytearray(bomb(20))
    # Rewrite the central directory's uncompressed size of the big member to 1 KB.
    offset = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, offset + 24, 1024)
    _refused(client, alice, application, settings, "policy.docx", bytes(data), "damaged or in a form we cannot check")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("policy.docx", office()),
        (
            "budget.xlsx",
            office(main="xl/workbook.xml", extra=[("xl/printerSettings/printerSettings1.bin", b"\1" * 64)]),
        ),
        (
            "report.docx",
            office(extra=[("word/embeddings/Microsoft_Excel_Worksheet.xlsx", office(main="xl/workbook.xml"))]),
        ),
        ("slides.pptx", office(main="ppt/presentation.xml")),
        (
            "minutes.odt",
            plain_zip(("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<office/>")),
        ),
    ],
)
def test_genuine_documents_are_accepted(client, alice, application, name, content):
    client.force_login(alice)
    response = upload(client, application, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Evidence.objects.get().original_filename == name


def test_files_on_disk_are_readable_by_the_app_only(client, alice, application, settings):
    client.force_login(alice)
    upload(client, application, "policy.pdf", f.PDF)
    evidence = Evidence.objects.get()
    mode = stat.S_IMODE(os.stat(evidence.file.path).st_mode)
    assert mode == 0o640


def test_a_very_long_file_name_keeps_its_extension(client, alice, application):
    client.force_login(alice)
    upload(client, application, "a" * 300 + ".pdf", f.PDF)
    name = Evidence.objects.get().original_filename
    assert len(name) == 255
    assert name.endswith(".pdf")


# ---------------------------------------------------------------- virus scanning


class FakeClamd:
    """Speaks clamd's INSTREAM on a Unix socket: EICAR is a virus, the rest is clean."""

    def __init__(self, path):
        self.path, self.scanned = str(path), 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(5)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                buffer = b""
                while b"\0" not in buffer:
                    buffer += connection.recv(1)
                assert buffer == b"zINSTREAM\0"
                data = b""
                while True:
                    size = struct.unpack("!L", self._exactly(connection, 4))[0]
                    if size == 0:
                        break
                    data += self._exactly(connection, size)
                self.scanned += 1
                found = EICAR in data
                connection.sendall(b"stream: Eicar-Signature FOUND\0" if found else b"stream: OK\0")

    @staticmethod
    def _exactly(connection, n):
        data = b""
        while len(data) < n:
            data += connection.recv(n - len(data))
        return data

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings, tmp_path):
    server = FakeClamd(tmp_path / "clamd.sock")
    settings.CLAMAV_SOCKET = server.path
    yield server
    server.close()


def test_an_infected_file_is_refused_when_a_scanner_is_set(client, alice, application, settings, clamd):
    _refused(client, alice, application, settings, "policy.pdf", f.PDF + EICAR, "contains a virus")
    assert clamd.scanned == 1


def test_a_clean_file_is_scanned_and_stored(client, alice, application, clamd):
    client.force_login(alice)
    assert upload(client, application, "policy.pdf", f.PDF).status_code == 302
    assert clamd.scanned == 1


def test_uploads_stop_while_the_scanner_cannot_be_reached(client, alice, application, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "nobody-listens.sock")
    _refused(client, alice, application, settings, "policy.pdf", f.PDF, "could not check the file for viruses")


class _FullDisk:
    """A file on a disk that fills up after a few bytes (ENOSPC)."""

    def __init__(self, real):
        self.real = real

    def write(self, data):
        self.real.write(data[:10])
        self.real.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self):
        self.real.close()


def test_a_full_disk_refuses_the_upload_with_a_message_and_leaves_no_partial_file(
    client, alice, application, settings, monkeypatch
):
    from django.core.files.storage import filesystem

    real_fdopen = os.fdopen
    monkeypatch.setattr(filesystem.os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode)))
    client.force_login(alice)
    response = upload(client, application, "policy.pdf", f.PDF)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "run out of space for files" in body
    assert not Evidence.objects.exists()
    private = settings.MEDIA_ROOT / "private"
    left = [path for path in private.rglob("*") if path.is_file()] if private.exists() else []
    assert left == []
