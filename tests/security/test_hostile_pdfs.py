"""Issue 19 §4: active PDFs are refused however they are written. Each is built with pikepdf
and sent through the evidence form; the refusal is a GOV.UK error on the file field and
nothing is stored. Names written with #xx escapes, and a script packed in a compressed
object stream, never appear plainly in the bytes, so only parsing the file finds them."""

import io

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from accreditation.models import Evidence
from tests.accreditation import factories as f
from tests.accreditation.test_pages import stored_files, upload


def build(dress, *, object_streams=False) -> bytes:
    """A one-page PDF changed by `dress(pdf)`, saved uncompressed (or with object streams)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    dress(pdf)
    buffer = io.BytesIO()
    if object_streams:
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    else:
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False)
    return buffer.getvalue()


def escaped(data: bytes, **names: str) -> bytes:
    """Write placeholder names as escaped ones of the same length (so the xref stays right)."""
    for placeholder, written in names.items():
        assert len(placeholder) == len(written) and placeholder.encode() in data
        data = data.replace(placeholder.encode(), written.encode())
    return data


def open_action(action):
    def dress(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(action)

    return dress


def javascript_escaped() -> bytes:
    data = build(open_action(Dictionary({"/S": Name("/Jxxxxxxxxxxx"), "/Qxxx": String("app.alert(1)")})))
    return escaped(data, **{"/Jxxxxxxxxxxx": "/J#61vaScript", "/Qxxx": "/J#53"})


def launch_escaped() -> bytes:
    data = build(open_action(Dictionary({"/S": Name("/Lxxxxxxx"), "/F": String("cmd.exe")})))
    return escaped(data, **{"/Lxxxxxxx": "/L#61unch"})


def attachment_escaped() -> bytes:
    def dress(pdf):
        payload = pdf.make_stream(b"MZ\x90\x00 a program")
        payload["/Type"] = Name("/Exxxxxxxxxxxxx")
        spec = Dictionary({"/Type": Name("/Filespec"), "/F": String("run.exe"), "/Yxxx": Dictionary({"/F": payload})})
        pdf.Root.Names = Dictionary({"/Zxxxxxxxxxxxxxx": Dictionary({"/Names": Array([String("run.exe"), spec])})})

    data = build(dress)
    return escaped(
        data, **{"/Exxxxxxxxxxxxx": "/Embedded#46ile", "/Yxxx": "/E#46", "/Zxxxxxxxxxxxxxx": "/Embedded#46iles"}
    )


def javascript_in_an_object_stream() -> bytes:
    data = build(
        open_action(Dictionary({"/S": Name.JavaScript, "/JS": String("app.launchURL('http://x')")})),
        object_streams=True,
    )
    assert b"JavaScript" not in data and b"/JS" not in data  # only parsing can find it
    return data


def page_additional_actions() -> bytes:
    def dress(pdf):
        pdf.pages[0].obj.AA = Dictionary({"/O": Dictionary({"/S": Name("/Qxxxxxxxxxxx"), "/JS": String("1")})})

    return escaped(build(dress), **{"/Qxxxxxxxxxxx": "/JavaScrip#74"})


def rich_media() -> bytes:
    def dress(pdf):
        annotation = Dictionary({"/Type": Name.Annot, "/Subtype": Name("/Rxxxxxxxxxx"), "/Rect": Array([0, 0, 9, 9])})
        pdf.pages[0].obj.Annots = Array([pdf.make_indirect(annotation)])

    return escaped(build(dress), **{"/Rxxxxxxxxxx": "/RichMed#69a"})


def xfa_form() -> bytes:
    def dress(pdf):
        pdf.Root.AcroForm = Dictionary({"/Fields": Array([]), "/XFA": pdf.make_stream(b"<xdp/>")})

    return build(dress, object_streams=True)


@pytest.fixture
def application(school_a, alice, officer):
    return f.evidencing(school_a, alice, officer)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (javascript_escaped, "runs scripts"),
        (launch_escaped, "opens programs"),
        (attachment_escaped, "carries attachments"),
        (javascript_in_an_object_stream, "runs scripts"),
        (page_additional_actions, "runs"),
        (rich_media, "plays embedded media"),
        (xfa_form, "XFA form"),
        (lambda: b"%PDF-1.7\n%%EOF\n/J#61vaScript", "damaged or not a real PDF"),
    ],
    ids=["J#61vaScript", "L#61unch", "Embedded#46ile", "object-stream", "AA", "RichMedia", "XFA", "unparseable"],
)
def test_an_active_pdf_is_refused_however_it_is_written(client, alice, application, settings, content, message):
    client.force_login(alice)
    response = upload(client, application, "policy.pdf", content(), "application/pdf")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and message in body
    assert 'href="#id_file"' in body  # the error summary links to the file field
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_an_ordinary_pdf_with_links_and_an_opening_view_is_accepted(client, alice, application):
    def dress(pdf):
        pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])
        link = Dictionary(
            {
                "/Type": Name.Annot,
                "/Subtype": Name.Link,
                "/Rect": Array([0, 0, 9, 9]),
                "/A": Dictionary({"/S": Name.URI, "/URI": String("https://www.leicester.gov.uk/")}),
            }
        )
        pdf.pages[0].obj.Annots = Array([pdf.make_indirect(link)])

    client.force_login(alice)
    response = upload(client, application, "policy.pdf", build(dress, object_streams=True), "application/pdf")
    assert response.status_code == 302
    assert Evidence.objects.count() == 1
