"""Every PDF PPP makes, made one way (ADR 0062): tagged, so a screen reader reads it in
order (WeasyPrint's `pdf_tags`: a structure tree, MarkInfo Marked, each image's alt text
or an SVG's <title> as the figure's /Alt), with the document's language (`<html lang>`)
and title (`<title>`), page footers in the text's sans-serif font and headings kept with
what follows them.

    from ppp.pdf import render_pdf
    pdf_bytes = render_pdf(render_to_string("app/print.html", context))
"""

import functools

# The print templates set their own fonts and page boxes; these fill what they leave out.
# Page margin boxes inherit from the page, not from <body>: without this the footers of a
# sans-serif document come out in the default serif.
PRINT_CSS = """
@page { font-family: Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
h1, h2, h3, h4, h5, h6 { break-after: avoid; break-inside: avoid; }
dt { break-after: avoid; }
tr, img, svg { break-inside: avoid; }
"""


@functools.cache
def _print_css():
    """The shared stylesheet, parsed once per process (code, not data)."""
    from weasyprint import CSS

    return CSS(string=PRINT_CSS)


def render_pdf(html: str, *, base_url: str = ".", stylesheets=(), font_config=None) -> bytes:
    """The HTML document as a tagged PDF."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s at start-up

    return HTML(string=html, base_url=base_url).write_pdf(
        pdf_tags=True, stylesheets=[_print_css(), *stylesheets], font_config=font_config
    )
