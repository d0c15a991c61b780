"""PPP's own mark: a sun rising under a roof, the "place" where children are safe.

One drawing, two outputs: SVG (for pages, certificates and the award pack) and PNG
(drawn with Pillow, which WeasyPrint already brings, so no SVG rasteriser is needed).
Shapes are described once, in a 100 × 100 box, as plain primitives both writers know:

    ("circle", cx, cy, r, fill)          ("ring", cx, cy, r, width, colour)
    ("polygon", points, fill)            ("line", points, width, colour)  (round caps and joins)
    ("rect", x, y, w, h, radius, fill)   ("text", x, y, size, bold, fill, text)  (centred on x, y = baseline)

The favicon files in static/ppp/ are drawn from here: `python manage.py build_brand`.
"""

import io
import math
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

NAVY = "#1b3a6b"
GOLD = "#f2b430"
WHITE = "#ffffff"

Shape = tuple


def _sun(cx: float, cy: float, r: float, steps: int = 48) -> list[tuple[float, float]]:
    """The upper half of a disc, as a polygon (the rising sun)."""
    return [(cx + r * math.cos(math.pi * i / steps), cy - r * math.sin(math.pi * i / steps)) for i in range(steps + 1)]


def mark_shapes(*, background: str | None = NAVY, rounded: bool = False) -> list[Shape]:
    """The mark in a 100 × 100 box: a navy disc (or rounded square) with a gold sun,
    its rays, a white roof over it and the horizon under it."""
    shapes: list[Shape] = []
    if background and rounded:
        shapes.append(("rect", 0, 0, 100, 100, 18, background))
    elif background:
        shapes.append(("circle", 50, 50, 50, background))
    shapes.append(("polygon", _sun(50, 72, 19), GOLD))
    for degrees in (30, 60, 90, 120, 150):
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        shapes.append(("line", [(50 + 24 * c, 72 - 24 * s), (50 + 31 * c, 72 - 31 * s)], 4.5, GOLD))
    shapes.append(("line", [(15, 54), (50, 23), (85, 54)], 7, WHITE))
    shapes.append(("line", [(17, 74), (83, 74)], 4.5, WHITE))
    return shapes


def _scaled(shapes: list[Shape], scale: float, dx: float = 0, dy: float = 0) -> list[Shape]:
    out: list[tuple] = []
    for shape in shapes:
        kind = shape[0]
        if kind == "circle":
            _, cx, cy, r, fill = shape
            out.append((kind, dx + cx * scale, dy + cy * scale, r * scale, fill))
        elif kind == "ring":
            _, cx, cy, r, width, colour = shape
            out.append((kind, dx + cx * scale, dy + cy * scale, r * scale, width * scale, colour))
        elif kind == "rect":
            _, x, y, w, h, radius, fill = shape
            out.append((kind, dx + x * scale, dy + y * scale, w * scale, h * scale, radius * scale, fill))
        elif kind == "polygon":
            _, points, fill = shape
            out.append((kind, [(dx + x * scale, dy + y * scale) for x, y in points], fill))
        elif kind == "line":
            _, points, width, colour = shape
            out.append((kind, [(dx + x * scale, dy + y * scale) for x, y in points], width * scale, colour))
        elif kind == "text":
            _, x, y, size, bold, fill, text = shape
            out.append((kind, dx + x * scale, dy + y * scale, size * scale, bold, fill, text))
    return out


def award_logo_shapes(*, year: int, level: str = "") -> list[Shape]:
    """The award logo (600 × 600): the mark inside a seal, the award's name and its expiry year."""
    shapes: list[Shape] = [
        ("circle", 300, 300, 296, NAVY),
        ("ring", 300, 300, 276, 6, GOLD),
    ]
    shapes += _scaled(mark_shapes(background=None), 1.9, dx=205, dy=30)
    shapes += [
        ("text", 300, 262, 56, True, WHITE, "Positive"),
        ("text", 300, 314, 38, False, WHITE, "and Peaceful"),
        ("text", 300, 372, 56, True, WHITE, "Places"),
        ("line", [(215, 398), (385, 398)], 3, GOLD),
        ("text", 300, 438, 24, True, WHITE, "LEICESTER"),
    ]
    if level:
        label = level.upper()
        shapes.append(("text", 300, 480, min(30, 700 / max(len(label), 1)), True, GOLD, label))
    shapes.append(("text", 300, 522 if level else 490, 28, True, GOLD, f"AWARD TO {year}"))
    return shapes


# ---------------------------------------------------------------- SVG


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _points(points) -> str:
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)


