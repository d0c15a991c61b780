"""A question's answers as a picture of the table beside it: horizontal bars, one per
answer, the length its share of everyone who answered. Drawn on the server as plain SVG
(no JavaScript, nothing fetched), for pages and PDFs alike. A hidden figure (`c`) has no
bar, only its words, so the chart never shows what the table hides."""

from dataclasses import dataclass

from .disclosure import HIDDEN, percent

LABEL_WIDTH, BAR_AREA, BAR_H, GAP = 190, 200, 18, 8
COLOUR = "#1d70b8"  # GOV.UK blue: 4.5:1 on white


@dataclass
class Bar:
    label: str
    lines: list[tuple[str, float]]
    y: float
    width: float
    words: str


@dataclass
class Chart:
    id: str
    title: str
    width: int
    height: int
    bars: list[Bar]
    label_x: int = LABEL_WIDTH - 8
    bar_x: int = LABEL_WIDTH


def _wrap(text: str, width: int = 26) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def question_chart(result) -> Chart | None:
    """The chart of a question's total row, or None when the whole question is hidden."""
    table = result.table
    if table.total_base is None:
        return None
    bars, y = [], 6
    for label, count in zip(result.question.choices, table.total_cells, strict=True):
        share = percent(count, table.total_base)
        lines = _wrap(label)
        height = max(BAR_H, 14 * len(lines))
        first = y + height / 2 - 7 * (len(lines) - 1) + 4
        bars.append(
            Bar(
                label=label,
                lines=[(text, first + 14 * n) for n, text in enumerate(lines)],
                y=y + (height - BAR_H) / 2,
                width=0 if share is None else BAR_AREA * share / 100,
                words=HIDDEN if share is None else f"{share}%",
            )
        )
        y += height + GAP
    return Chart(
        id=f"chart-q{result.question.position}",
        title=f"{result.question.text} Share of {table.total_base} answers",
        width=LABEL_WIDTH + BAR_AREA + 50,
        height=int(y),
        bars=bars,
    )
