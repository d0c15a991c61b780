"""Charts drawn on the server as plain SVG (no JavaScript, nothing fetched), for pages and
PDFs alike. Each chart is a picture of the table printed beside it: the SVG has a title
and a description, and the table carries the figures for screen readers.

`bar_chart` draws horizontal bars, one group per row with a bar per series (this term
and the same term last year, say); `column_chart` draws columns over time. A hidden
figure ("fewer than 5", "withheld") has no bar, only its words.
"""

from dataclasses import dataclass, field

SERIES_CLASSES = ("ppp-chart__bar--a", "ppp-chart__bar--b")
SERIES_COLOURS = ("#1d70b8", "#505a5f")  # GOV.UK blue and dark grey: 3:1 or more on white


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # the figure in words, drawn at the end of the bar
    label_x: float
    label_y: float


@dataclass
class Group:
    label: str
    label_x: float
    label_y: float
    bars: list[Bar] = field(default_factory=list)
    lines: list[tuple[str, float]] = field(default_factory=list)  # the label, wrapped: (text, y)


def wrap(text: str, width: int = 20) -> list[str]:
    """Split a label into lines of about `width` characters, at spaces."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


@dataclass
class Chart:
    id: str
    title: str
    width: int
    height: int
    groups: list[Group]
    series: list[tuple[str, str]]  # (name, colour) for the legend
    axis: tuple[float, float, float, float] = (0, 0, 0, 0)
    kind: str = "bar"


def _scale(values) -> int:
    shown = [v for v in values if isinstance(v, int | float)]
    return max(shown, default=0) or 1


def bar_chart(chart_id: str, title: str, rows, series_names) -> Chart:
    """`rows`: [(label, [(value or None, words), …one per series]), …]."""
    label_width, bar_area, bar_h, gap, line_h = 165, 225, 16, 12, 15
    per_group = max(bar_h * len(series_names), 2 * line_h) + gap
    top = 8 + (24 if len(series_names) > 1 else 0)
    peak = _scale(v for _label, cells in rows for v, _w in cells)
    groups = []
    for n, (label, cells) in enumerate(rows):
        y = top + n * per_group
        middle = y + bar_h * len(series_names) / 2
        lines = wrap(label)
        group = Group(
            label=label,
            label_x=label_width - 8,
            label_y=middle + 5,
            lines=[(text, middle + 5 + (k - (len(lines) - 1) / 2) * line_h) for k, text in enumerate(lines)],
        )
        for s, (value, words) in enumerate(cells):
            length = (value / peak) * bar_area if isinstance(value, int | float) else 0
            group.bars.append(
                Bar(
                    x=label_width,
                    y=y + s * bar_h,
                    width=round(length, 1),
                    height=bar_h - 2,
                    colour=SERIES_COLOURS[s % 2],
                    label=words,
                    label_x=label_width + length + 4,
                    label_y=y + s * bar_h + bar_h - 4,
                )
            )
        groups.append(group)
    height = top + len(rows) * per_group + 4
    return Chart(
        id=chart_id,
        title=title,
        width=label_width + bar_area + 70,
        height=height,
        groups=groups,
        series=[(name, SERIES_COLOURS[s % 2]) for s, name in enumerate(series_names)],
        axis=(label_width, top - 4, label_width, height - 4),
    )


def column_chart(chart_id: str, title: str, labels, series) -> Chart:
    """`labels`: the periods; `series`: [(name, [(value or None, words), …one per period]), …]."""
    plot_h, top, col_w, gap = 170, 34, 15, 9
    # Labels are centred under their columns: leave room for the widest (about 7 px a
    # letter at 12 px Arial) so none is cut off at the edge or runs into the next.
    label_w = max((len(str(label)) for label in labels), default=0) * 7 + 6
    per_group = max(col_w * len(series) + gap, label_w)
    left = max(10, label_w // 2 - col_w * len(series) // 2 + 2)
    peak = _scale(v for _name, cells in series for v, _w in cells)
    groups = []
    for n, label in enumerate(labels):
        x = left + n * per_group
        group = Group(label=label, label_x=x + col_w * len(series) / 2, label_y=top + plot_h + 18)
        group.lines = [(label, group.label_y)]
        for s, (_name, cells) in enumerate(series):
            value, words = cells[n]
            length = (value / peak) * plot_h if isinstance(value, int | float) else 0
            group.bars.append(
                Bar(
                    x=x + s * col_w,
                    y=top + plot_h - length,
                    width=col_w - 2,
                    height=round(length, 1),
                    colour=SERIES_COLOURS[s % 2],
                    label=words if isinstance(value, int | float) else "",
                    label_x=x + s * col_w + (col_w - 2) / 2,
                    label_y=top + plot_h - length - 3,
                )
            )
        groups.append(group)
    width = left + len(labels) * per_group + max(10, label_w // 2)
    return Chart(
        id=chart_id,
        title=title,
        width=max(width, 300),
        height=top + plot_h + 28,
        groups=groups,
        series=[(name, SERIES_COLOURS[s % 2]) for s, (name, _cells) in enumerate(series)],
        axis=(left - 2, top + plot_h, width - 6, top + plot_h),
        kind="column",
    )