def to_svg(shapes: list[Shape], *, size: int, title: str, box: int = 100) -> str:
    body = []
    for shape in shapes:
        kind = shape[0]
        if kind == "circle":
            _, cx, cy, r, fill = shape
            body.append(f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}" fill="{fill}"/>')
        elif kind == "ring":
            _, cx, cy, r, width, colour = shape
            body.append(
                f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(r)}" fill="none" stroke="{colour}" '
                f'stroke-width="{_fmt(width)}"/>'
            )
        elif kind == "rect":
            _, x, y, w, h, radius, fill = shape
            body.append(
                f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}" rx="{_fmt(radius)}" '
                f'fill="{fill}"/>'
            )
        elif kind == "polygon":
            _, points, fill = shape
            body.append(f'<polygon points="{_points(points)}" fill="{fill}"/>')
        elif kind == "line":
            _, points, width, colour = shape
            body.append(
                f'<polyline points="{_points(points)}" fill="none" stroke="{colour}" stroke-width="{_fmt(width)}" '
                'stroke-linecap="round" stroke-linejoin="round"/>'
            )
        elif kind == "text":
            _, x, y, text_size, bold, fill, text = shape
            weight = ' font-weight="bold"' if bold else ""
            body.append(
                f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="middle" font-family="Arial, Helvetica, '
                f"'Liberation Sans', 'DejaVu Sans', sans-serif\" font-size=\"{_fmt(text_size)}\"{weight} "
                f'fill="{fill}">{escape(text)}</text>'
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {box} {box}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>\n"
    )


def mark_svg(
    *,
    size: int = 100,
    rounded: bool = False,
    background: str | None = NAVY,
    title: str = "Positive and Peaceful Places",
) -> str:
    return to_svg(mark_shapes(rounded=rounded, background=background), size=size, title=title)


def award_logo_svg(*, year: int, level: str = "") -> str:
    title = f"Positive and Peaceful Places award{', ' + level if level else ''}, valid to {year}"
    return to_svg(award_logo_shapes(year=year, level=level), size=600, box=600, title=title)


# ---------------------------------------------------------------- PNG

FONT_FILES = {
    True: [
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ],
    False: [
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ],
}


@cache
def _font(size: int, bold: bool):
    from PIL import ImageFont

    for path in FONT_FILES[bold]:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def to_png(shapes: list[Shape], *, size: int, box: int = 100, transparent: bool = True) -> bytes:
    """Draw at four times the size and scale down: Pillow does not smooth edges itself."""
    from PIL import Image, ImageDraw

    ss = 4
    scale = size * ss / box
    image = Image.new("RGBA", (size * ss, size * ss), (255, 255, 255, 0 if transparent else 255))
    draw = ImageDraw.Draw(image)

    def xy(points):
        return [(x * scale, y * scale) for x, y in points]

    for shape in shapes:
        kind = shape[0]
        if kind == "circle":
            _, cx, cy, r, fill = shape
            draw.ellipse([(cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale], fill=fill)
        elif kind == "ring":
            _, cx, cy, r, width, colour = shape
            outer, inner = r + width / 2, r - width / 2
            draw.ellipse(
                [(cx - outer) * scale, (cy - outer) * scale, (cx + outer) * scale, (cy + outer) * scale],
                outline=colour,
                width=max(1, round((outer - inner) * scale)),
            )
        elif kind == "rect":
            _, x, y, w, h, radius, fill = shape
            draw.rounded_rectangle(
                [x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1], radius=radius * scale, fill=fill
            )
        elif kind == "polygon":
            _, points, fill = shape
            draw.polygon(xy(points), fill=fill)
        elif kind == "line":
            _, points, width, colour = shape
            w = width * scale
            draw.line(xy(points), fill=colour, width=round(w), joint="curve")
            for x, y in xy(points):  # round caps
                draw.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=colour)
        elif kind == "text":
            _, x, y, text_size, bold, fill, text = shape
            draw.text((x * scale, y * scale), text, font=_font(round(text_size * scale), bold), fill=fill, anchor="ms")
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def mark_png(*, size: int, rounded: bool = False) -> bytes:
    return to_png(mark_shapes(rounded=rounded), size=size)


def award_logo_png(*, year: int, level: str = "", size: int = 1200) -> bytes:
    return to_png(award_logo_shapes(year=year, level=level), size=size, box=600)


def favicon_ico() -> bytes:
    """A multi-size .ico (16, 32, 48) for browsers that do not take the SVG favicon."""
    from PIL import Image

    big = Image.open(io.BytesIO(mark_png(size=256, rounded=True)))
    out = io.BytesIO()
    big.save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()
