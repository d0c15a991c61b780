"""The documentation holds together in a fresh clone: every relative link in README.md,
docs/ and bench/ reaches a file in the repository (and the heading its #anchor names),
the README stays a short front door, the map names every page, and every setting
ppp/settings.py reads is in the settings page."""

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README_MAX_LINES = 200

# Pages the map links to that another branch is writing (issue 20). Once a page exists it
# is checked like any other, and this test asks for its name to be taken out of here.
AWAITED = {
    "docs/operations/backup-and-restore.md",
    "docs/operations/background-work.md",
    "docs/operations/supervision.md",
}

LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`+[^`]*`+")


def markdown_files() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]
    return [path for path in files if path.is_file()]


def prose_lines(path: Path):
    """(line number, text) of every line outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def links(path: Path):
    for number, line in prose_lines(path):
        for match in LINK.finditer(INLINE_CODE.sub("", line)):
            yield number, match.group(1)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = INLINE_CODE.sub(lambda code: code.group(0).strip("`"), heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: dict[str, int] = {}
    names = set()
    for _, line in prose_lines(path):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = found.get(base, 0)
            found[base] = count + 1
            names.add(base if count == 0 else f"{base}-{count}")
    return names


def relative(path: Path, root: Path = ROOT) -> str:
    return path.relative_to(root).as_posix()


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, https:, mailto:
            continue
        address, _, anchor = target.partition("#")
        where = f"{relative(path, root)}:{number}: {target}"
        destination = (path.parent / address).resolve() if address else path
        try:
            name = relative(destination, root)
        except ValueError:
            problems.append(f"{where} points outside the repository")
            continue
        if name in AWAITED and not destination.exists():
            continue
        if not destination.is_file():
            problems.append(f"{where}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            problems.append(f"{where}: no heading gives #{anchor}")
    return problems


@pytest.mark.parametrize("path", markdown_files(), ids=relative)
def test_every_relative_link_reaches_a_file_and_heading(path):
    assert broken_links(path) == []


def test_the_link_check_finds_a_broken_link_an_outside_link_and_a_missing_anchor(tmp_path):
    root = tmp_path / "clone"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").write_text("# PPP\n", encoding="utf-8")
    page = root / "docs" / "page.md"
    page.write_text(
        "# Example\n\n[fine](#example) [gone](nowhere.md) [outside](../../elsewhere/x.md) "
        "[anchor](../README.md#no-such-heading) [ok](../README.md#ppp) [web](https://example.com/x.md)\n\n"
        "```\n[in code](nowhere-either.md)\n```\n",
        encoding="utf-8",
    )
    problems = broken_links(page, root.resolve())
    assert len(problems) == 3
    assert "nowhere.md: no such file" in problems[0]
    assert "points outside the repository" in problems[1]
    assert "no heading gives #no-such-heading" in problems[2]


def test_headings_become_anchors_as_github_makes_them():
    assert slug("Tenancy: another organisation's data is a 404") == "tenancy-another-organisations-data-is-a-404"
    assert slug("`make bench-national`") == "make-bench-national"
    assert slug("FIELD_ENCRYPTION_KEYS") == "field_encryption_keys"


def test_awaited_pages_are_taken_off_the_list_once_they_exist():
    arrived = sorted(name for name in AWAITED if (ROOT / name).exists())
    assert arrived == [], f"These pages exist now: take them out of AWAITED in tests/test_docs.py: {arrived}"


def test_readme_is_a_short_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, "Move detail into docs/ and link to it from the README."


def test_the_map_names_every_page_and_the_index_every_decision():
    mapped = {(ROOT / "docs" / target.partition("#")[0]).resolve() for _, target in links(ROOT / "docs" / "README.md")}
    pages = [p for p in (ROOT / "docs").rglob("*.md") if "adr" not in p.relative_to(ROOT / "docs").parts]
    unmapped = [relative(p) for p in pages if p.resolve() not in mapped and p.name != "README.md"]
    assert unmapped == [], "Add a line for each page to docs/README.md"

    indexed = {(ROOT / "docs" / "adr" / target).resolve() for _, target in links(ROOT / "docs" / "adr" / "README.md")}
    records = list((ROOT / "docs" / "adr").glob("[0-9][0-9][0-9][0-9]-*.md"))
    unindexed = [relative(p) for p in records if p.resolve() not in indexed]
    assert unindexed == [], "Add a line for each record to docs/adr/README.md"


def test_every_setting_read_from_the_environment_is_documented():
    source = (ROOT / "ppp" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"\benv(?:_bool|_int|_list)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    assert len(read) > 50  # the pattern still finds them
    documented = (ROOT / "docs" / "operations" / "settings.md").read_text(encoding="utf-8")
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert missing == [], "Describe these in docs/operations/settings.md"
