"""The signed-in person's home: what needs them now, gathered from every app.

Each domain app offers a section by registering, in its `selectors.py`, a function
`home_section(user, membership) -> HomeSection | None` with `home_sections`. The platform
renders whatever the apps return, in INSTALLED_APPS order, without knowing the apps.

    @home_sections.register
    def home_section(user, membership):
        return HomeSection("The award", tasks=[HomeTask("Change “Policy” as asked", url, detail=comment)])
"""

from dataclasses import dataclass, field

from ppp.discovery import AppRegistry


@dataclass(frozen=True)
class HomeTask:
    """One thing to do: what, where to do it, and a line of detail (an officer's comment)."""

    text: str
    url: str = ""
    detail: str = ""
    due: str = ""  # e.g. "Overdue" or "Due 3 March", shown as a tag


@dataclass
class HomeSection:
    title: str
    tasks: list[HomeTask] = field(default_factory=list)
    # Where the section's work lives, and a short status of it (the award's task list).
    links: list[HomeTask] = field(default_factory=list)
    summary: str = ""


home_sections = AppRegistry("selectors")


def sections_for(user, membership) -> list[HomeSection]:
    sections = []
    for _label, section in home_sections.all():
        result = section(user, membership)
        if result is not None:
            sections.append(result)
    return sections
