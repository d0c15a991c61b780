"""PPP's disclosure control: one published, versioned rule for every table PPP releases.

Any app describes the views a reader can get of one release as a `System` (cells with
their true counts, and the relations a reader knows between them), then

    published = suppress(system)      # what may be shown: figures, rounded totals and `c`
    problems = check(published)       # [] when nothing hidden can be worked back

`check` is exact (an integer program per hidden cell); `legend`/`legend_rows` give the
key to the GSS symbols for templates and CSVs. The rule itself: `ppp.disclosure.rule`
and docs/figures.md. This module names no app: incidents and surveys both use it.
"""

from .check import Inconsistent, check, ranges
from .rule import (
    CONFIDENTIAL,
    LOW,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    ROUND_TO,
    ROUNDED_NOTE,
    RULE_VERSION,
    SMALL_MAX,
    SMALL_MIN,
    SYMBOLS,
    legend,
    legend_rows,
    percent,
)
from .system import Problem, Published, Relation, System, from_stored, publish, stored, suppress

__all__ = [
    "CONFIDENTIAL",
    "LOW",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "ROUNDED_NOTE",
    "ROUND_TO",
    "RULE_VERSION",
    "SMALL_MAX",
    "SMALL_MIN",
    "SYMBOLS",
    "Inconsistent",
    "Problem",
    "Published",
    "Relation",
    "System",
    "check",
    "from_stored",
    "legend",
    "legend_rows",
    "percent",
    "publish",
    "ranges",
    "stored",
    "suppress",
]
