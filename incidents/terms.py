"""School terms and academic years, as the reports and figures count them.

An academic year runs from 1 September to 31 August ("2026/27" starts in 2026). Its
three terms are taken as whole months, so every school's figures line up: autumn
(September to December), spring (January to March) and summer (April to August).
Easter moves; the months do not.
"""

import datetime
from dataclasses import dataclass

TERMS = (
    ("autumn", "Autumn term", (9, 10, 11, 12)),
    ("spring", "Spring term", (1, 2, 3)),
    ("summer", "Summer term", (4, 5, 6, 7, 8)),
)
MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)
MONTH_NAMES = {m: datetime.date(2000, m, 1).strftime("%b") for m in range(1, 13)}


def academic_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def month_date(year: int, month: int) -> datetime.date:
    """The first day of `month` in academic year `year`."""
    return datetime.date(year if month >= 9 else year + 1, month, 1)


@dataclass(frozen=True)
class Term:
    year: int  # the academic year it belongs to
    key: str  # autumn, spring, summer

    @property
    def months(self) -> tuple[int, ...]:
        return next(months for key, _label, months in TERMS if key == self.key)

    @property
    def label(self) -> str:
        name = next(label for key, label, _months in TERMS if key == self.key)
        return f"{name} {self.start.year}"

    @property
    def short_label(self) -> str:
        return self.key.capitalize()

    @property
    def slug(self) -> str:
        """In addresses: the academic year, then the term ("2025-summer" is Summer term 2026)."""
        return f"{self.year}-{self.key}"

    @property
    def file_slug(self) -> str:
        """In file names, as the label reads: "summer-2026", never the academic year's start."""
        return f"{self.key}-{self.start.year}"

    @property
    def start(self) -> datetime.date:
        return month_date(self.year, self.months[0])

    @property
    def end(self) -> datetime.date:
        """The first day after the term."""
        last = month_date(self.year, self.months[-1])
        return datetime.date(last.year + (last.month == 12), last.month % 12 + 1, 1)

    def last_year(self) -> "Term":
        return Term(self.year - 1, self.key)

    def previous(self) -> "Term":
        keys = [key for key, _l, _m in TERMS]
        index = keys.index(self.key)
        return Term(self.year, keys[index - 1]) if index else Term(self.year - 1, keys[-1])

    @classmethod
    def of(cls, day: datetime.date) -> "Term":
        year = academic_year_of(day)
        return cls(year, next(key for key, _label, months in TERMS if day.month in months))

    @classmethod
    def from_slug(cls, slug: str) -> "Term | None":
        year, _, key = (slug or "").partition("-")
        if not year.isdigit() or key not in {k for k, _l, _m in TERMS} or not 2000 <= int(year) <= 2100:
            return None
        return cls(int(year), key)


def terms_of_year(year: int) -> list[Term]:
    return [Term(year, key) for key, _label, _months in TERMS]


def recent_terms(today: datetime.date, count: int = 6) -> list[Term]:
    """The current term and the ones before it, newest first."""
    terms, term = [], Term.of(today)
    for _ in range(count):
        terms.append(term)
        term = term.previous()
    return terms
