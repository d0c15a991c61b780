"""The published disclosure rule: what a table PPP releases may show (docs/figures.md).

One rule for every table that leaves the service, whichever app makes it. It follows the
rule the Department for Education uses for its children-in-need statistics, with the
Government Statistical Service's symbols:

1. A count from 1 to 5 is not shown: `c` ("confidential").
2. A count where one setting makes more than half of it (dominance) is not shown: `c`.
3. Cells the publisher withholds whole (a group of too few settings) are not shown: `c`.
4. Enough other cells are hidden (`c` too: a reader cannot tell why a cell is hidden)
   that no hidden cell can be worked back to a value from 1 to 5, nor a cell hidden for
   dominance to its exact value, by anyone who knows every published figure and every
   relation between them (rows add up to totals, a term is its months, counts are never
   negative...). `ppp.disclosure.check` proves it with an integer program.
5. A cell marked as a total over many settings is shown rounded to the nearest 5
   (round half up: 7 shows as 5, 8 as 10); 0 is shown as 0. So a rounded figure `r` (5
   or more) means a count from r - 2 to r + 2 and never from 1 to 5.

The version string changes whenever any of this changes; every release stores it.
"""

from fractions import Fraction

RULE_VERSION = "PPP disclosure rule 1 (DfE children-in-need, 2026-12)"

SMALL_MIN, SMALL_MAX = 1, 5  # counts from 1 to 5 are hidden
ROUND_TO = 5  # totals over many settings: to the nearest 5
DOMINANCE_SHARE = Fraction(1, 2)  # one setting makes more than this share: hidden

# GSS symbols (https://analysisfunction.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/)
CONFIDENTIAL = "c"
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
LOW = "low"

SYMBOLS = {
    CONFIDENTIAL: "hidden to protect the children counted: a count from 1 to 5, a count that mostly comes "
    "from one setting, or a count hidden so that one of those cannot be worked out by adding or taking away",
    NOT_AVAILABLE: "not available",
    NOT_APPLICABLE: "not applicable",
    LOW: "a percentage that rounds to 0 but is not 0",
}
ROUNDED_NOTE = (
    f"Totals across many settings are rounded to the nearest {ROUND_TO}, so they may not equal the sum of their parts."
)


def is_small(value: int) -> bool:
    return SMALL_MIN <= value <= SMALL_MAX


def is_dominated(value: int, largest: int | None) -> bool:
    """One setting makes more than `DOMINANCE_SHARE` of a non-zero count."""
    return largest is not None and value > 0 and Fraction(largest, value) > DOMINANCE_SHARE


def rounded(value: int) -> int:
    """To the nearest `ROUND_TO`, half up (0 stays 0)."""
    return ROUND_TO * ((value + ROUND_TO // 2) // ROUND_TO)


def rounded_range(shown: int) -> tuple[int, int]:
    """What a reader knows of a count shown rounded as `shown`."""
    if shown == 0:
        return 0, 0
    half = ROUND_TO // 2
    return max(shown - half, SMALL_MAX + 1), shown + half


def percent(part: int, whole: int, *, places: int = 0) -> str:
    """A percentage as the GSS writes it: `low` when it rounds to 0 but is not 0."""
    if whole <= 0:
        return NOT_APPLICABLE
    value = 100 * part / whole
    text = f"{value:.{places}f}"
    if part and float(text) == 0:
        return LOW
    return text


def legend(symbols_used=None) -> list[tuple[str, str]]:
    """(symbol, meaning) for each symbol used (all of them if not said), for a key beside a
    table or the first rows of a CSV."""
    return [(symbol, meaning) for symbol, meaning in SYMBOLS.items() if symbols_used is None or symbol in symbols_used]


def legend_rows(symbols_used=None, *, rounded_totals: bool = True) -> list[list[str]]:
    """The legend as CSV rows: the rule's version, each symbol, and the rounding note."""
    rows = [["Disclosure rule", RULE_VERSION]]
    rows += [[f"Symbol {symbol}", meaning] for symbol, meaning in legend(symbols_used)]
    if rounded_totals:
        rows.append(["Rounding", ROUNDED_NOTE])
    return rows
